"""好差评: the applicant rates a finished case once; a poor rating opens a rectification task (整改) that
the town closes with a recorded callback to the applicant (回访).

All functions take the session, the acting user and ``now``; none commits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.accounts.models import User
from service_hall.audit.trail import record
from service_hall.cases import events
from service_hall.cases.clock import local_date
from service_hall.cases.context import Context
from service_hall.cases.models import Application, Rating, RectificationTask
from service_hall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from service_hall.jurisdictions.operations import visible_jurisdiction_ids

POOR = 2  # ratings of 1 or 2 are 差评
SCORE_LABELS = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}


def rating_of(session: Session, case: Application) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.application_id == case.id))


def rate(ctx: Context, case: Application, *, score: object, comment: str | None) -> Rating:
    """The case's own applicant rates it 1–5 with an optional comment, once, after it has ended. A rating
    of 1 or 2 opens a rectification task due in ``ctx.settings.rectification_days`` working days.

    Raises NotFound (not the applicant's case), ValidationFailed (score outside 1–5, comment too long),
    Conflict (the case has not ended, already rated).
    """
    session, actor, now = ctx.session, ctx.user, ctx.now
    if case.applicant_id != actor.id:
        raise NotFound("未找到该申请")
    value, comment = _checked(score, comment)
    if not case.status.is_final:
        raise Conflict("办件办结后才能评价")
    if rating_of(session, case) is not None:
        raise Conflict("您已评价过本件，每件只能评价一次")
    rating = Rating(application_id=case.id, town_id=case.town_id, applicant_id=actor.id, score=value,
                    comment=comment, rated_at=now)
    session.add(rating)
    session.flush()
    task = None
    if value <= POOR:
        due = ctx.calendar.add_working_days(local_date(now), ctx.settings.rectification_days).due
        task = RectificationTask(rating=rating, application_id=case.id, town_id=case.town_id, opened_at=now,
                                 due_on=due)
        session.add(task)
        session.flush()
    record(session, actor=actor, action="rating.create", object_type="application", object_id=case.id, now=now,
           jurisdiction_id=case.town_id, payload={"score": value, "rectification": task.id if task else None})
    events.rating(session, rating, now=now)  # the outbox (docs/notifications.md)
    return rating


def _checked(score: object, comment: str | None) -> tuple[int, str]:
    errors = {}
    value = int(score) if isinstance(score, int | str) and str(score).strip().isdigit() else None
    if value is None or not 1 <= value <= 5:
        errors["score"] = "评分应为1至5分的整数"
    text = (comment or "").strip()
    if len(text) > 500:
        errors["comment"] = "评价内容不能超过500字"
    if errors or value is None:
        raise ValidationFailed("评价信息有误", details=errors)
    return value, text


def staff_task(session: Session, staff: User, task_id: int) -> RectificationTask:
    """A rectification task of the staff member's towns. Raises NotFound otherwise."""
    task = session.get(RectificationTask, task_id)
    if task is None or task.town_id not in visible_jurisdiction_ids(session, staff):
        raise NotFound("未找到该整改任务")
    return task


def record_callback(ctx: Context, task: RectificationTask, *, outcome: str) -> RectificationTask:
    """回访: who called the applicant back, when, and what came of it; closes the task.

    Raises ValidationFailed (no outcome), Conflict (already closed).
    """
    session, actor, now = ctx.session, ctx.user, ctx.now
    outcome = (outcome or "").strip()
    if not outcome or len(outcome) > 1000:
        raise ValidationFailed("回访情况有误", details={"outcome": "请填写回访及整改情况（1000字以内）"})
    if not task.is_open:
        raise Conflict("该整改任务已回访办结")
    task.callback_at = now
    task.callback_by_id = actor.id
    task.callback_outcome = outcome
    record(session, actor=actor, action="rectification.callback", object_type="application",
           object_id=task.application_id, now=now, jurisdiction_id=task.town_id, reason=outcome,
           payload={"task": task.id})
    return task


def verify_rectification(ctx: Context, task: RectificationTask, *, accepted: bool, note: str) -> RectificationTask:
    """A supervisor checks the town's rectification and callback: accepted, the task closes and the
    applicant may rate once more; not accepted, the callback is cleared and the town must call back again.
    The person who made the callback cannot verify it. Raises ValidationFailed (no note), Conflict (no
    callback yet, already verified), PermissionDenied (the one who called back)."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    note = (note or "").strip()
    if not note or len(note) > 1000:
        raise ValidationFailed("核实意见有误", details={"note": "请填写核实意见（1000字以内）"})
    if task.callback_at is None:
        raise Conflict("该整改任务尚未回访，无法核实")
    if task.verified_at is not None:
        raise Conflict("该整改任务已核实办结")
    if task.callback_by_id == actor.id:
        raise PermissionDenied("回访人不能核实自己的整改，请由其他监督人员核实")
    if accepted:
        task.verified_at, task.verified_by_id, task.verification_note = now, actor.id, note
    else:
        task.callback_at, task.callback_by_id, task.callback_outcome = None, None, None
    record(session, actor=actor, action="rectification.verify" if accepted else "rectification.return",
           object_type="application", object_id=task.application_id, now=now, jurisdiction_id=task.town_id,
           reason=note, payload={"task": task.id})
    return task


def rate_again(ctx: Context, case: Application, *, score: object, comment: str | None) -> Rating:
    """整改后再评价: once the rectification of a poor rating is verified, the applicant may rate once more
    (the first rating stays on record). Raises NotFound (not the applicant's case), ValidationFailed
    (score outside 1–5, comment too long), Conflict (no verified rectification, already rated again)."""
    actor, now = ctx.user, ctx.now
    if case.applicant_id != actor.id:
        raise NotFound("未找到该申请")
    rating = rating_of(ctx.session, case)
    if rating is None or rating.rectification is None or not rating.rectification.is_closed:
        raise Conflict("整改经核实后才能再次评价")
    if rating.revised_at is not None:
        raise Conflict("您已再次评价过本件")
    value, comment = _checked(score, comment)
    rating.revised_score, rating.revised_comment, rating.revised_at = value, comment, now
    record(ctx.session, actor=actor, action="rating.revise", object_type="application", object_id=case.id, now=now,
           jurisdiction_id=case.town_id, payload={"score": value, "first": rating.score})
    return rating


def ratings_for(session: Session, staff: User) -> list[Rating]:
    """Ratings of the staff member's towns, newest first."""
    return list(session.scalars(select(Rating).where(Rating.town_id.in_(visible_jurisdiction_ids(session, staff)))
                                .order_by(Rating.rated_at.desc(), Rating.id.desc())))


def tasks_for(session: Session, staff: User, *, open_only: bool = False) -> list[RectificationTask]:
    """Rectification tasks of the staff member's towns, the earliest due first."""
    query = select(RectificationTask).where(RectificationTask.town_id.in_(visible_jurisdiction_ids(session, staff)))
    if open_only:
        query = query.where(RectificationTask.verified_at.is_(None))
    return list(session.scalars(query.order_by(RectificationTask.due_on, RectificationTask.id)))
