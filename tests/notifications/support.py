"""Helpers of the notification tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from service_hall.cases.models import Application
from service_hall.extensions import db
from service_hall.notifications.models import InboxItem, OutboxMessage
from service_hall.web.notify import wait_for_background
from tests.factories.web import apply_online, login, post_form


def submit_case(app: Any, client: Any, mobile: str = "13900000001") -> Application:
    login(client, mobile)
    apply_online(client)
    wait_for_background()
    with app.app_context():
        case = db.session.scalars(select(Application).order_by(Application.id.desc())).first()
        db.session.expunge(case)
        return case


def staff_client(app: Any, username: str) -> Any:
    client = app.test_client()
    login(client, username)
    return client


def act(client: Any, case: Application, action: str, data: dict[str, Any] | None = None) -> Any:
    resp = post_form(client, f"/workbench/cases/{case.id}", {**(data or {})},
                     action=f"/workbench/cases/{case.id}/{action}")
    wait_for_background()
    return resp


def inbox_titles(app: Any, user_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(InboxItem.title).where(InboxItem.user_id == user_id)
                                       .order_by(InboxItem.id)))


def outbox(app: Any, **where: Any) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for key, value in where.items():
            query = query.where(getattr(OutboxMessage, key) == value)
        rows = list(db.session.scalars(query))
        for r in rows:
            _ = r.event
            db.session.expunge(r)
        return rows


def dispatch(app: Any, at: dt.datetime | None = None) -> dict[str, int]:
    """Run one delivery pass like the worker, at ``at`` (default: the app's clock)."""
    from service_hall.jobs import dispatch_outbox

    wait_for_background()
    with app.app_context():
        clock = (lambda: at) if at else (lambda: app.config.get("FIXED_NOW") or dt.datetime.now(dt.UTC))
        return dispatch_outbox(db.session, app.config, now=clock)
