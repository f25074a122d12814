"""Notifications on the web (docs/notifications.md): the inbox, the account's channel choices, case
threads on the portal and the workbench, the outbox state of a case, and webhook subscriptions.

:func:`install` also tells each request's session which channels the deployment offers, and delivers
what a request wrote once its commit is done: on the RQ worker when REDIS_URL is set, otherwise the
in-app inbox at once and the external channels (email, SMS, webhooks) in a background thread, so that a
slow or broken channel never slows or fails the request.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service_hall.accounts.permissions import Permission
from service_hall.cases.queries import own_application, staff_case
from service_hall.core.base import utcnow
from service_hall.core.errors import ValidationFailed
from service_hall.extensions import db, file_store
from service_hall.notifications import operations as ops
from service_hall.notifications.channels import configure_session, offered_by
from service_hall.notifications.events import EVENT_KINDS, WRITTEN_KEY
from service_hall.notifications.models import ChannelName, MessageStatus, OutboxMessage
from service_hall.notifications.sealing import reveal
from service_hall.web.access import LOGIN, current_actor, now, requires
from service_hall.web.case_tables import has_rows
from service_hall.web.forms_util import form_values
from service_hall.web.unit_of_work import send_stored_file

inbox_bp = Blueprint("inbox", __name__)
portal_bp = Blueprint("portal_messages", __name__)
workbench_bp = Blueprint("workbench_messages", __name__)
webhooks_bp = Blueprint("webhooks", __name__)

EXTERNAL = (ChannelName.EMAIL, ChannelName.SMS, ChannelName.WEBHOOK)
_background: list[threading.Thread] = []
_background_lock = threading.Lock()


# --- delivery after commit ---------------------------------------------------------------------------

def _clock(app: Flask) -> Any:
    return lambda: app.config.get("FIXED_NOW") or utcnow()


def _offer() -> None:
    configure_session(db.session, current_app.config)


def deliver_after_commit() -> None:
    """The after-commit hook: deliver what this request wrote. Failures are logged, never raised."""
    if not db.session.info.pop(WRITTEN_KEY, False):
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    from service_hall.jobs import dispatch_outbox, enqueue_dispatch

    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        try:
            enqueue_dispatch(redis_url)
            return
        except Exception:  # Redis down: deliver here rather than lose the moment (the rows stay either way)
            app.logger.exception("could not queue the outbox delivery; delivering in-process")
    try:
        dispatch_outbox(db.session, app.config, now=_clock(app), limit=200, channels=[ChannelName.INBOX])
        external_due = db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.channel.in_(EXTERNAL), OutboxMessage.status == MessageStatus.PENDING).limit(1))
        db.session.commit()
    except Exception:
        db.session.rollback()
        app.logger.exception("inbox delivery failed; the messages stay in the outbox")
        return
    if external_due is not None:
        start_background(app)


def start_background(app: Flask) -> None:
    """Deliver the external channels in a thread of its own (one at a time per process)."""
    with _background_lock:
        if any(t.is_alive() for t in _background):
            return
        _background[:] = [threading.Thread(target=_run_external, args=(app,), daemon=True,
                                           name="outbox-delivery")]
        _background[0].start()


def _run_external(app: Flask) -> None:
    from service_hall.jobs import dispatch_outbox

    with app.app_context():
        try:
            dispatch_outbox(db.session, app.config, now=_clock(app), limit=500, channels=list(EXTERNAL))
        except Exception:
            db.session.rollback()
            app.logger.exception("outbox delivery failed; the messages stay in the outbox")


def wait_for_background(timeout: float = 30.0) -> None:
    """Wait for the delivery thread (tests, and a clean shutdown)."""
    for thread in list(_background):
        thread.join(timeout)


def install(app: Flask) -> None:
    # First of the before-request hooks: the deadline sweep that may run before a request emits too.
    app.before_request_funcs.setdefault(None, []).insert(0, _offer)
    app.extensions.setdefault("after_commit", []).append(deliver_after_commit)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(portal_bp, url_prefix="/portal")
    app.register_blueprint(workbench_bp, url_prefix="/workbench")
    app.register_blueprint(webhooks_bp, url_prefix="/admin/webhooks")
    from service_hall.web.notify_templates import bp as templates_bp

    app.register_blueprint(templates_bp, url_prefix="/admin/notification-templates")
    _document_webhooks()

    def inbox_unread() -> int:
        actor = current_actor()
        return ops.unread_count(db.session, actor) if actor is not None else 0

    def open_thread(case: Any) -> dict[str, Any]:
        """The case's thread as the viewer may see it, with what was unread; viewing marks it read."""
        actor = current_actor()
        if not has_rows(case, "messages"):
            return {"messages": [], "seen": 0, "unread": 0}
        messages = ops.thread(db.session, case, actor)
        seen = ops.last_read(db.session, case, actor)
        ops.mark_thread_read(db.session, case, actor, messages)
        return {"messages": messages, "seen": seen, "unread": sum(1 for m in messages if m.id > seen
                                                                  and m.author_id != actor.id)}

    app.jinja_env.globals.update(
        inbox_unread=inbox_unread, open_thread=open_thread,
        case_deliveries=lambda case: ops.deliveries_for(db.session, case) if has_rows(case, "outbox") else [],
        notice_receipts=lambda case: ops.receipts_for(db.session, case),
        pending_decisions=lambda case: ops.pending_decisions(db.session, case),
        sms_offered=lambda: ChannelName.SMS in offered_by(current_app.config))


def _document_webhooks() -> None:
    """The webhook payload in the OpenAPI document: a component, and every event under ``x-webhooks``
    (OpenAPI 3.0 has no top-level webhooks; 3.1's ``webhooks`` has the same shape)."""
    from apispec.exceptions import DuplicateComponentNameError

    from service_hall.extensions import api
    from service_hall.notifications.schemas import WebhookPayload

    with contextlib.suppress(DuplicateComponentNameError):  # another app of the same process registered it
        api.spec.components.schema("WebhookPayload", schema=WebhookPayload)
    headers = {name: {"schema": {"type": "string"}, "description": text} for name, text in (
        ("X-Hall-Event", "事件类型"), ("X-Hall-Event-Id", "事件唯一标识（重试不变）"),
        ("X-Hall-Timestamp", "签名时间（Unix 秒）"),
        ("X-Hall-Signature", "sha256=HMAC-SHA256(密钥, 时间戳 + \".\" + 请求体) 的十六进制"))}
    api.spec.options["x-webhooks"] = {kind: {"post": {
        "summary": f"事件推送：{kind}", "description": "管理员在 /admin/webhooks/ 订阅；失败按退避重试，不跟随重定向。",
        "parameters": [{"in": "header", "name": n, "required": True, **h} for n, h in headers.items()],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/WebhookPayload"}}}},
        "responses": {"2XX": {"description": "订阅方已接收"}}}} for kind in EVENT_KINDS}


# --- inbox and account -------------------------------------------------------------------------------

@inbox_bp.get("/inbox")
@requires(LOGIN)
def index() -> Any:
    actor = current_actor()
    return render_template("notifications/inbox.html", items=ops.inbox(db.session, actor))


@inbox_bp.get("/inbox/<int:item_id>")
@requires(LOGIN)
def item(item_id: int) -> Any:
    actor = current_actor()
    found = ops.open_item(db.session, actor, item_id, now=now())
    return render_template("notifications/item.html", item=found, body=reveal(found.body, now=now()),
                           case_link=_case_link(found))


def _case_link(found: Any) -> str | None:
    if found.application_id is None:
        return None
    actor = current_actor()
    if actor.is_staff:
        return url_for("workbench.case", case_id=found.application_id)
    from service_hall.cases.models import Application

    case = db.session.get(Application, found.application_id)
    return url_for("portal.application", ref=case.ref) if case is not None else None


@inbox_bp.post("/inbox/read-all")
@requires(LOGIN)
def read_all() -> Any:
    count = ops.mark_all_read(db.session, current_actor(), now=now())
    flash(f"已将 {count} 条消息标为已读")
    return redirect(url_for("inbox.index"))


@inbox_bp.route("/account/notifications", methods=["GET", "POST"])
@requires(LOGIN)
def preferences() -> Any:
    actor = current_actor()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            ops.set_preferences(db.session, actor, request.form, now=now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.details or {"_schema": exc.message}
        else:
            flash("通知方式已保存")
            return redirect(url_for("inbox.preferences"))
    pref = ops.preference_of(db.session, actor)
    offered = offered_by(current_app.config)
    values = form_values() if errors else {"email": pref.email or ""}
    return render_template("notifications/preferences.html", pref=pref, errors=errors, values=values,
                           email_offered=ChannelName.EMAIL in offered,
                           # SMS goes to applicants only (补正, 期限将至, 办理结果).
                           sms_offered=ChannelName.SMS in offered and not actor.is_staff), (422 if errors else 200)


# --- case threads ------------------------------------------------------------------------------------

def _post(case: Any, back: str) -> Any:
    upload = request.files.get("file")
    attachment = ops.Attachment(upload.read(), upload.filename or "附件") if upload and upload.filename else None
    try:
        ops.post_message(db.session, case, current_actor(), request.form, now=now(), attachment=attachment,
                         store=file_store())
    except ValidationFailed as exc:
        db.session.rollback()
        flash("留言未发送：" + "；".join((exc.details or {"_": exc.message}).values()))
        return redirect(back + "#thread"), 303
    flash("留言已发送")
    return redirect(back + "#thread")


@portal_bp.post("/applications/<ref>/messages")
@requires(Permission.APPLICATION_READ_OWN)
def post(ref: str) -> Any:
    case = own_application(db.session, current_actor(), ref)
    return _post(case, url_for("portal.application", ref=case.ref))


@workbench_bp.post("/cases/<int:case_id>/messages")
@requires(Permission.CASE_READ)
def post_staff(case_id: int) -> Any:
    case = staff_case(db.session, current_actor(), case_id)
    return _post(case, url_for("workbench.case", case_id=case.id))


@portal_bp.post("/applications/<ref>/notices/<int:notice_id>/open")
@requires(Permission.APPLICATION_READ_OWN)
def open_notice(ref: str, notice_id: int) -> Any:
    """查收: the applicant opens a decision waiting on the case page; its receipt is recorded (电子送达)."""
    actor = current_actor()
    case = own_application(db.session, actor, ref)
    notice = ops.open_notice(db.session, case, actor, notice_id, now=now())
    flash(f"您已查收{notice.kind.label}（{notice.number}），查收时间即送达时间")
    return redirect(url_for("portal.application", ref=case.ref) + "#notices")


@portal_bp.get("/applications/<ref>/messages/<int:message_id>/file")
@requires(Permission.APPLICATION_READ_OWN)
def attachment(ref: str, message_id: int) -> Any:
    actor = current_actor()
    case = own_application(db.session, actor, ref)
    return send_stored_file(ops.message_attachment(db.session, case, actor, message_id))


@workbench_bp.get("/cases/<int:case_id>/messages/<int:message_id>/file")
@requires(Permission.CASE_READ)
def staff_attachment(case_id: int, message_id: int) -> Any:
    actor = current_actor()
    case = staff_case(db.session, actor, case_id)
    return send_stored_file(ops.message_attachment(db.session, case, actor, message_id))


@workbench_bp.post("/cases/<int:case_id>/outbox/<int:message_id>/retry")
@requires(Permission.CASE_READ)
def retry(case_id: int, message_id: int) -> Any:
    case = staff_case(db.session, current_actor(), case_id)
    message = ops.outbox_message(db.session, case, message_id)
    try:
        ops.retry_message(db.session, message, actor=current_actor(), now=now())
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message)
        return redirect(url_for("workbench.case", case_id=case.id) + "#outbox"), 303
    flash("已重新加入发送队列")
    return redirect(url_for("workbench.case", case_id=case.id) + "#outbox")


# --- webhooks (administrators) -----------------------------------------------------------------------

@webhooks_bp.route("/", methods=["GET", "POST"])
@requires(Permission.WEBHOOK_MANAGE)
def subscriptions() -> Any:
    errors: dict[str, str] = {}
    created = None
    if request.method == "POST":
        try:
            created = ops.subscribe(db.session, request.form, actor=current_actor(), now=now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.details or {"_schema": exc.message}
    status = 422 if errors else (201 if created else 200)
    return render_template("notifications/webhooks.html", subs=ops.subscriptions(db.session), errors=errors,
                           values=form_values() if errors else {}, created=created, event_kinds=EVENT_KINDS,
                           chosen=request.form.getlist("events") if errors else []), status


@webhooks_bp.get("/<int:subscription_id>")
@requires(Permission.WEBHOOK_MANAGE)
def log(subscription_id: int) -> Any:
    sub = ops.subscription(db.session, subscription_id)
    return render_template("notifications/webhook_log.html", sub=sub, log=ops.webhook_log(db.session, sub))


@webhooks_bp.post("/<int:subscription_id>/test")
@requires(Permission.WEBHOOK_MANAGE)
def send_test(subscription_id: int) -> Any:
    sub = ops.subscription(db.session, subscription_id)
    ops.send_test(db.session, sub, actor=current_actor(), now=now())
    flash("测试事件已加入发送队列，稍后在下方推送记录中查看结果")
    return redirect(url_for("webhooks.log", subscription_id=sub.id))


@webhooks_bp.post("/<int:subscription_id>/active")
@requires(Permission.WEBHOOK_MANAGE)
def toggle(subscription_id: int) -> Any:
    sub = ops.subscription(db.session, subscription_id)
    active = request.form.get("active") == "1"
    ops.set_active(db.session, sub, active, actor=current_actor(), now=now())
    flash("订阅已恢复" if active else "订阅已暂停")
    return redirect(url_for("webhooks.subscriptions"))
