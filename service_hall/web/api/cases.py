"""Applications (applicants) and cases (window staff) over JSON — the same domain functions as the pages."""

from __future__ import annotations

from typing import Any

from flask import g, request, url_for
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, post_dump, validate

from service_hall.accounts.permissions import Permission
from service_hall.cases import intake
from service_hall.cases.accountability import clock_view
from service_hall.cases.actions import ACTIONS, Audience, CaseAction, allowed_actions, transitions_open
from service_hall.cases.procedures import status_label
from service_hall.cases.queries import (
    deadline_state,
    own_application,
    own_applications,
    parse_statuses,
    queue,
    staff_case,
)
from service_hall.cases.transitions import RECOMMENDATION_LABELS, power_type_of, recommendation_label
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.core.pagination import Page, page_size
from service_hall.extensions import db, file_store
from service_hall.files.store import accept_upload, owned_file
from service_hall.jurisdictions.operations import by_code
from service_hall.notifications.operations import awaiting_receipt, pending_decisions
from service_hall.web.access import current_actor, now, requires
from service_hall.web.api.openapi import NO_NUL
from service_hall.web.case_actions import attempt
from service_hall.web.case_io import calendar
from service_hall.web.unit_of_work import context

blp = Blueprint("api_cases", __name__, url_prefix="/api/v1", description="申请与办件")
SECURITY = [{"bearerAuth": []}]


class FileOut(Schema):
    id = fields.Integer()
    material_name = fields.String()
    filename = fields.String()
    sha256 = fields.Function(lambda f: f.blob.sha256)
    content_type = fields.Function(lambda f: f.blob.content_type)
    size = fields.Function(lambda f: f.blob.size)


MATERIAL_NAME_MAX = 200


class UploadForm(Schema):
    class Meta:
        unknown = EXCLUDE

    material_name = fields.String(required=True, validate=validate.Length(min=1, max=MATERIAL_NAME_MAX))


class NoticeOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    label = fields.Function(lambda n: n.kind.label)
    number = fields.String()
    issued_on = fields.Date()
    content = fields.Dict()


class CorrectionOut(Schema):
    items = fields.List(fields.Dict())
    respond_by = fields.Date()
    answered_at = fields.DateTime(allow_none=True)


class PauseOut(Schema):
    kind = fields.String()
    label = fields.Function(lambda p: p.kind.label)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    note = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)


class DeliveryOut(Schema):
    channel = fields.String()
    channel_label = fields.Function(lambda d: d.channel.label)
    delivered_at = fields.DateTime()
    recipient = fields.String()
    address = fields.String()
    document_number = fields.String()


class ClockOut(Schema):
    promised = fields.Date(allow_none=True, metadata={"description": "承诺办结期限"})
    statutory = fields.Date(allow_none=True, metadata={"description": "法定办结期限"})
    promised_colour = fields.String(allow_none=True, metadata={"description": "green / yellow / red"})
    statutory_colour = fields.String(allow_none=True)
    promised_left = fields.Integer(allow_none=True, metadata={"description": "剩余工作日，负数为已超期"})
    statutory_left = fields.Integer(allow_none=True)
    paused = fields.Boolean(metadata={"description": "特别程序进行中，暂停计时"})
    provisional = fields.Boolean()


class ApplicationOut(Schema):
    id = fields.Integer(metadata={"description": "工作人员接口使用的办件 ID"})
    ref = fields.String(metadata={"description": "申请人接口使用的办件引用"})
    case_number = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.Function(lambda c: status_label(c))  # as the item's power type says it
    power_type = fields.Function(lambda c: c.power_item.power_type.value)
    item_code = fields.String()
    item_name = fields.String()
    town_code = fields.Function(lambda c: c.town.code)
    power_item_id = fields.Integer()
    form_definition_id = fields.Integer(allow_none=True)
    data = fields.Dict()
    received_on = fields.Date(allow_none=True)
    intake_due_on = fields.Date(allow_none=True)
    accepted_on = fields.Date(allow_none=True)
    deemed_accepted = fields.Boolean()
    due_on = fields.Date(allow_none=True)
    statutory_due_on = fields.Date(allow_none=True)
    deadline_provisional = fields.Boolean()
    deadline_colour = fields.Method("_colour")
    row_version = fields.Integer()
    allowed_actions = fields.Function(lambda c: [a.value for a in transitions_open(c)],
                                      metadata={"description": "本状态下可执行的操作（不论由谁）"})
    my_actions = fields.Method("_mine", metadata={"description": "当前用户现在可以执行的操作"})
    materials = fields.Function(lambda c: [{"code": m.material_code, "name": m.material_name,
                                            "file_id": m.file_id} for m in c.materials])
    corrections = fields.List(fields.Nested(CorrectionOut))
    notices = fields.List(fields.Nested(NoticeOut))
    extension_days = fields.Integer()
    clock = fields.Method("_clock", metadata={"description": "决定期限（受理后、决定前）：承诺与法定期限分别计算"})
    special_procedures = fields.Function(lambda c: PauseOut(many=True).dump(
        [p for p in c.pauses if p.kind.value != "correction"]))
    pledge_signed_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    deliveries = fields.List(fields.Nested(DeliveryOut))
    pending_decisions = fields.Method("_pending", metadata={
        "description": "申请人尚未查收的决定文书（notice_id、number）。查收"
                       "（POST /applications/{ref}/notices/{id}/open）之前，申请人看到的 status 为 decided、"
                       "文书列表不含该决定，决定内容在查收后显示（电子送达）"})

    def _pending(self, case: Any) -> list[dict[str, Any]]:
        actor = current_actor()
        if actor is None or actor.is_staff:
            return []
        listed = g.get("awaiting_receipt")  # read once for a list page's cases (my_applications)
        awaiting = listed[1] if listed is not None and case.id in listed[0] else None
        return [{"notice_id": n.id, "number": n.number}
                for n in pending_decisions(db.session, case, awaiting=awaiting)]

    @post_dump
    def _hide_undelivered(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """A decision is shown to its applicant once its notice is opened (docs/notifications.md)."""
        waiting = {p["notice_id"] for p in data.get("pending_decisions") or []}
        if waiting:
            data.update(status="decided", status_label="已作出决定，待查收", allowed_actions=[],
                        notices=[n for n in data.get("notices") or [] if n.get("id") not in waiting])
        return data

    def _mine(self, case: Any) -> list[str]:
        return [name for name, can in allowed_actions(case, current_actor(), now()).items() if can.allowed]

    def _colour(self, case: Any) -> str | None:
        return deadline_state(case, calendar(), now())[0]

    def _clock(self, case: Any) -> dict[str, Any] | None:
        view = clock_view(case, calendar(), now())
        return ClockOut().dump(view) if view is not None else None


class ReviewOut(Schema):
    reviewer_id = fields.Integer()
    reviewer_name = fields.Function(lambda r: r.reviewer.real_name)
    opinion = fields.String()
    recommendation = fields.String(metadata={"description": "approve / deny"})
    recommendation_label = fields.Function(
        lambda r: recommendation_label(power_type_of(r.application), r.recommendation),
        metadata={"description": "审查结论按事项权力类型的表述（如行政给付为“建议给付”）"})
    recorded_at = fields.DateTime()


class CheckOut(Schema):
    due_on = fields.Date()
    result = fields.String()
    finding = fields.String(allow_none=True)
    checked_at = fields.DateTime(allow_none=True)


class TriggerOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    severity = fields.String()
    code = fields.String()
    situation = fields.String()
    basis = fields.String()
    detail = fields.String()
    raised_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True)


class CaseOut(ApplicationOut):
    """What staff see of a case: the applicant's view plus review opinions, checks and 追责情形."""

    reviews = fields.List(fields.Nested(ReviewOut))
    recommendation_choices = fields.Function(
        lambda c: {r.value: label for r, label in RECOMMENDATION_LABELS[power_type_of(c)].items()},
        metadata={"description": "提出审查意见时可选的审查结论（recommendation 取值 → 本事项权力类型的表述）"})
    checks = fields.List(fields.Nested(CheckOut))
    triggers = fields.List(fields.Nested(TriggerOut))


class RatingOut(Schema):
    stage = fields.String(metadata={"description": "accepted 受理 / finished 办结"})
    mode = fields.String(metadata={"description": "online 网上办理 / window 窗口办理（决定指标集）"})
    score = fields.Integer(metadata={"description": "整体满意度"})
    indicators = fields.Dict(keys=fields.String(), values=fields.Integer())
    tags = fields.List(fields.String())
    comment = fields.String()
    rated_at = fields.DateTime()
    rectification_due_on = fields.Function(lambda r: r.rectification.due_on.isoformat() if r.rectification else None)


class ApplicationIn(Schema):
    town_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$", error="区划代码应为12位数字"))
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    data = fields.Dict(load_default=dict)
    materials = fields.Dict(keys=fields.String(), values=fields.Integer(), load_default=dict,
                            metadata={"description": "材料编码 → 已上传文件 ID"})
    submission_key = fields.String(required=True, validate=validate.Length(min=8, max=64),
                                   metadata={"description": "客户端生成的幂等键：重复提交返回同一申请"})


def owned_materials(actor: Any, ids: dict[str, int]) -> dict[str, Any]:
    """The actor's own uploads by material code. Raises ValidationFailed (located: ``material-<code>``)."""
    out = {}
    errors = {}
    for code, file_id in ids.items():
        try:
            out[code] = owned_file(db.session, actor, file_id)
        except NotFound:
            errors[f"material-{code}"] = "所选材料不存在"
    if errors:
        raise ValidationFailed("材料有误", details=errors)
    return out


def _paged(page: Page[Any]) -> tuple[list[Any], int, dict[str, str]]:
    """A list page as the JSON array, its neighbours as cursors in ``Link`` (RFC 8288) and ``X-Next-Cursor``."""
    args = {k: v for k, v in request.args.items() if k != "cursor"}
    links = [f'<{url_for(request.endpoint or "", **(request.view_args or {}), **args, cursor=cursor)}>; rel="{rel}"'
             for rel, cursor in (("prev", page.prev), ("next", page.next)) if cursor]
    headers = {"Link": ", ".join(links)} if links else {}
    if page.next:
        headers["X-Next-Cursor"] = page.next
    return page.rows, 200, headers


# The file part is read by the view (request.files), so the document adds it to the form's own fields.
UPLOAD_REQUEST = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "material_name"],
    "properties": {"material_name": {"type": "string", "minLength": 1, "maxLength": MATERIAL_NAME_MAX,
                                     "pattern": NO_NUL},
                   "file": {"type": "string", "format": "binary"}}}}}}


@blp.route("/files", methods=["POST"])
@requires(Permission.APPLICATION_SUBMIT)
@blp.arguments(UploadForm, location="form", content_type="multipart/form-data")
@blp.response(201, FileOut)
@blp.doc(security=SECURITY, requestBody=UPLOAD_REQUEST)
def upload_file(form: dict[str, Any]) -> Any:
    """上传申请材料（multipart，字段 file），按内容识别类型，同一内容只存一份"""
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed("请选择文件", details={"file": "请选择文件"})
    return accept_upload(db.session, file_store(), current_actor(), content=upload.read(),
                         filename=upload.filename or "", material_name=form["material_name"], field="file", now=now())


@blp.route("/applications", methods=["GET"])
@requires(Permission.APPLICATION_READ_OWN)
@blp.response(200, ApplicationOut(many=True))
@blp.doc(security=SECURITY)
def my_applications() -> Any:
    """我的申请，最新的在前，每页 ?size= 条（默认 50）；下一页的 ?cursor= 见响应头 Link（rel="next"）与 X-Next-Cursor"""
    page = own_applications(db.session, current_actor(), request.args.get("cursor"),
                            size=page_size(request.args.get("size")), whole=True)
    ids = {c.id for c in page.rows}
    g.awaiting_receipt = (ids, awaiting_receipt(db.session, ids))
    return _paged(page)


@blp.route("/applications", methods=["POST"])
@requires(Permission.APPLICATION_SUBMIT)
@blp.arguments(ApplicationIn)
@blp.response(201, ApplicationOut)
@blp.doc(security=SECURITY)
def create_application(body: dict[str, Any]) -> Any:
    """提交申请（同一 submission_key 重复提交返回同一申请，状态码 200）"""
    actor = current_actor()
    town = by_code(db.session, body["town_code"])
    case, created = intake.submit_application(
        context(), applicant=actor, town=town, item_code=body["item_code"], data=body["data"],
        materials=owned_materials(actor, body["materials"]), submission_key=body["submission_key"])
    return case, (201 if created else 200)


@blp.route("/applications/<ref>", methods=["GET"])
@requires(Permission.APPLICATION_READ_OWN)
@blp.response(200, ApplicationOut)
@blp.doc(security=SECURITY)
def my_application(ref: str) -> Any:
    """我的一件申请：状态、期限、文书"""
    return own_application(db.session, current_actor(), ref)


@blp.route("/cases", methods=["GET"])
@requires(Permission.CASE_READ)
@blp.response(200, CaseOut(many=True))
@blp.doc(security=SECURITY)
def cases() -> Any:
    """本辖区在办件，按期限排序（?status= 筛选），每页 ?size= 条；下一页的 ?cursor= 见响应头 Link 与 X-Next-Cursor"""
    return _paged(queue(db.session, current_actor(), parse_statuses(request.args.get("status")),
                        request.args.get("cursor"), size=page_size(request.args.get("size")), whole=True))


@blp.route("/cases/<int:case_id>", methods=["GET"])
@requires(Permission.CASE_READ)
@blp.response(200, CaseOut)
@blp.doc(security=SECURITY)
def case(case_id: int) -> Any:
    """一件办件"""
    return staff_case(db.session, current_actor(), case_id)


RESPONSES: dict[str, tuple[int, Any]] = {"rate": (201, RatingOut)}


def _action_route(entry: CaseAction) -> None:
    """The API route of one case action, from the registry (docs/architecture.md, "Case actions")."""
    staff = entry.audience is Audience.STAFF
    status, out = RESPONSES.get(entry.name, (200, CaseOut if staff else ApplicationOut))

    def view(body: dict[str, Any], **ids: Any) -> Any:
        ctx = context()
        if entry.materials:
            body = {**body, "files": owned_materials(ctx.actor, body.get("materials") or {})}
        if staff and entry.transition is not None:
            audited = entry.audited_as(body)
            assert audited is not None
            case, _ = attempt(audited, ids["case_id"], lambda c, a: entry.run(ctx, c, body))
            return case
        case = (staff_case(db.session, ctx.actor, ids["case_id"]) if staff
                else own_application(db.session, ctx.actor, ids["ref"]))
        result = entry.run(ctx, case, body)
        return result if entry.name in RESPONSES else case

    view.__name__ = entry.name
    view.__doc__ = entry.summary
    rule = (f"/cases/<int:case_id>/{entry.api_segment}" if staff else f"/applications/<ref>/{entry.api_segment}")
    wrapped = blp.doc(security=SECURITY)(view)
    wrapped = blp.response(status, out)(wrapped)
    wrapped = blp.arguments(entry.schema)(wrapped)
    wrapped = requires(entry.permission)(wrapped)
    blp.route(rule, methods=["POST"], endpoint=entry.name)(wrapped)


for _entry in ACTIONS.values():
    _action_route(_entry)
