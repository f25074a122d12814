"""好差评 to GB/T 39734: the applicant rates a case at two points, 受理 and 办结, once each, with the
standard indicator set of the way the case was handled (网上 or 窗口) and, for a 差评, its reasons; a poor
rating opens a rectification task (整改) that the town closes with a recorded callback (回访) and a supervisor
verifies, after which the applicant may rate once more. The hall may appeal a rating (申诉复核); a
supervisor decides, and an upheld appeal takes the rating out of the statistics.

All functions take the session, the acting user and ``now``; none commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.accounts.models import User
from service_hall.audit.trail import record
from service_hall.cases import events
from service_hall.cases.clock import local_date
from service_hall.cases.context import Context
from service_hall.cases.models import Application, CaseStatus, Rating, RectificationTask
from service_hall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from service_hall.jurisdictions.operations import visible_jurisdiction_ids

POOR = 2  # ratings of 1 or 2 are 差评
SCORE_LABELS = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}

ACCEPTED, FINISHED = "accepted", "finished"
STAGES = {ACCEPTED: "受理", FINISHED: "办结"}
ONLINE, WINDOW = "online", "window"
MODES = {ONLINE: "网上办理", WINDOW: "窗口办理"}
# GB/T 39734 indicator sets; "overall" (整体满意度) is the rating's score.
INDICATORS: dict[str, tuple[tuple[str, str], ...]] = {
    ONLINE: (("overall", "整体满意度"), ("efficiency", "办事效率"), ("guide_accuracy", "办事指南精确度"),
             ("convenience", "办事便捷度"), ("usability", "平台操作性")),
    WINDOW: (("overall", "整体满意度"), ("service_efficiency", "服务效率"), ("service_level", "服务水平"),
             ("attitude", "服务态度")),
}
INDICATOR_LABELS = {code: label for pairs in INDICATORS.values() for code, label in pairs}
# 差评 reasons.
POOR_TAGS: tuple[tuple[str, str], ...] = (
    ("overdue", "超时办理"), ("extra_conditions", "指南外增加条件"), ("extra_materials", "指南外增加材料"),
    ("repeated_trips", "多次跑动"), ("poor_attitude", "服务态度差"), ("unclear_guide", "办事指南不清楚"),
    ("hard_to_use", "系统操作不便"), ("other", "其他"))
TAG_LABELS = dict(POOR_TAGS)


def mode_of(case: Application) -> str:
    """窗口 when the case was filed at the window for the applicant (帮办代办), 网上 otherwise."""
    return WINDOW if case.filed_by_id is not None else ONLINE


def ratings_of(session: Session, case: Application) -> dict[str, Rating]:
    """The case's ratings by stage (read once per case and session: ``Application.ratings``)."""
    return {r.stage: r for r in case.ratings}


def rating_of(session: Session, case: Application, stage: str = FINISHED) -> Rating | None:
    return ratings_of(session, case).get(stage)


def stage_open(case: Application, stage: str) -> bool:
    """Whether the case has reached ``stage``: 受理 once accepted (or refused), 办结 once it has ended."""
    if stage == ACCEPTED:
        return case.accepted_on is not None or case.status is CaseStatus.REFUSED
    return case.status.is_final


def open_stages(session: Session, case: Application) -> list[str]:
    """The stages the applicant may still rate."""
    given = ratings_of(session, case)
    return [s for s in STAGES if stage_open(case, s) and s not in given]


def rate(ctx: Context, case: Application, *, score: object, comment: str | None, stage: str | None = None,
         indicators: Mapping[str, object] | None = None, tags: Iterable[str] | None = None) -> Rating:
    """The case's own applicant rates one stage (办结 unless ``stage`` says 受理) once: 整体满意度 1–5
    (``score``), the other indicators of the case's set 1–5 where given, 差评 reasons from :data:`POOR_TAGS`,
    an optional comment. A rating of 1 or 2 opens a rectification task due in
    ``ctx.settings.rectification_days`` working days.

    Raises NotFound (not the applicant's case), ValidationFailed (score or indicator outside 1–5, unknown
    indicator, stage or reason, comment too long), Conflict (the stage not reached, already rated).
    """
    session, actor, now = ctx.session, ctx.user, ctx.now
    if case.applicant_id != actor.id:
        raise NotFound("未找到该申请")
    stage = stage or FINISHED
    mode = mode_of(case)
    value, comment, marks, reasons = _checked(score, comment, stage=stage, mode=mode, indicators=indicators,
                                              tags=tags)
    if not stage_open(case, stage):
        raise Conflict("办件办结后才能评价" if stage == FINISHED else "办件受理后才能评价受理环节")
    if rating_of(session, case, stage) is not None:
        raise Conflict("您已评价过本件，每件只能评价一次" if stage == FINISHED
                       else "您已评价过本件的受理环节，每个环节只能评价一次")
    rating = Rating(application=case, application_id=case.id, town_id=case.town_id, applicant_id=actor.id,
                    stage=stage, mode=mode, score=value, indicators=marks, tags=reasons, comment=comment,
                    rated_at=now)
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
           jurisdiction_id=case.town_id, payload={"score": value, "stage": stage, "indicators": marks,
                                                  "tags": reasons, "rectification": task.id if task else None})
    events.rating(session, rating, now=now)  # the outbox (docs/notifications.md)
    return rating


def _score(raw: object) -> int | None:
    value = int(raw) if isinstance(raw, int | str) and str(raw).strip().isdigit() else None
    return value if value is not None and 1 <= value <= 5 else None


def _checked(score: object, comment: str | None, *, stage: str = FINISHED, mode: str = ONLINE,
             indicators: Mapping[str, object] | None = None, tags: Iterable[str] | None = None,
             ) -> tuple[int, str, dict[str, int], list[str]]:
    errors = {}
    value = _score(score)
    if value is None:
        errors["score"] = "评分应为1至5分的整数"
    if stage not in STAGES:
        errors["stage"] = "评价环节应为受理（accepted）或办结（finished）"
    text = (comment or "").strip()
    if len(text) > 500:
        errors["comment"] = "评价内容不能超过500字"
    allowed = dict(INDICATORS[mode])
    marks: dict[str, int] = {}
    for code, raw in (indicators or {}).items():
        if code == "overall" or raw in (None, ""):
            continue
        if code not in allowed:
            errors[f"indicator-{code}"] = f"{MODES[mode]}的评价指标为：{'、'.join(allowed.values())}"
            continue
        mark = _score(raw)
        if mark is None:
            errors[f"indicator-{code}"] = f"{allowed[code]}应为1至5分的整数"
        else:
            marks[code] = mark
    reasons = list(dict.fromkeys(tags or ()))
    unknown = [t for t in reasons if t not in TAG_LABELS]
    if unknown:
        errors["tags"] = f"未知的差评原因：{'、'.join(unknown)}"
    if errors or value is None:
        raise ValidationFailed("评价信息有误", details=errors)
    marks = {"overall": value, **marks}
    return value, text, marks, reasons if value <= POOR else []


def staff_task(session: Session, staff: User, task_id: int) -> RectificationTask:
    """A rectification task of the staff member's towns. Raises NotFound otherwise."""
    task = session.get(RectificationTask, task_id)
    if task is None or task.town_id not in visible_jurisdiction_ids(session, staff):
        raise NotFound("未找到该整改任务")
    return task


def staff_rating(session: Session, staff: User, rating_id: int) -> Rating:
    """A rating of the staff member's towns. Raises NotFound otherwise."""
    rating = session.get(Rating, rating_id)
    if rating is None or rating.town_id not in visible_jurisdiction_ids(session, staff):
        raise NotFound("未找到该评价")
    return rating


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


def rate_again(ctx: Context, case: Application, *, score: object, comment: str | None, stage: str | None = None,
               indicators: Mapping[str, object] | None = None, tags: Iterable[str] | None = None) -> Rating:
    """整改后再评价: once the rectification of a poor rating is verified, the applicant may rate that stage
    once more (the first rating stays on record; the statistics count the new one). Raises NotFound (not
    the applicant's case), ValidationFailed (as :func:`rate`), Conflict (no verified rectification, already
    rated again)."""
    actor, now = ctx.user, ctx.now
    if case.applicant_id != actor.id:
        raise NotFound("未找到该申请")
    stage = stage or _stage_to_rate_again(ctx.session, case) or FINISHED
    rating = rating_of(ctx.session, case, stage)
    if rating is None or rating.rectification is None or not rating.rectification.is_closed:
        raise Conflict("整改经核实后才能再次评价")
    if rating.revised_at is not None:
        raise Conflict("您已再次评价过本件")
    value, comment, marks, _ = _checked(score, comment, stage=stage, mode=rating.mode, indicators=indicators,
                                        tags=tags)
    rating.revised_score, rating.revised_comment, rating.revised_at = value, comment, now
    rating.revised_indicators = {**(rating.indicators or {}), **marks}
    record(ctx.session, actor=actor, action="rating.revise", object_type="application", object_id=case.id, now=now,
           jurisdiction_id=case.town_id, payload={"score": value, "first": rating.score, "stage": stage})
    return rating


def _stage_to_rate_again(session: Session, case: Application) -> str | None:
    for stage, rating in ratings_of(session, case).items():
        if rating.rectification is not None and rating.rectification.is_closed and rating.revised_at is None:
            return stage
    return None


def may_rate_again(session: Session, case: Application) -> bool:
    return _stage_to_rate_again(session, case) is not None


# --- 申诉复核 --------------------------------------------------------------------------------------------

def appeal(ctx: Context, rating: Rating, *, reason: str) -> Rating:
    """The hall appeals a 差评 (申诉复核), e.g. one unrelated to the service or made in bad faith; a
    supervisor decides (:func:`decide_appeal`). Once per rating. Raises ValidationFailed (no reason),
    Conflict (not a 差评, already appealed)."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    text = (reason or "").strip()
    if not text or len(text) > 1000:
        raise ValidationFailed("申诉信息有误", details={"reason": "请写明申诉理由（1000字以内）"})
    if not rating.is_poor:
        raise Conflict("只有差评可以申诉复核")
    if rating.appealed_at is not None:
        raise Conflict("该评价已提出过申诉")
    rating.appeal_reason, rating.appealed_at, rating.appealed_by_id = text, now, actor.id
    record(session, actor=actor, action="rating.appeal", object_type="application", object_id=rating.application_id,
           now=now, jurisdiction_id=rating.town_id, reason=text, payload={"rating": rating.id})
    return rating


def decide_appeal(ctx: Context, rating: Rating, *, upheld: bool, note: str) -> Rating:
    """A supervisor decides the hall's appeal: upheld, the rating no longer counts in the statistics and its
    open rectification closes; rejected, everything stays. The appellant cannot decide. Raises
    ValidationFailed (no note), Conflict (no appeal pending), PermissionDenied (the appellant)."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    text = (note or "").strip()
    if not text or len(text) > 1000:
        raise ValidationFailed("复核意见有误", details={"note": "请填写复核意见（1000字以内）"})
    if not rating.appeal_pending:
        raise Conflict("该评价没有待复核的申诉")
    if rating.appealed_by_id == actor.id:
        raise PermissionDenied("申诉人不能复核自己的申诉，请由其他监督人员复核")
    rating.appeal_upheld, rating.appeal_note = upheld, text
    rating.appeal_decided_at, rating.appeal_decided_by_id = now, actor.id
    task = rating.rectification
    if upheld and task is not None and task.verified_at is None:
        task.verified_at, task.verified_by_id, task.verification_note = now, actor.id, f"申诉成立：{text}"
    record(session, actor=actor, action="rating.appeal_decide", object_type="application",
           object_id=rating.application_id, now=now, jurisdiction_id=rating.town_id, reason=text,
           payload={"rating": rating.id, "upheld": upheld})
    return rating


def ratings_for(session: Session, staff: User) -> list[Rating]:
    """Ratings of the staff member's towns, newest first."""
    return list(session.scalars(select(Rating).where(Rating.town_id.in_(visible_jurisdiction_ids(session, staff)))
                                .order_by(Rating.rated_at.desc(), Rating.id.desc())))


def _tasks_query(session: Session, staff: User, open_only: bool) -> Any:
    query = select(RectificationTask).where(RectificationTask.town_id.in_(visible_jurisdiction_ids(session, staff)))
    return query.where(RectificationTask.verified_at.is_(None)) if open_only else query


def tasks_for(session: Session, staff: User, *, open_only: bool = False) -> list[RectificationTask]:
    """Rectification tasks of the staff member's towns, the earliest due first."""
    query = _tasks_query(session, staff, open_only)
    return list(session.scalars(query.order_by(RectificationTask.due_on, RectificationTask.id)))


def open_task_ids(session: Session, staff: User) -> Any:
    """The ids of the tasks ``tasks_for(open_only=True)`` would list, as a statement: a page counts them
    with ``pagination.bounded_counts`` up to ``COUNT_CAP`` (and prints "99+" beyond)."""
    return _tasks_query(session, staff, True).with_only_columns(RectificationTask.id)


def describe(rating: Rating) -> dict[str, Any]:
    """The rating's indicators and reasons as labelled pairs, for pages."""
    return {"stage": STAGES.get(rating.stage, rating.stage), "mode": MODES.get(rating.mode, rating.mode),
            "indicators": [(INDICATOR_LABELS.get(k, k), v) for k, v in (rating.indicators or {}).items()],
            "tags": [TAG_LABELS.get(t, t) for t in rating.tags or []]}
