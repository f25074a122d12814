"""What a list row of cases loads with its page (docs/architecture.md, "Lists at scale")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, defer, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.interfaces import ORMOption

from power_lists.models import PowerItem
from service_hall.accounts.models import User
from service_hall.cases.models import Application, CaseStatus, ClockPause
from service_hall.jurisdictions.models import Jurisdiction

# What a list row of cases prints, joined by primary key into the page's own statement (docs/architecture.md,
# "Lists at scale"): the item's power type (for the status label), the town's name, the applicant's name;
# the form values and the signed pledge text stay in the database.
LIST_ROW = (
    defer(Application.data), defer(Application.pledge_text),
    joinedload(Application.power_item, innerjoin=True).load_only(PowerItem.id, PowerItem.power_type),
    joinedload(Application.town, innerjoin=True).load_only(Jurisdiction.id, Jurisdiction.code, Jurisdiction.name),
)
APPLICANT_NAME: ORMOption = (joinedload(Application.applicant, innerjoin=True)
                             .load_only(User.id, User.real_name, User.organisation_name)
                             .lazyload(User.extra_roles))
# What the JSON lists print of each case — the whole case, as ``GET /api/v1/cases/<id>`` does, with the
# actions open to the caller: every column, the item and the town, and each collection the case's JSON and
# its allowed actions read, one statement per table for the whole page.
WHOLE_ROW = (
    selectinload(Application.power_item), joinedload(Application.town, innerjoin=True),
    selectinload(Application.materials), selectinload(Application.corrections), selectinload(Application.notices),
    selectinload(Application.pauses), selectinload(Application.deliveries), selectinload(Application.reviews),
    selectinload(Application.checks), selectinload(Application.triggers), selectinload(Application.ratings),
)


def running_pauses(session: Session, cases: Sequence[Any]) -> dict[int, list[ClockPause]]:
    """By case id, the clock pauses of those of ``cases`` (objects or rows with ``id`` and ``status``) whose
    special procedure runs, in one statement, and none when there is no such case: a list computes the
    limits from the pauses only while the clock stands (``accountability.current_limits``); the other
    cases' stored limits already count their past pauses."""
    found: dict[int, list[ClockPause]] = {c.id: [] for c in cases if c.status is CaseStatus.SPECIAL_PROCEDURE}
    if found:
        for pause in session.scalars(select(ClockPause).where(ClockPause.application_id.in_(found))
                                     .order_by(ClockPause.id)):
            found[pause.application_id].append(pause)
    return found


def load_running_pauses(session: Session, cases: Sequence[Application]) -> None:
    """Set the pauses of the page's cases whose special procedure runs (:func:`running_pauses`)."""
    unloaded = {c.id: c for c in cases if "pauses" in inspect(c).unloaded}
    for case_id, pauses in running_pauses(session, list(unloaded.values())).items():
        set_committed_value(unloaded[case_id], "pauses", pauses)
