"""The inbox and case threads in the JSON API (docs/notifications.md), with the pages' access rules: one's
own inbox (opening a notice's item is its receipt, 电子送达), the applicant's thread on their own case,
the town's staff's thread (with internal notes) on the cases of their towns, and 查收 of a decision."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service_hall.accounts.permissions import Permission
from service_hall.cases.queries import own_application, staff_case
from service_hall.core.errors import ValidationFailed
from service_hall.extensions import db
from service_hall.notifications import operations as ops
from service_hall.notifications.schemas import MESSAGE_MAX, MessageIn
from service_hall.notifications.sealing import reveal
from service_hall.web.access import LOGIN, current_actor, now, requires
from service_hall.web.api.openapi import NOT_BLANK
from service_hall.web.unit_of_work import file_store, send_stored_file

blp = Blueprint("api_notifications", __name__, url_prefix="/api/v1", description="站内消息与办件留言")
SECURITY = [{"bearerAuth": []}]


class InboxItemOut(Schema):
    id = fields.Integer()
    title = fields.String()
    body = fields.Function(lambda i: reveal(i.body, now=now()), metadata={
        "type": "string", "description": "正文；授权码等一时有效的内容过期后显示为“（已过期）”"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    application_id = fields.Integer(allow_none=True)
    notice_id = fields.Integer(allow_none=True, metadata={"description": "法定文书的消息：打开即视为送达"})


class InboxOut(Schema):
    unread = fields.Integer(metadata={"description": "未读条数"})
    items = fields.List(fields.Nested(InboxItemOut), metadata={"description": "最新的 50 条，新的在前"})


class CountOut(Schema):
    count = fields.Integer()


class CaseMessageOut(Schema):
    id = fields.Integer()
    author = fields.Function(lambda m: m.author.display_name if not m.author.is_staff else m.author.real_name)
    from_staff = fields.Function(lambda m: m.author.is_staff)
    internal = fields.Boolean(metadata={"description": "内部备注（仅工作人员可见）"})
    body = fields.String()
    has_attachment = fields.Function(lambda m: m.file_id is not None)
    attachment_name = fields.Function(lambda m: m.file.filename if m.file is not None else None,
                                      metadata={"description": "附件文件名（下载：…/messages/{id}/file）"})
    created_at = fields.DateTime()


class ThreadOut(Schema):
    unread = fields.Integer(metadata={"description": "本次查看前未读的对方留言条数（查看即标为已读）"})
    messages = fields.List(fields.Nested(CaseMessageOut))


class NoticeOpenedOut(Schema):
    notice_id = fields.Integer(attribute="id")
    number = fields.String()
    kind = fields.Function(lambda n: n.kind.value)
    kind_label = fields.Function(lambda n: n.kind.label)


@blp.route("/inbox", methods=["GET"])
@requires(LOGIN)
@blp.response(200, InboxOut)
@blp.doc(security=SECURITY)
def inbox() -> Any:
    """我的站内消息：未读条数与最新消息"""
    actor = current_actor()
    return {"unread": ops.unread_count(db.session, actor), "items": ops.inbox(db.session, actor)}


@blp.route("/inbox/<int:item_id>", methods=["GET"])
@requires(LOGIN)
@blp.response(200, InboxItemOut)
@blp.doc(security=SECURITY)
def inbox_item(item_id: int) -> Any:
    """打开一条消息：标为已读；法定文书的消息由申请人打开即视为送达（电子送达）。他人的消息 404"""
    return ops.open_item(db.session, current_actor(), item_id, now=now())


@blp.route("/inbox/read-all", methods=["POST"])
@requires(LOGIN)
@blp.response(200, CountOut)
@blp.doc(security=SECURITY)
def inbox_read_all() -> Any:
    """全部标为已读（不视为打开文书）"""
    return {"count": ops.mark_all_read(db.session, current_actor(), now=now())}


def _thread(case: Any) -> dict[str, Any]:
    actor = current_actor()
    messages = ops.thread(db.session, case, actor)
    seen = ops.last_read(db.session, case, actor)
    ops.mark_thread_read(db.session, case, actor, messages)
    return {"unread": sum(1 for m in messages if m.id > seen and m.author_id != actor.id), "messages": messages}


def _post(case: Any) -> Any:
    """A message in ``case``'s thread from JSON or multipart (with ``file``); the applicant's is never internal."""
    actor = current_actor()
    if request.mimetype == "multipart/form-data":
        data: dict[str, Any] = request.form.to_dict()
        upload = request.files.get("file")
        attachment = ops.Attachment(upload.read(), upload.filename or "附件") if upload and upload.filename else None
    else:
        raw = request.get_json(silent=True)
        if not isinstance(raw, dict):
            raise ValidationFailed("请求体应为 JSON 对象，或以 multipart/form-data 提交",
                                   details={"body": "请填写留言"})
        data, attachment = raw, None
    if not actor.is_staff:
        data = {**data, "internal": False}
    return ops.post_message(db.session, case, actor, data, now=now(), attachment=attachment, store=file_store())


def _attachment(case: Any, message_id: int) -> Any:
    return send_stored_file(ops.message_attachment(db.session, case, current_actor(), message_id))


_FILE = {"type": "string", "format": "binary",
         "description": "附件（可选）：按内容识别，仅限 PDF、JPG、PNG，10 MB 以内；可执行文件等其他类型拒收（422），"
                        "请求超过上传上限时 413"}
MESSAGE_REQUEST = {"description": "留言：JSON，或 multipart/form-data（可带附件 file）", "content": {
    "application/json": {"schema": MessageIn},
    "multipart/form-data": {"schema": {"type": "object", "required": ["body"], "properties": {
        "body": {"type": "string", "maxLength": MESSAGE_MAX, "pattern": NOT_BLANK}, "internal": {"type": "boolean"},
        "file": _FILE}}}}}
FILE_RESPONSE = {"200": {"description": "附件文件", "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary"}}}}}


@blp.route("/applications/<ref>/messages", methods=["GET"])
@requires(Permission.APPLICATION_READ_OWN)
@blp.response(200, ThreadOut)
@blp.doc(security=SECURITY)
def my_thread(ref: str) -> Any:
    """我的办件留言（不含工作人员内部备注）"""
    return _thread(own_application(db.session, current_actor(), ref))


@blp.route("/applications/<ref>/messages", methods=["POST"])
@requires(Permission.APPLICATION_READ_OWN)
@blp.response(201, CaseMessageOut)
@blp.doc(security=SECURITY, requestBody=MESSAGE_REQUEST)
def my_post(ref: str) -> Any:
    """给窗口留言，可带一个附件"""
    return _post(own_application(db.session, current_actor(), ref))


@blp.route("/applications/<ref>/messages/<int:message_id>/file", methods=["GET"])
@requires(Permission.APPLICATION_READ_OWN)
@blp.doc(security=SECURITY, responses=FILE_RESPONSE)
def my_attachment(ref: str, message_id: int) -> Any:
    """下载留言的附件（内部备注的附件 404）"""
    return _attachment(own_application(db.session, current_actor(), ref), message_id)


@blp.route("/applications/<ref>/notices/<int:notice_id>/open", methods=["POST"])
@requires(Permission.APPLICATION_READ_OWN)
@blp.response(200, NoticeOpenedOut)
@blp.doc(security=SECURITY)
def open_notice(ref: str, notice_id: int) -> Any:
    """查收文书：记录申请人打开文书的时间（电子送达）；决定文书查收后才显示决定内容"""
    actor = current_actor()
    return ops.open_notice(db.session, own_application(db.session, actor, ref), actor, notice_id, now=now())


@blp.route("/cases/<int:case_id>/messages", methods=["GET"])
@requires(Permission.CASE_READ)
@blp.response(200, ThreadOut)
@blp.doc(security=SECURITY)
def staff_thread(case_id: int) -> Any:
    """办件留言与内部备注（本乡镇的办件）"""
    return _thread(staff_case(db.session, current_actor(), case_id))


@blp.route("/cases/<int:case_id>/messages", methods=["POST"])
@requires(Permission.CASE_READ)
@blp.response(201, CaseMessageOut)
@blp.doc(security=SECURITY, requestBody=MESSAGE_REQUEST)
def staff_post(case_id: int) -> Any:
    """给申请人留言，或写内部备注（internal=true，申请人看不到），可带一个附件"""
    return _post(staff_case(db.session, current_actor(), case_id))


@blp.route("/cases/<int:case_id>/messages/<int:message_id>/file", methods=["GET"])
@requires(Permission.CASE_READ)
@blp.doc(security=SECURITY, responses=FILE_RESPONSE)
def staff_attachment(case_id: int, message_id: int) -> Any:
    """下载留言或内部备注的附件"""
    return _attachment(staff_case(db.session, current_actor(), case_id), message_id)
