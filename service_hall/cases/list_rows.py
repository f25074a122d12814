"""What a list row of cases loads with its page (docs/architecture.md, "Lists at scale")."""

from __future__ import annotations

from collections.abc import Sequence

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


def load_running_pauses(session: Session, cases: Sequence[Application]) -> None:
    """Load the clock pauses of the page's cases whose special procedure runs, in one statement, and none
    when no such case is on the page: a list computes the limits from the pauses only while the clock stands
    (``accountability.current_limits``); the other cases' stored limits already count their past pauses."""
    paused = {c.id: c for c in cases if c.status is CaseStatus.SPECIAL_PROCEDURE and "pauses" in inspect(c).unloaded}
    if not paused:
        return
    found: dict[int, list[ClockPause]] = {case_id: [] for case_id in paused}
    for pause in session.scalars(select(ClockPause).where(ClockPause.application_id.in_(paused))
                                 .order_by(ClockPause.id)):
        found[pause.application_id].append(pause)
    for case_id, case in paused.items():
        set_committed_value(case, "pauses", found[case_id])
