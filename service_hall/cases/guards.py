"""A closed town (撤销或撤并) takes no new applications, whichever way they arrive (portal, window, API).

Checked when a new application is written, so no entry point can forget it; the pages also stop
offering closed towns (``service_hall.jurisdictions.operations.towns``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from service_hall.core.base import utcnow
from service_hall.core.errors import Conflict
from service_hall.jurisdictions.imports import local_date
from service_hall.jurisdictions.models import Jurisdiction


class TownClosed(Conflict):
    """The town was abolished or merged before this application."""


def _refuse_applications_in_closed_towns(session: Session, flush_context: Any, instances: Any) -> None:
    from service_hall.cases.models import Application

    for obj in session.new:
        if not isinstance(obj, Application):
            continue
        with session.no_autoflush:
            town = obj.town or (session.get(Jurisdiction, obj.town_id) if obj.town_id else None)
        if town is None or town.closed_on is None:
            continue
        if not town.is_open_on(local_date(obj.created_at or utcnow())):
            note = f"（{town.closed_note}）" if town.closed_note else ""
            raise TownClosed(f"{town.name}已于 {town.closed_on} 撤销{note}，不再受理新的申请，"
                             "请到现所属乡镇（街道）办理")


def install() -> None:
    """Register the check on every session (idempotent)."""
    if not event.contains(Session, "before_flush", _refuse_applications_in_closed_towns):
        event.listen(Session, "before_flush", _refuse_applications_in_closed_towns)


install()
