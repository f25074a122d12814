"""Loading cases through their owner or jurisdiction, so an id in a URL cannot reach others' records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, exists, inspect, literal_column, select
from sqlalchemy.orm import Session, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from service_hall.accounts.models import User
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases.clock import local_date
from service_hall.cases.list_rows import APPLICANT_NAME, LIST_ROW, WHOLE_ROW, load_running_pauses
from service_hall.cases.models import Application, ApplicationMaterial, CaseStatus
from service_hall.core.errors import NotFound
from service_hall.core.pagination import PAGE_SIZE, Page, keyset_page
from service_hall.files.models import ApplicantFile
from service_hall.jurisdictions.operations import visible_jurisdiction_ids


def own_application(session: Session, applicant: User, ref: str) -> Application:
    """An applicant's own application by its public reference. Raises NotFound for anyone else's."""
    case = session.scalar(select(Application).where(Application.ref == ref))
    if case is None or case.applicant_id != applicant.id:
        raise NotFound("未找到该申请")
    return case


# The case's collections a case page shows (docs/architecture.md, "Lists at scale"): most cases have
# none of many of them, so one statement asks which have rows and only those are read.
PAGE_COLLECTIONS = ("notices", "materials", "corrections", "pauses", "reviews", "checks", "deliveries", "triggers",
                    "ratings")


def load_for_page(session: Session, case: Application) -> Application:
    """Load what the case pages show of ``case``: its collections that have rows (the empty ones set
    without a read), the materials with their files. Returns the case."""
    state = inspect(case)
    wanted = [name for name in PAGE_COLLECTIONS if name in state.unloaded]
    if not wanted:
        return case
    relationships = Application.__mapper__.relationships
    present = session.execute(select(*[
        exists().where(relationships[name].entity.class_.application_id == case.id).label(name)
        for name in wanted])).one()
    for name in wanted:
        if not getattr(present, name):
            set_committed_value(case, name, [])
    if "materials" in wanted and present.materials:
        set_committed_value(case, "materials", list(session.scalars(
            select(ApplicationMaterial).where(ApplicationMaterial.application_id == case.id)
            .options(joinedload(ApplicationMaterial.file).joinedload(ApplicantFile.blob))
            .order_by(ApplicationMaterial.id))))
    return case


def own_applications(session: Session, applicant: User, cursor: str | None = None, *,
                     size: int = PAGE_SIZE, whole: bool = False) -> Page[Application]:
    """A page of the applicant's applications, newest first (index ``ix_applications_applicant_created``);
    ``whole``: each case with everything its JSON prints (``list_rows.WHOLE_ROW``)."""
    stmt = (select(Application).where(Application.applicant_id == applicant.id)
            .options(*(WHOLE_ROW if whole else LIST_ROW)))
    return keyset_page(session, stmt, [Application.created_at, Application.id], cursor, size=size, descending=True)


def staff_case(session: Session, staff: User, case_id: int) -> Application:
    """A case in the staff member's jurisdiction. Raises NotFound otherwise (existence must not leak)."""
    case = session.get(Application, case_id)
    if case is None or case.town_id not in visible_jurisdiction_ids(session, staff):
        raise NotFound("未找到该办件")
    return case


# A bundle item waiting for another item's result is open too (its clock not yet running; migration 0027).
OPEN = [CaseStatus.AWAITING_PREREQUISITE, CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED, CaseStatus.ACCEPTED,
        CaseStatus.SPECIAL_PROCEDURE, CaseStatus.REVIEWED, CaseStatus.APPROVED]


# The queue's sort key: the running deadline (intake for a submitted case, otherwise the promised limit),
# cases without one last. Spelled as SQL so it matches the expression of the partial indexes of open cases
# (migration 0016) character for character; docs/architecture.md, "Lists at scale".
QUEUE_KEY_SQL = ("COALESCE(CASE WHEN applications.status = 'submitted' THEN applications.intake_due_on "
                 "ELSE applications.due_on END, '9999-12-31')")
QUEUE_KEY = literal_column(QUEUE_KEY_SQL, type_=Date)


def queue(session: Session, staff: User, statuses: list[CaseStatus] | None = None, cursor: str | None = None, *,
          size: int = PAGE_SIZE, by_number: bool = False, whole: bool = False) -> Page[Application]:
    """A page of the open cases of the staff member's towns, the nearest deadline first (or by case
    number), read from the partial indexes of open cases; applicants loaded with it, and the clock pauses of
    the cases in a special procedure; ``whole``: each case with everything its JSON prints
    (``list_rows.WHOLE_ROW``)."""
    towns = visible_jurisdiction_ids(session, staff)
    wanted = [s for s in statuses if s in OPEN] if statuses else OPEN
    if not wanted:  # a closed status: the queue holds none of those
        return Page(rows=[], next=None, prev=None)
    stmt = (select(Application).where(Application.town_id.in_(towns), Application.status.in_(wanted))
            .options(*(WHOLE_ROW if whole else (*LIST_ROW, APPLICANT_NAME))))
    keys = [Application.case_number, Application.id] if by_number else [QUEUE_KEY, Application.id]
    page = keyset_page(session, stmt, keys, cursor, size=size)
    if not whole:
        load_running_pauses(session, page.rows)
    return page


def current_deadline(case: Application) -> dt.date | None:
    if case.status == CaseStatus.SUBMITTED:
        return case.intake_due_on
    if case.status in {CaseStatus.ACCEPTED, CaseStatus.SPECIAL_PROCEDURE, CaseStatus.REVIEWED}:
        return case.due_on
    return None


def deadline_state(case: Application, calendar: WorkingCalendar, now: dt.datetime) -> tuple[str | None, int | None]:
    """(colour, working days left) for the case's running deadline — intake, decision, or for an approved
    case the delivery of its certificate (送达期限); (None, None) when no clock runs."""
    due = current_deadline(case)
    if case.status == CaseStatus.APPROVED:
        from service_hall.cases.accountability import delivery_due_on

        due = delivery_due_on(case, calendar)
    if due is None:
        return None, None
    today = local_date(now)
    colour = calendar.deadline_colour(due, today)
    left = calendar.days_left(due, today)
    return colour, left


def submitted_values(session: Session, case: Application) -> list[Any]:
    """The application's form values as labelled rows (see ``forms.display``)."""
    from forms.display import display_rows
    from power_lists.item_forms import pinned_form

    return display_rows(pinned_form(session, case.form_definition_id, case.power_item), case.data or {})


def case_history(session: Session, case: Application) -> tuple[list[Any], dict[int, User]]:
    """The case's audit records in order, and the accounts that acted in them."""
    from service_hall.audit.models import AuditRecord

    records = list(session.scalars(select(AuditRecord).where(AuditRecord.object_type == "application",
                                                             AuditRecord.object_id == str(case.id))
                                   .order_by(AuditRecord.seq)))
    ids = {r.actor_id for r in records if r.actor_id}
    # The page prints their names: their extra roles load only if something asks for them.
    actors = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids))
                                               .options(lazyload(User.extra_roles)))} if ids else {}
    return records, actors


def parse_statuses(raw: str | None) -> list[CaseStatus] | None:
    """A ``?status=`` filter: the one status named, or None (every open status) for anything else."""
    return [CaseStatus(raw)] if raw in {s.value for s in CaseStatus} else None
