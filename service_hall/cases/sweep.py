"""What the system does by itself as time passes: deemed acceptance, deadline warnings and
accountability triggers, and superseding list versions once their successor takes effect."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import events
from service_hall.cases.models import Application
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel

# More work the sweep does, registered by packages above the flow (e.g. 征求意见 reminders,
# ``service_hall.bundles.opinions``): each is called with the session, ``now`` and the calendar.
EXTRA_SWEEPS: list[Callable[[Session, dt.datetime, WorkingCalendar], Any]] = []


# The transaction-level advisory lock that lets one sweep run at a time on PostgreSQL (any fixed number
# the application uses for nothing else).
SWEEP_LOCK = 7_330_199


@dataclass
class SweepResult:
    deemed: list[Application] = field(default_factory=list)
    triggers: list[Any] = field(default_factory=list)
    superseded: list[Any] = field(default_factory=list)
    skipped: bool = False  # another process was sweeping: this round did nothing


def _claim(session: Session) -> bool:
    """Whether this transaction may sweep. On PostgreSQL one sweep at a time holds an advisory lock to
    its commit: two rounds over the same rows (the cases they deem accepted, the daily figures and the
    audit head they update) would otherwise wait on each other's row locks in different orders and
    deadlock. The round that doesn't get it skips; the next round comes a minute later. SQLite
    serialises writers by itself."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SWEEP_LOCK}))


def run_sweep(session: Session, *, now: dt.datetime) -> SweepResult:
    """Idempotent; several processes may call it at once — one sweeps, the others skip (``skipped``).
    Does not commit."""
    from power_lists.versions import supersede_due
    from service_hall.cases.accountability import sweep_deadlines
    from service_hall.cases.intake import sweep_deemed_acceptance

    result = SweepResult()
    if not _claim(session):
        result.skipped = True
        return result
    calendar = WorkingCalendar.from_session(session)
    result.deemed = sweep_deemed_acceptance(session, now=now, calendar=calendar)
    result.triggers = sweep_deadlines(session, now=now, calendar=calendar)
    events.swept(session, result.triggers, now=now)  # warnings and reminders to the outbox
    for county_id in session.scalars(select(Jurisdiction.id).where(Jurisdiction.level == JurisdictionLevel.COUNTY)):
        result.superseded += supersede_due(session, county_id, now=now)
    for extra in EXTRA_SWEEPS:
        extra(session, now, calendar)
    return result
