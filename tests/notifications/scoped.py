"""Objects named in the notifications URLs, for the access-matrix test (see tests/scoped_objects.py)."""

from __future__ import annotations

from typing import Any


def _outbox_message(factory: Any, app: Any) -> dict[str, Any]:
    from sqlalchemy import select

    from service_hall.extensions import db
    from service_hall.notifications.models import OutboxMessage
    from tests.factories.scoped import _case

    values = _case(factory, app)
    with app.app_context():
        message_id = db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.application_id == values["case_id"]).limit(1))
    return {"case_id": values["case_id"], "message_id": message_id}


def _attachment(keys: tuple[str, ...]) -> Any:
    def build(factory: Any, app: Any) -> dict[str, Any]:
        from service_hall.accounts.models import User
        from service_hall.cases.models import Application
        from service_hall.extensions import db, file_store
        from service_hall.notifications.operations import Attachment, post_message
        from tests.factories.clock import NOW
        from tests.factories.files import PDF
        from tests.factories.scoped import _case

        values = _case(factory, app)
        with app.app_context():
            case = db.session.get(Application, values["case_id"])
            message = post_message(db.session, case, db.session.get(User, values["applicant_id"]), {"body": "附件"},
                                   now=NOW, attachment=Attachment(PDF, "a.pdf"),
                                   store=file_store(app))
            db.session.commit()
            values["message_id"] = message.id
        return {k: values[k] for k in keys}

    return build


def builders() -> dict[str, Any]:
    from tests.factories.scoped import _approved_pick, _pick

    return {"portal_messages.post": _pick("ref"), "portal_messages.open_notice": _approved_pick("ref", "notice_id"),
            "workbench_messages.post_staff": _pick("case_id"),
            "api_notifications.my_thread": _pick("ref"), "api_notifications.my_post": _pick("ref"),
            "api_notifications.open_notice": _approved_pick("ref", "notice_id"),
            "api_notifications.staff_thread": _pick("case_id"), "api_notifications.staff_post": _pick("case_id"),
            "workbench_messages.retry": _outbox_message,
            "portal_messages.attachment": _attachment(("ref", "message_id")),
            "workbench_messages.staff_attachment": _attachment(("case_id", "message_id")),
            "api_notifications.my_attachment": _attachment(("ref", "message_id")),
            "api_notifications.staff_attachment": _attachment(("case_id", "message_id"))}


NOTIFICATIONS_UNSCOPED = {
    "webhooks.log": "webhook subscriptions are county-wide, kept by administrators",
    "webhooks.send_test": "webhook subscriptions are county-wide, kept by administrators",
    "webhooks.toggle": "webhook subscriptions are county-wide, kept by administrators",
    "notification_templates.edit": "message templates are county-wide, kept by administrators",
    "notification_templates.reset": "message templates are county-wide, kept by administrators",
}
