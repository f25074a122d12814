"""Building the Context that domain operations take, for tests that call them directly."""

from __future__ import annotations

import datetime as dt
from typing import Any

from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases.context import CaseSettings, Context
from service_hall.certificates.service import offline_context
from service_hall.extensions import db


def ctx_for(actor: Any, now: dt.datetime, *, calendar: WorkingCalendar | None = None,
            rectification_days: int = 5, follow_up_check_days: int = 20, documents: Any = None) -> Context:
    """The Context of ``actor`` at ``now`` on the test app's session (inside an app context)."""
    return offline_context(db.session, actor, now, calendar=calendar, documents=documents,
                           settings=CaseSettings(follow_up_check_days=follow_up_check_days,
                                                 rectification_days=rectification_days))
