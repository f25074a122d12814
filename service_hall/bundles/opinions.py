"""征求意见: offices working in parallel. A reviewer asks another town, or a county office, for its
opinion on a case with a deadline in working days; the asked party answers in its own workbench; a
reminder goes to the asked party when the deadline is near; overdue requests are on the supervisor's list.

The clock: asking for an opinion does not stop the decision period (行政许可法 第四十二条 counts it in);
the special procedures that do stop it (第四十五条: hearing, testing, inspection, expert review) are
started with their own action. An opinion asked of one's own town is refused. See docs/bundles.md,
"Opinions".
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.accounts.permissions import Permission
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.bundles.models import OpinionRequest
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import events
from service_hall.cases.clock import local_date
from service_hall.cases.context import Context
from service_hall.cases.models import Application, CaseStatus
from service_hall.cases.sweep import EXTRA_SWEEPS
from service_hall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel
from service_hall.jurisdictions.operations import visible_jurisdiction_ids
from service_hall.offices.models import Office

IN_REVIEW = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.SPECIAL_PROCEDURE, CaseStatus.REVIEWED)
REMIND_DAYS = 2  # working days before the deadline: the deadline shows yellow, as case deadlines do


def ask(ctx: Context, case: Application, *, target_code: str, office_id: int | None, question: str,
        days: int) -> OpinionRequest:
    """Ask ``target_code`` (a town of the county, or the county for ``office_id``) for an opinion due in
    ``days`` working days. Raises ValidationFailed (located: ``target``, ``question``, ``days``),
    PermissionDenied (not a reviewer of the case's town), Conflict (the case is past review)."""
    session, actor = ctx.session, ctx.user
    if not actor.can(Permission.CASE_REVIEW) or case.town_id not in visible_jurisdiction_ids(session, actor):
        raise PermissionDenied("只有本办件所在乡镇（街道）的审查人员可以征求意见")
    if case.status not in IN_REVIEW:
        raise Conflict(f"办件{case.status.label}，不能再征求意见")
    errors: dict[str, str] = {}
    target = session.scalar(select(Jurisdiction).where(Jurisdiction.code == (target_code or "").strip()))
    office = session.get(Office, office_id) if office_id else None
    county = case.town.county
    if target is None or (target.id != county.id and target.parent_id != county.id):
        errors["target"] = "请选择本县的乡镇（街道）或县级部门"
    elif target.id == case.town_id or (actor.jurisdiction_id == target.id and office is None):
        errors["target"] = "不能向本单位征求意见，请选择其他乡镇（街道）或县级部门"
    elif target.level is JurisdictionLevel.COUNTY and (office is None or office.county_id != county.id):
        errors["target"] = "向县级征求意见须选择具体部门"
    elif target.level is JurisdictionLevel.TOWN and office is not None:
        errors["target"] = "乡镇（街道）与县级部门只能选择其一"
    question = (question or "").strip()
    if not question:
        errors["question"] = "请写明征求意见的事项"
    elif len(question) > 2000:
        errors["question"] = "不能超过2000字"
    if not 1 <= days <= 30:
        errors["days"] = "答复期限应为1至30个工作日"
    if errors:
        raise ValidationFailed("征求意见内容有误", details=errors)
    assert target is not None
    due = ctx.calendar.add_working_days(local_date(ctx.now), days)
    request = OpinionRequest(application=case, target=target, office_id=office.id if office else None,
                             office_name=office.name if office else None, question=question, due_on=due.due,
                             asked_at=ctx.now, asked_by_id=actor.id)
    session.add(request)
    session.flush()
    record(session, actor=actor, action=AuditAction.OPINION_ASK, object_type="application", object_id=case.id,
           now=ctx.now, jurisdiction_id=case.town_id,
           payload={"asked_of": request.asked_of, "due_on": due.due.isoformat(), "question": question})
    return request


def _answerable(session: Session, ctx: Context, request: OpinionRequest) -> None:
    actor = ctx.user
    if request.target_id not in visible_jurisdiction_ids(session, actor):
        raise NotFound("未找到该征求意见")
    if not actor.can(Permission.CASE_REVIEW):
        raise PermissionDenied("只有审查人员可以答复征求意见")


def request_for_answer(ctx: Context, request_id: int) -> OpinionRequest:
    """A request asked of the actor's own jurisdiction. Raises NotFound (others', so they do not leak)."""
    request = ctx.session.get(OpinionRequest, request_id)
    if request is None or request.target_id not in visible_jurisdiction_ids(ctx.session, ctx.user):
        raise NotFound("未找到该征求意见")
    return request


def answer(ctx: Context, request: OpinionRequest, *, text: str) -> OpinionRequest:
    """The asked town or office answers. Raises ValidationFailed (no text), Conflict (already answered),
    NotFound (not asked of the actor's jurisdiction), PermissionDenied (not a reviewer)."""
    session = ctx.session
    _answerable(session, ctx, request)
    if request.answered_at is not None:
        raise Conflict("该征求意见已答复")
    text = (text or "").strip()
    if not text or len(text) > 2000:
        raise ValidationFailed("请填写答复意见（2000字以内）", details={"answer": "请填写答复意见（2000字以内）"})
    request.answer = text
    request.answered_at = ctx.now
    request.answered_by_id = ctx.user.id
    session.flush()
    case = request.application
    record(session, actor=ctx.user, action=AuditAction.OPINION_ANSWER, object_type="application",
           object_id=case.id, now=ctx.now, jurisdiction_id=request.target_id,
           payload={"asked_of": request.asked_of, "late": local_date(ctx.now) > request.due_on})
    return request


def asked_of(ctx: Context) -> list[OpinionRequest]:
    """Requests asked of the actor's jurisdictions, open ones first by deadline."""
    ids = visible_jurisdiction_ids(ctx.session, ctx.user)
    rows = ctx.session.scalars(select(OpinionRequest).where(OpinionRequest.target_id.in_(ids))
                               .order_by(OpinionRequest.answered_at.is_not(None), OpinionRequest.due_on).limit(200))
    return list(rows)


def of_case(session: Session, case: Application) -> list[OpinionRequest]:
    return list(session.scalars(select(OpinionRequest).where(OpinionRequest.application_id == case.id)
                                .order_by(OpinionRequest.asked_at)))


def overdue(session: Session, town_ids: set[int], today: dt.date) -> list[OpinionRequest]:
    """Open requests past their deadline on cases of ``town_ids`` or asked of them (the supervisor's list)."""
    return list(session.scalars(
        select(OpinionRequest).join(Application, OpinionRequest.application_id == Application.id)
        .where(OpinionRequest.answered_at.is_(None), OpinionRequest.due_on < today,
               Application.town_id.in_(town_ids) | OpinionRequest.target_id.in_(town_ids))
        .order_by(OpinionRequest.due_on)))


def remind_due(session: Session, *, now: dt.datetime, calendar: WorkingCalendar) -> list[OpinionRequest]:
    """Remind the asked party, once per request, when an open request's deadline is at most REMIND_DAYS
    working days away: a message to its reviewers through the outbox (``events.opinion_due``), and the
    reminder recorded (the workbench shows it). Idempotent."""
    today = local_date(now)
    horizon = calendar.add_working_days(today, REMIND_DAYS).due
    due = list(session.scalars(select(OpinionRequest).where(
        OpinionRequest.answered_at.is_(None), OpinionRequest.reminded_on.is_(None),
        OpinionRequest.due_on >= today, OpinionRequest.due_on <= horizon)))
    for request in due:
        request.reminded_on = today
        record(session, actor=None, action=AuditAction.OPINION_REMIND, object_type="application",
               object_id=request.application_id, now=now, jurisdiction_id=request.target_id,
               payload={"asked_of": request.asked_of, "due_on": request.due_on.isoformat()})
        events.opinion_due(session, request.application, asked_id=request.target_id, now=now,
                           data={"asked_of": request.asked_of, "opinion_due_on": request.due_on.isoformat(),
                                 "opinion_id": request.id})
    session.flush()
    return due


def _sweep(session: Session, now: dt.datetime, calendar: WorkingCalendar) -> None:
    remind_due(session, now=now, calendar=calendar)


if _sweep not in EXTRA_SWEEPS:
    EXTRA_SWEEPS.append(_sweep)
