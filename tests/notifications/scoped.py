"""Objects named in the notifications URLs, for the access-matrix test (see tests/scoped_objects.py)."""

from __future__ import annotations

from typing import Any


def _outbox_message(factory: Any, app: Any) -> dict[str, Any]:
    from sqlalchemy import select

    from service_hall.extensions import db
    from service_hall.notifications.models import OutboxMessage
    from tests.scoped_objects import _case

    values = _case(factory, app)
    with app.app_context():
        message_id = db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.application_id == values["case_id"]).limit(1))
    return {"case_id": values["case_id"], "message_id": message_id}


def builders() -> dict[str, Any]:
    from tests.scoped_objects import _pick

    return {"portal_messages.post": _pick("ref"), "workbench_messages.post_staff": _pick("case_id"),
            "workbench_messages.retry": _outbox_message}


NOTIFICATIONS_UNSCOPED = {
    "webhooks.log": "webhook subscriptions are county-wide, kept by administrators",
    "webhooks.send_test": "webhook subscriptions are county-wide, kept by administrators",
    "webhooks.toggle": "webhook subscriptions are county-wide, kept by administrators",
}
