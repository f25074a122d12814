"""Staff actions on a case, shared by the workbench pages and the JSON API.

A refusal that concerns a power (deciding without the second reviewer, extending twice, deciding
another town's case, approving a withdrawn case …) is itself recorded: the attempt is rolled back,
then the refusal is written and committed in its own transaction, and the error goes on to the
error handler (404 / 403 / 409).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from service_hall.cases.accountability import record_refused_attempt
from service_hall.cases.clock import CHINA
from service_hall.cases.models import Application
from service_hall.cases.queries import staff_case
from service_hall.cases.transitions import Action
from service_hall.core.errors import Conflict, NotFound, PermissionDenied
from service_hall.extensions import db
from service_hall.web.access import current_actor, now
from service_hall.web.unit_of_work import EarlyCommit, commit_early

T = TypeVar("T")
REFUSALS = (Conflict, PermissionDenied, NotFound)


def attempt(action: Action, case_id: int, do: Callable[[Application, Any], T]) -> tuple[Application, T]:
    """Load the case through the actor's jurisdiction and run ``do(case, actor)``; on a refusal record it
    (committed) and re-raise. Does not commit a success — the caller does, once."""
    actor = current_actor()
    try:
        case = staff_case(db.session, actor, case_id)
        return case, do(case, actor)
    except REFUSALS as exc:
        db.session.rollback()
        record_refused_attempt(db.session, actor=actor, now=now(), action=action, case_id=case_id, error=exc)
        commit_early(EarlyCommit.REFUSED_ATTEMPT)
        raise


def beijing(moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Template filter: a stored UTC moment as China's local time (times are shown as people lived them)."""
    return moment.astimezone(CHINA).strftime(fmt) if moment is not None else ""
