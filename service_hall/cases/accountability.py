"""追责情形: events that match an accountability situation of the case's pinned item, detected by the
daily sweep and at the action; refused attempts at a power, recorded even though the attempt is undone.

All functions take the session, the acting user and ``now``; none commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, literal, or_, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from power_lists.models import PowerItem, PowerType
from service_hall.accounts.models import User
from service_hall.audit.models import AuditRecord
from service_hall.audit.trail import record
from service_hall.calendar.working_days import YELLOW_WORKING_DAYS, DeadlineColour, WorkingCalendar
from service_hall.cases.clock import CHINA, local_date
from service_hall.cases.list_rows import running_pauses
from service_hall.cases.models import (
    AccountabilityTrigger,
    Application,
    CaseStatus,
    CheckResult,
    ClockPause,
    FollowUpCheck,
    Notice,
    NoticeKind,
    PauseKind,
    TriggerSeverity,
)
from service_hall.cases.procedures import status_label_for
from service_hall.cases.transitions import Action
from service_hall.core.errors import DomainError, NotFound, ValidationFailed
from service_hall.core.pagination import PAGE_SIZE, Page, keyset_page
from service_hall.jurisdictions.models import Jurisdiction
from service_hall.jurisdictions.operations import visible_jurisdiction_ids

# 行政许可法 第四十四条: the certificate within 10 working days of the decision to approve.
DELIVERY_DAYS = 10


@dataclass(frozen=True)
class TriggerKind:
    """An event the system detects, the 追责情形 code it matches in the item's list, and the law's
    default wording when the item's list does not name that code."""

    code: str
    severity: TriggerSeverity
    situation: str
    basis: str


LAW = "《中华人民共和国行政许可法》"
TRIGGER_KINDS: dict[str, TriggerKind] = {
    "overdue_promised": TriggerKind(
        "overdue_promised", TriggerSeverity.WARNING, "超过承诺办结时限仍未作出决定", "政务服务承诺办结时限制度"),
    "late_decision": TriggerKind(
        "late_decision", TriggerSeverity.ACCOUNTABILITY, "未在法定期限内作出行政许可决定",
        f"{LAW}第四十二条、第七十四条第（二）项"),
    "second_correction": TriggerKind(
        "no_one_time_notice", TriggerSeverity.ACCOUNTABILITY,
        "申请材料不齐全或者不符合法定形式，未一次告知申请人必须补正的全部内容",
        f"{LAW}第三十二条、第七十二条第（四）项"),
    "late_correction": TriggerKind(
        "no_one_time_notice", TriggerSeverity.ACCOUNTABILITY,
        "申请材料不齐全或者不符合法定形式，未在五日内一次告知申请人必须补正的全部内容",
        f"{LAW}第三十二条、第七十二条第（四）项"),
    "refuse_after_deemed_acceptance": TriggerKind(
        "refused_valid_application", TriggerSeverity.ACCOUNTABILITY, "对符合法定条件的行政许可申请不予受理",
        f"{LAW}第三十二条、第七十二条第（一）项"),
    "late_delivery": TriggerKind(
        "late_delivery", TriggerSeverity.ACCOUNTABILITY, "未在作出准予许可决定之日起十日内颁发、送达行政许可证件",
        f"{LAW}第四十四条"),
    "deferred_overdue": TriggerKind(
        "deferred_overdue", TriggerSeverity.WARNING, "容缺受理后，申请人逾期未补交承诺补正的材料",
        "容缺受理承诺书（逾期未补交的，依法作出不予许可决定或终止办理）"),
    "follow_up_check_overdue": TriggerKind(
        "follow_up_check_overdue", TriggerSeverity.ACCOUNTABILITY, "未按期对告知承诺事项开展事后核查",
        "国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见"),
}
KIND_LABELS = {
    "overdue_promised": "超承诺时限", "late_decision": "超法定时限", "second_correction": "再次要求补正",
    "late_correction": "逾期要求补正", "refuse_after_deemed_acceptance": "视为受理后拒绝受理",
    "late_delivery": "逾期送达", "follow_up_check_overdue": "事后核查逾期", "deferred_overdue": "容缺材料逾期未补",
}


def raise_trigger(session: Session, case: Application, kind: str, *, now: dt.datetime,
                  detail: str) -> AccountabilityTrigger | None:
    """Raise the 追责情形 ``kind`` on ``case`` once (a second call returns None). The code, situation and
    basis come from the case's pinned item when its list names the code. Raises KeyError (unknown kind)."""

    spec = TRIGGER_KINDS[kind]
    existing = session.scalar(select(AccountabilityTrigger).where(
        AccountabilityTrigger.application_id == case.id, AccountabilityTrigger.kind == kind))
    if existing is not None:
        return None
    listed = case.power_item.accountability_case(spec.code)
    trigger = AccountabilityTrigger(
        application_id=case.id, town_id=case.town_id, kind=kind, severity=spec.severity, code=spec.code,
        situation=(listed or {}).get("situation") or spec.situation, basis=(listed or {}).get("basis") or spec.basis,
        listed=listed is not None, detail=detail, raised_at=now)
    try:
        # Two sweeps at once (several workers) may race for the same trigger: the loser yields.
        with session.begin_nested():
            session.add(trigger)
            session.flush()
    except IntegrityError:
        return None
    record(session, actor=None, action="accountability.raise", object_type="application", object_id=case.id,
           now=now, jurisdiction_id=case.town_id, reason=detail,
           payload={"trigger": trigger.id, "kind": kind, "code": trigger.code})
    return trigger


def refusal_triggers(case: Application, action: Action, now: dt.datetime) -> list[tuple[str, str]]:
    """The 追责情形 that an attempt refused by the table reveals: (kind, detail) pairs."""
    today = local_date(now)
    found: list[tuple[str, str]] = []
    if action is Action.REQUEST_CORRECTION:
        if case.corrections:
            found.append(("second_correction", f"{today} 试图对已一次性告知补正的申请再次要求补正"))
        elif case.deemed_accepted or (case.intake_due_on is not None and today > case.intake_due_on):
            found.append(("late_correction",
                          f"{today} 试图在五个工作日受理审查期限（至 {case.intake_due_on}）届满后要求补正"))
    late = case.intake_due_on is not None and today > case.intake_due_on
    if action is Action.REFUSE and (case.deemed_accepted or (case.status == CaseStatus.SUBMITTED and late)):
        found.append(("refuse_after_deemed_acceptance", f"{today} 试图对依法视为受理的申请作出不予受理决定"))
    return found


def record_refused_attempt(session: Session, *, actor: User | None, now: dt.datetime, action: Action,
                           case_id: int | None, error: DomainError) -> AuditRecord:
    """Record that ``actor`` tried ``action`` on a case and was refused, with the reason given to them.

    Call it after rolling back the attempt, then commit: the refusal stands although the change did not.
    A case outside the actor's jurisdiction is recorded under the actor's own jurisdiction, so the
    record reveals nothing about the other town. Raises nothing of its own.
    """
    case = session.get(Application, case_id) if case_id is not None else None
    visible = case is not None and actor is not None and case.town_id in visible_jurisdiction_ids(session, actor)
    rec = record(session, actor=actor, action="case.refused_attempt", object_type="application",
                 object_id=case_id if case_id is not None else "-", now=now,
                 jurisdiction_id=case.town_id if visible and case is not None else None,
                 from_state=case.status.value if visible and case is not None else None, reason=error.message,
                 payload={"attempted": action.value, "status": error.status})
    if visible and case is not None:
        for kind, detail in refusal_triggers(case, action, now):
            raise_trigger(session, case, kind, now=now, detail=detail)
    return rec


DECISION_CLOCK = (CaseStatus.ACCEPTED, CaseStatus.SPECIAL_PROCEDURE, CaseStatus.REVIEWED)


def refresh_deadlines(case: Application, calendar: WorkingCalendar, today: dt.date) -> None:
    """Recompute the promised and statutory last days from acceptance, leaving out every special
    procedure (a running one counts up to ``today``) and adding an approved extension."""
    if case.accepted_on is None:
        return
    pauses = [(p.started_on, p.ended_on) for p in case.pauses if p.kind != PauseKind.CORRECTION]
    promised = calendar.add_working_days_with_pauses(case.accepted_on, case.promised_days, pauses, today=today)
    statutory = calendar.add_working_days_with_pauses(case.accepted_on, case.statutory_days + case.extension_days,
                                                      pauses, today=today)
    case.due_on = promised.due
    case.statutory_due_on = statutory.due
    case.deadline_provisional = promised.provisional or statutory.provisional


def current_limits(case: Application | WatchedCase, calendar: WorkingCalendar,
                   today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """(promised, statutory) last days as of ``today``: the stored ones, or — while a special procedure
    runs — the earliest they can be, the pause counted up to today."""
    if case.status != CaseStatus.SPECIAL_PROCEDURE or case.accepted_on is None:
        return case.due_on, case.statutory_due_on
    pauses = [(p.started_on, p.ended_on) for p in case.pauses if p.kind != PauseKind.CORRECTION]
    promised = calendar.add_working_days_with_pauses(case.accepted_on, case.promised_days, pauses, today=today)
    statutory = calendar.add_working_days_with_pauses(case.accepted_on, case.statutory_days + case.extension_days,
                                                      pauses, today=today)
    return promised.due, statutory.due


def check_decision_timing(session: Session, case: Application, *, now: dt.datetime) -> None:
    """At a decision: raise the warning / 追责情形 if it comes after the promised / statutory last day."""
    today = local_date(now)
    if case.due_on is not None and today > case.due_on:
        raise_trigger(session, case, "overdue_promised", now=now,
                      detail=f"承诺办结期限 {case.due_on}，{today} 仍未办结")
    if case.statutory_due_on is not None and today > case.statutory_due_on:
        raise_trigger(session, case, "late_decision", now=now,
                      detail=f"法定办结期限 {case.statutory_due_on}，{today} 仍未作出决定")


def delivery_due_on(case: Application, calendar: WorkingCalendar) -> dt.date | None:
    return delivery_due_after(case.decided_at, calendar)


def delivery_due_after(decided_at: dt.datetime | None, calendar: WorkingCalendar) -> dt.date | None:
    """送达期限 of a decision made at ``decided_at``: ten working days after the decision day."""
    if decided_at is None:
        return None
    return calendar.add_working_days(local_date(decided_at), DELIVERY_DAYS).due


def _has_trigger(kind: str) -> Any:
    """SQL: the case already has the trigger ``kind``."""
    return (select(AccountabilityTrigger.id).where(AccountabilityTrigger.application_id == Application.id,
                                                   AccountabilityTrigger.kind == kind).exists())


def sweep_deadlines(session: Session, *, now: dt.datetime, calendar: WorkingCalendar) -> list[AccountabilityTrigger]:
    """Daily sweep: raise the warnings and
    追责情形 of cases past their promised or statutory limit, deferred (容缺) materials not supplied in time,
    approvals not delivered within 10 working days and follow-up checks past due. Idempotent (each kind
    once per case). Raises nothing of its own."""
    today = local_date(now)
    raised: list[AccountabilityTrigger] = []

    def add(case: Application, kind: str, detail: str) -> None:
        trigger = raise_trigger(session, case, kind, now=now, detail=detail)
        if trigger is not None:
            raised.append(trigger)

    # Only cases past a stored limit (a running special procedure only moves a limit later, so the stored
    # one finds every candidate) and still missing one of the two triggers: the partial indexes of
    # clock-running cases serve it, and a case already raised is not loaded again each round.
    for case in session.scalars(select(Application).where(
            Application.status.in_(DECISION_CLOCK),
            or_(and_(Application.due_on < today, ~_has_trigger("overdue_promised")),
                and_(Application.statutory_due_on < today, ~_has_trigger("late_decision"))))
            .options(selectinload(Application.pauses)).order_by(Application.id)):
        # Read-only on the case: a running special procedure moves the limits every day, and storing that
        # would make every open page of the case stale.
        promised, statutory = current_limits(case, calendar, today)
        if promised is not None and today > promised:
            add(case, "overdue_promised", f"承诺办结期限 {promised}，截至 {today} 仍未办结")
        if statutory is not None and today > statutory:
            add(case, "late_decision", f"法定办结期限 {statutory}，截至 {today} 仍未作出决定")
    for case in session.scalars(select(Application).where(Application.status.in_(DECISION_CLOCK),
                                                          Application.pledge_due_on < today)
                                .order_by(Application.id)):
        if case.pledge_materials:
            add(case, "deferred_overdue", f"容缺材料应于 {case.pledge_due_on} 前补交，截至 {today} 未补交")
    # Ten working days are at least ten calendar days after the decision.
    decided_before = dt.datetime.combine(today - dt.timedelta(days=DELIVERY_DAYS), dt.time(), tzinfo=CHINA)
    for case in session.scalars(select(Application).where(Application.status == CaseStatus.APPROVED,
                                                          Application.decided_at < decided_before,
                                                          ~_has_trigger("late_delivery"))
                                .order_by(Application.id)):
        due = delivery_due_on(case, calendar)
        if due is not None and today > due:
            decided = local_date(case.decided_at or now)
            add(case, "late_delivery", f"{decided} 准予许可，应于 {due} 前送达，截至 {today} 未送达")
    for check in session.scalars(select(FollowUpCheck).join(Application).where(
            FollowUpCheck.result == CheckResult.PENDING, FollowUpCheck.due_on < today,
            Application.status.in_([CaseStatus.APPROVED, CaseStatus.DELIVERED]))):
        add(check.application, "follow_up_check_overdue", f"事后核查应于 {check.due_on} 前完成，截至 {today} 未核查")
    session.flush()
    return raised


def supervised_trigger(session: Session, staff: User, trigger_id: int) -> AccountabilityTrigger:
    """A trigger in the staff member's jurisdiction. Raises NotFound otherwise."""
    trigger = session.get(AccountabilityTrigger, trigger_id)
    if trigger is None or trigger.town_id not in visible_jurisdiction_ids(session, staff):
        raise NotFound("未找到该追责情形")
    return trigger


def _triggers_query(session: Session, staff: User, resolved: bool | None) -> Any:
    query = select(AccountabilityTrigger).where(
        AccountabilityTrigger.town_id.in_(visible_jurisdiction_ids(session, staff)))
    if resolved is not None:
        query = query.where(AccountabilityTrigger.resolved_at.is_not(None) if resolved
                            else AccountabilityTrigger.resolved_at.is_(None))
    return query


def triggers_for(session: Session, staff: User, *, resolved: bool | None = None) -> list[AccountabilityTrigger]:
    """Triggers of the staff member's towns, newest first; ``resolved`` filters open (False) / resolved (True)."""
    query = _triggers_query(session, staff, resolved)
    return list(session.scalars(query.order_by(AccountabilityTrigger.raised_at.desc(), AccountabilityTrigger.id)))


def trigger_ids(session: Session, staff: User, *, resolved: bool | None = None) -> Any:
    """The ids of the triggers :func:`triggers_for` would list, as a statement: a page counts them with
    ``pagination.bounded_counts`` up to ``COUNT_CAP`` (and prints "99+" beyond)."""
    return _triggers_query(session, staff, resolved).with_only_columns(AccountabilityTrigger.id)


def resolve_trigger(session: Session, trigger: AccountabilityTrigger, *, actor: User, now: dt.datetime,
                    note: str) -> AccountabilityTrigger:
    """Close a trigger with the supervisor's note (what was found, what was done).

    Raises ValidationFailed (no note), Conflict (already resolved).
    """
    from service_hall.core.errors import Conflict

    note = (note or "").strip()
    if not note or len(note) > 1000:
        raise ValidationFailed("处理意见有误", details={"note": "请填写处理意见（1000字以内）"})
    if trigger.resolved_at is not None:
        raise Conflict("该追责情形已处理")
    trigger.resolved_at = now
    trigger.resolved_by_id = actor.id
    trigger.note = note
    record(session, actor=actor, action="accountability.resolve", object_type="application",
           object_id=trigger.application_id, now=now, jurisdiction_id=trigger.town_id, reason=note,
           payload={"trigger": trigger.id, "kind": trigger.kind})
    return trigger


@dataclass(frozen=True)
class ClockView:
    """The two limits of a running decision clock, each with its colour and working days left."""

    promised: dt.date | None
    statutory: dt.date | None
    promised_colour: DeadlineColour | None
    statutory_colour: DeadlineColour | None
    promised_left: int | None
    statutory_left: int | None
    paused: bool
    provisional: bool


def clock_view(case: Application | WatchedCase, calendar: WorkingCalendar, now: dt.datetime) -> ClockView | None:
    """承诺 and 法定 limits of a case whose decision clock runs (None otherwise). While a special procedure
    runs, the limits are the earliest they can be and move later each day it goes on."""
    if case.status not in DECISION_CLOCK or case.accepted_on is None:
        return None
    today = local_date(now)
    paused = case.status == CaseStatus.SPECIAL_PROCEDURE
    promised, statutory = current_limits(case, calendar, today)
    return ClockView(
        promised=promised, statutory=statutory,
        promised_colour=calendar.deadline_colour(promised, today) if promised else None,
        statutory_colour=calendar.deadline_colour(statutory, today) if statutory else None,
        promised_left=calendar.days_left(promised, today) if promised else None,
        statutory_left=calendar.days_left(statutory, today) if statutory else None,
        paused=paused, provisional=case.deadline_provisional)


def watch_threshold(calendar: WorkingCalendar, today: dt.date) -> dt.date:
    """The last due day that shows yellow today: due days up to it are near (≤ 2 working days) or past."""
    return calendar.add_working_days(today, YELLOW_WORKING_DAYS).due


@dataclass(frozen=True)
class WatchedCase:
    """A row of the supervisor's 超期与临期 list, read as plain columns (no ORM object): what the list prints
    and what :func:`clock_view` computes the limits from (the pauses only while a special procedure runs)."""

    id: int
    case_number: str | None
    item_name: str
    town_name: str
    status: CaseStatus
    power_type: PowerType
    accepted_on: dt.date | None
    promised_days: int
    statutory_days: int
    extension_days: int
    due_on: dt.date | None
    statutory_due_on: dt.date | None
    deadline_provisional: bool
    pauses: tuple[ClockPause, ...] = ()

    @property
    def status_label(self) -> str:
        return status_label_for(self.status, self.power_type)


# The columns a WatchedCase is read from, by its field names.
_WATCHED_COLUMNS: dict[str, Any] = {
    "id": Application.id, "case_number": Application.case_number, "item_name": Application.item_name,
    "town_name": Jurisdiction.name, "status": Application.status, "power_type": PowerItem.power_type,
    "accepted_on": Application.accepted_on, "promised_days": Application.promised_days,
    "statutory_days": Application.statutory_days, "extension_days": Application.extension_days,
    "due_on": Application.due_on, "statutory_due_on": Application.statutory_due_on,
    "deadline_provisional": Application.deadline_provisional,
}


def watched_cases(session: Session, staff: User, calendar: WorkingCalendar, now: dt.datetime,
                  cursor: str | None = None, *, size: int = PAGE_SIZE) -> Page[tuple[WatchedCase, ClockView]]:
    """A page of the cases of the staff member's towns whose promised or statutory limit is near (yellow)
    or past (red), the earliest statutory limit first, then the promised one.

    Read from the partial index of clock-running cases: a stored limit is never later than the current
    one (a running special procedure only moves it later), so the indexed condition on the stored limits
    finds every watched case; the colours are then computed for the page's rows only.
    """
    towns = visible_jurisdiction_ids(session, staff)
    last = watch_threshold(calendar, local_date(now))
    stmt = (select(*(column.label(name) for name, column in _WATCHED_COLUMNS.items()))
            .join(Jurisdiction, Jurisdiction.id == Application.town_id)
            .join(PowerItem, PowerItem.id == Application.power_item_id)
            .where(Application.status.in_(DECISION_CLOCK), Application.town_id.in_(towns),
                   or_(Application.statutory_due_on <= last, Application.due_on <= last)))
    page = keyset_page(session, stmt, [Application.statutory_due_on, Application.id], cursor, size=size,
                       entity=False)
    pauses = running_pauses(session, page.rows)
    rows = []
    for r in page.rows:
        case = WatchedCase(**{name: getattr(r, name) for name in _WATCHED_COLUMNS},
                           pauses=tuple(pauses.get(r.id, ())))
        view = clock_view(case, calendar, now)
        if view is not None and {view.promised_colour, view.statutory_colour} & {DeadlineColour.YELLOW,
                                                                                  DeadlineColour.RED}:
            rows.append((case, view))
    return Page(rows=rows, next=page.next, prev=page.prev)


@dataclass(frozen=True)
class WatchedDeadline:
    """A deadline other than the decision's that is near or past: 送达期限 or 容缺材料补交期限. ``case`` is
    the row the list prints (``id``, ``case_number``, ``item_name``, ``town_name``), not the ORM object."""

    case: Row[Any]
    label: str
    due: dt.date
    colour: DeadlineColour
    left: int


@dataclass(frozen=True)
class WatchedDeadlines:
    """The most urgent of the watched deadlines (at most the page size) and whether there are more."""

    rows: list[WatchedDeadline]
    more: bool


def last_decision_day_watched(calendar: WorkingCalendar, last: dt.date) -> dt.date:
    """The latest decision day whose 送达期限 falls on or before ``last``. The delivery limit only moves
    later with the decision day, so the cases decided up to this day are exactly those whose delivery is
    due by ``last``; ten working days are at least ten calendar days, so the walk starts there."""
    day = last - dt.timedelta(days=DELIVERY_DAYS)
    while calendar.add_working_days(day, DELIVERY_DAYS).due > last:
        day -= dt.timedelta(days=1)
    return day


# The other watched deadlines, by kind (``?kind=`` of the supervisor's list): what the list calls each.
DEADLINE_KINDS = {"delivery": "送达期限", "pledge": "容缺材料补交期限"}
# The supervision page shows this many of the most urgent; each kind's own list has them all, page by page.
OVERVIEW_SIZE = 10


def _deadline_query(kind: str, towns: Any, calendar: WorkingCalendar, today: dt.date) -> tuple[Any, list[Any]]:
    """The statement of one kind's watched cases (the columns the list prints) and its keyset key, which
    matches the kind's partial index (migration 0029)."""
    last = watch_threshold(calendar, today)
    line = (select(Application.id, Application.case_number, Application.item_name,
                   Jurisdiction.name.label("town_name"), Application.decided_at, Application.pledge_materials,
                   Application.pledge_due_on)
            .join(Jurisdiction, Jurisdiction.id == Application.town_id).where(Application.town_id.in_(towns)))
    if kind == "delivery":
        decided_by = dt.datetime.combine(last_decision_day_watched(calendar, last) + dt.timedelta(days=1), dt.time(),
                                         tzinfo=CHINA)
        return (line.where(Application.status == CaseStatus.APPROVED, Application.decided_at < decided_by),
                [Application.decided_at, Application.id])
    return (line.where(Application.status.in_(DECISION_CLOCK), Application.pledge_due_on.is_not(None),
                       Application.pledge_due_on <= last),
            [Application.pledge_due_on, Application.id])


def _watched(kind: str, row: Row[Any], calendar: WorkingCalendar, today: dt.date) -> WatchedDeadline | None:
    """The row's deadline of ``kind`` when it is near or past, else None (a case whose 容缺 list is empty
    has no materials to hand in)."""
    if kind == "delivery":
        due = delivery_due_after(row.decided_at, calendar)
    else:
        due = row.pledge_due_on if row.pledge_materials else None
    if due is None:
        return None
    colour = calendar.deadline_colour(due, today)
    if colour not in (DeadlineColour.YELLOW, DeadlineColour.RED):
        return None
    return WatchedDeadline(row, DEADLINE_KINDS[kind], due, colour, calendar.days_left(due, today))


def watched_deadlines(session: Session, staff: User, calendar: WorkingCalendar, now: dt.datetime, *,
                      size: int = OVERVIEW_SIZE) -> WatchedDeadlines:
    """Approved cases whose certificate is due for delivery and accepted cases whose deferred (容缺)
    materials are due, near (yellow) or past (red), the most urgent first, at most ``size`` of them.

    Each kind is read in the order of its due day from a partial index (migration 0029): approved cases
    by decision time up to :func:`last_decision_day_watched`, clock-running cases by 容缺 due day, as plain
    rows of the columns the list prints (no ORM objects); the working days are computed for the rows read
    only. :func:`deadline_page` lists one kind whole. Raises nothing."""
    towns = visible_jurisdiction_ids(session, staff)
    today = local_date(now)
    parts = []
    for kind in DEADLINE_KINDS:  # each kind's first rows in its index order, both in one statement
        stmt, keys = _deadline_query(kind, towns, calendar, today)
        parts.append(select(stmt.add_columns(literal(kind).label("kind")).order_by(*keys).limit(size + 1)
                            .subquery()))
    found: dict[str, list[Row[Any]]] = {kind: [] for kind in DEADLINE_KINDS}
    for row in session.execute(union_all(*parts)):
        found[row.kind].append(row)
    more = any(len(kind_rows) > size for kind_rows in found.values())
    watched = (_watched(kind, r, calendar, today) for kind, kind_rows in found.items() for r in kind_rows[:size])
    rows = [w for w in watched if w is not None]
    rows.sort(key=lambda r: (r.left, r.case.id))
    return WatchedDeadlines(rows=rows[:size], more=more or len(rows) > size)


def deadline_page(session: Session, staff: User, calendar: WorkingCalendar, now: dt.datetime, kind: str,
                  cursor: str | None = None, *, size: int = PAGE_SIZE) -> Page[WatchedDeadline]:
    """A page of one kind's near and past deadlines (``DEADLINE_KINDS``) of the staff member's towns, the
    earliest due first, read from the kind's partial index by keyset (no count, no offset)."""
    today = local_date(now)
    stmt, keys = _deadline_query(kind, visible_jurisdiction_ids(session, staff), calendar, today)
    page = keyset_page(session, stmt, keys, cursor, size=size, entity=False)
    return Page(rows=[w for w in (_watched(kind, r, calendar, today) for r in page.rows) if w is not None],
                next=page.next, prev=page.prev)


@dataclass(frozen=True)
class RestatedDeadline:
    """An open case whose provisional deadline moved when the working calendar changed, and the notice
    that stated the old date (the applicant must be told the new one)."""

    case: Application
    before: dt.date | None
    after: dt.date | None
    notice: Notice | None


def recompute_provisional_deadlines(session: Session, calendar: WorkingCalendar,
                                    now: dt.datetime) -> list[RestatedDeadline]:
    """After the working calendar changed (a year's holidays entered or corrected): recompute the
    deadlines of every open case that rested on guessed days, and return those that moved with the
    notice that stated them. Does not commit; raises nothing."""
    from service_hall.cases.clock import INTAKE_DAYS

    today = local_date(now)
    moved: list[RestatedDeadline] = []
    before: dt.date | None
    after: dt.date | None
    for case in session.scalars(select(Application).where(
            Application.deadline_provisional.is_(True),
            Application.status.in_((CaseStatus.SUBMITTED, *DECISION_CLOCK))).order_by(Application.id)):
        if case.status == CaseStatus.SUBMITTED and case.received_on is not None:
            before = case.intake_due_on
            due = calendar.add_working_days(case.received_on, INTAKE_DAYS)
            case.intake_due_on, case.deadline_provisional = due.due, due.provisional
            after, stated = case.intake_due_on, None
        else:
            before = case.statutory_due_on
            refresh_deadlines(case, calendar, today)
            after = case.statutory_due_on
            stated = next((n for n in reversed(case.notices)
                           if n.kind in (NoticeKind.ACCEPTANCE, NoticeKind.EXTENSION)), None)
        if before != after:
            moved.append(RestatedDeadline(case, before, after, stated))
    session.flush()
    return moved
