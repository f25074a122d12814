"""What the system does by itself as time passes: deemed acceptance, deadline warnings and
accountability triggers, and superseding list versions once their successor takes effect."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import events
from service_hall.cases.models import Application
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel

# More work the sweep does, registered by packages above the flow (e.g. 征求意见 reminders,
# ``service_hall.bundles.opinions``): each is called with the session, ``now`` and the calendar.
EXTRA_SWEEPS: list[Callable[[Session, dt.datetime, WorkingCalendar], Any]] = []


@dataclass
class SweepResult:
    deemed: list[Application] = field(default_factory=list)
    triggers: list[Any] = field(default_factory=list)
    superseded: list[Any] = field(default_factory=list)


def run_sweep(session: Session, *, now: dt.datetime) -> SweepResult:
    """Idempotent; safe to run from several processes at once. Does not commit."""
    from power_lists.versions import supersede_due
    from service_hall.cases.accountability import sweep_deadlines
    from service_hall.cases.intake import sweep_deemed_acceptance

    calendar = WorkingCalendar.from_session(session)
    result = SweepResult()
    result.deemed = sweep_deemed_acceptance(session, now=now, calendar=calendar)
    result.triggers = sweep_deadlines(session, now=now, calendar=calendar)
    events.swept(session, result.triggers, now=now)  # warnings and reminders to the outbox
    for county_id in session.scalars(select(Jurisdiction.id).where(Jurisdiction.level == JurisdictionLevel.COUNTY)):
        result.superseded += supersede_due(session, county_id, now=now)
    for extra in EXTRA_SWEEPS:
        extra(session, now, calendar)
    return result
