"""Review, special procedures, extension, decision, 告知承诺制, delivery and revocation
(行政许可法 第三十四条至第四十五条).

Every status change goes through :func:`apply_transition` (table, permission, guard, audit record with
the duty discharged). All functions take the session, the acting user and ``now``; none commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from service_hall.accounts.models import User
from service_hall.cases import events
from service_hall.cases.accountability import check_decision_timing, delivery_due_on, refresh_deadlines
from service_hall.cases.clock import local_date
from service_hall.cases.context import Context
from service_hall.cases.intake import duties_text, issue_notice
from service_hall.cases.models import (
    SIGNER_RELATIONS,
    Application,
    CheckResult,
    ClockPause,
    Delivery,
    DeliveryChannel,
    FollowUpCheck,
    Notice,
    NoticeKind,
    PauseKind,
    Recommendation,
    ReviewOpinion,
)
from service_hall.cases.procedures import fix_decision, issues_certificate, procedure_of
from service_hall.cases.schemas import SPECIAL_KINDS
from service_hall.cases.transitions import (
    Action,
    Stage,
    action_label,
    apply_transition,
    party_notice,
    power_type_of,
    recommendation_choices,
    revocation_intent,
)
from service_hall.core.errors import ValidationFailed

EXTENSION_DAYS = 10  # 行政许可法 第四十二条: one extension of ten working days
PLEDGE_TEXT = ("本人（单位）已知晓告知的全部内容，所填写的信息和提交的材料真实、准确，符合告知的许可条件和要求；"
               "愿意承担不实承诺的法律责任，承诺不实的，行政机关可以依法撤销许可决定。")


def _notice(session: Session, case: Application, kind: NoticeKind, *, actor: User | None, now: dt.datetime,
            content: dict[str, Any]) -> Notice:
    return issue_notice(session, case, kind, actor=actor, now=now, content=content)


def _text(value: str | None, field: str, message: str, *, limit: int = 1000, required: bool = True) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(message, details={field: message})
    if len(value) > limit:
        raise ValidationFailed(message, details={field: f"不能超过{limit}字"})
    return value or None


def _authority(session: Session, case: Application) -> str:
    return str(case.power_item.acting_authority(case.town))


def remedies(session: Session, case: Application) -> dict[str, Any]:
    """Where a denial can be challenged: 行政复议 within 60 days to the county government (行政复议法
    第二十四条, also for acts done in an entrusting department's name), 行政诉讼 within 6 months."""
    county = case.town.county
    body = f"{county.name}人民政府"
    return {"reconsideration_body": body, "reconsideration_days": 60, "litigation_months": 6,
            "text": f"如不服本决定，可以自收到本决定书之日起六十日内向{body}申请行政复议，"
                    "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"}


def record_opinion(ctx: Context, case: Application, *, opinion: str,
                   recommendation: str, expected_version: int | None = None) -> ReviewOpinion:
    """A reviewer's substantive review (审查意见): opinion text and a recommendation to approve or deny.

    Raises ValidationFailed (blank opinion, unknown recommendation), Conflict (state, or this reviewer
    already gave an opinion on the case), PermissionDenied.
    """
    session, actor, now = ctx.session, ctx.user, ctx.now
    text = _text(opinion, "opinion", "请填写审查意见", limit=2000)
    if recommendation not in {r.value for r in Recommendation}:
        raise ValidationFailed("请选择审查结论", details={
            "recommendation": f"请选择{recommendation_choices(power_type_of(case))}"})
    apply_transition(session, case, Action.RECORD_OPINION, actor=actor, now=now, expected_version=expected_version,
                     duty=duties_text(case, Stage.REVIEW), params={"recommendation": recommendation})
    review = ReviewOpinion(reviewer_id=actor.id, opinion=text or "", recommendation=Recommendation(recommendation),
                           recorded_at=now)
    case.reviews.append(review)
    session.flush()
    return review


def complete_review(ctx: Context, case: Application, *, expected_version: int | None = None) -> None:
    """审查完毕: hand the case to the decider. Raises Conflict (state, too few distinct reviewers),
    PermissionDenied."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    apply_transition(session, case, Action.COMPLETE_REVIEW, actor=actor, now=now, expected_version=expected_version,
                     duty=duties_text(case, Stage.REVIEW),
                     params={"reviewers": sorted({r.reviewer_id for r in case.reviews})})


def start_special_procedure(ctx: Context, case: Application, *, kind: str, note: str,
                            expected_version: int | None = None) -> ClockPause:
    """Start a hearing, inspection, testing or expert review (第四十五条): the clock stops from today.

    Raises ValidationFailed (unknown kind, no note), Conflict, PermissionDenied.
    """
    session, actor, now, calendar = ctx.session, ctx.user, ctx.now, ctx.calendar
    if kind not in {k.value for k in SPECIAL_KINDS}:
        raise ValidationFailed("请选择特别程序", details={"kind": "请选择听证、现场勘验、检验检测或专家评审"})
    text = _text(note, "note", "请写明特别程序的事由和预计所需时间")
    pause_kind = PauseKind(kind)
    apply_transition(session, case, Action.START_SPECIAL, actor=actor, now=now, expected_version=expected_version,
                     duty=duties_text(case, Stage.REVIEW), reason=text, params={"kind": kind})
    pause = ClockPause(kind=pause_kind, started_on=local_date(now), note=text)
    case.pauses.append(pause)
    session.flush()
    refresh_deadlines(case, calendar, local_date(now))
    return pause


def end_special_procedure(ctx: Context, case: Application, *, outcome: str,
                          expected_version: int | None = None) -> ClockPause:
    """The special procedure ends today with its outcome; the clock runs again and both limits are
    recomputed without the days it took. Raises ValidationFailed (no outcome), Conflict, PermissionDenied."""
    session, actor, now, calendar = ctx.session, ctx.user, ctx.now, ctx.calendar
    text = _text(outcome, "outcome", "请写明特别程序的结果")
    apply_transition(session, case, Action.END_SPECIAL, actor=actor, now=now, expected_version=expected_version,
                     duty=duties_text(case, Stage.REVIEW), reason=text)
    pause = next(p for p in reversed(case.pauses) if p.running and p.kind != PauseKind.CORRECTION)
    pause.ended_on = local_date(now)
    pause.outcome = text
    refresh_deadlines(case, calendar, local_date(now))
    return pause


def extend(ctx: Context, case: Application, *, reason: str, expected_version: int | None = None) -> Notice:
    """延长期限: the head approves one extension of 10 working days; the statutory limit moves and the
    applicant receives the reason in a 延长期限告知书. Raises ValidationFailed (no reason), Conflict
    (already extended, limit already passed, state), PermissionDenied."""
    session, actor, now, calendar = ctx.session, ctx.user, ctx.now, ctx.calendar
    text = _text(reason, "reason", "请写明延长期限的理由")
    apply_transition(session, case, Action.EXTEND, actor=actor, now=now, expected_version=expected_version,
                     duty=duties_text(case, Stage.DECISION), reason=text, params={"days": EXTENSION_DAYS})
    before = case.statutory_due_on
    case.extension_days = EXTENSION_DAYS
    refresh_deadlines(case, calendar, local_date(now))
    return _notice(session, case, NoticeKind.EXTENSION, actor=actor, now=now, content={
        "reason": text, "days": EXTENSION_DAYS, "previous_due_on": before.isoformat() if before else None,
        "statutory_due_on": case.statutory_due_on.isoformat() if case.statutory_due_on else None,
        "provisional": case.deadline_provisional, "approved_by": actor.real_name})


def _approval_notice(ctx: Context, case: Application, opinion: str | None, terms: dict[str, Any] | None = None,
                     **extra: Any) -> Notice:
    """The procedure's favourable decision with what the decider fixed (docs/architecture.md, "Decision
    content and certificate types"), and the certificate where the procedure issues one."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    procedure = procedure_of(case)
    decided = fix_decision(session, case, terms, local_date(now))
    case.decided_at = now
    notice = _notice(session, case, procedure.grant, actor=actor, now=now, content={
        "decided_on": local_date(now).isoformat(), "authority": _authority(session, case),
        "holder": case.applicant.display_name, "item_name": case.item_name, "opinion": opinion,
        "delivery_due_on": (delivery_due_on(case, ctx.calendar) or local_date(now)).isoformat(),
        "decision": decided, **extra})
    if _issues_certificate(case, decided):
        ctx.documents.issue_certificate(session, case, actor=actor, now=now)
    return notice


def _issues_certificate(case: Application, decided: dict[str, Any]) -> bool:
    return issues_certificate(case.power_item, decided.get("certificate_type"))


def approve(ctx: Context, case: Application, *, opinion: str | None = None, terms: dict[str, Any] | None = None,
            expected_version: int | None = None) -> Notice:
    """The favourable decision of the case's procedure (准予许可, 决定给付, 予以确认 …): the decider approves
    (after review, or on the day of acceptance for a 即办件, or once accepted for a 公共服务) with the
    decision content ``terms`` (missing values are taken from the application and the guide), and the
    procedure's decision notice is issued. Raises ValidationFailed (``terms.NAME``: a term outside its
    rules, a validity ending before it starts), Conflict (review incomplete, the acceptor deciding where
    the item separates the two, the other party not heard, state), PermissionDenied."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    text = _text(opinion, "opinion", "", limit=1000, required=False)
    apply_transition(session, case, Action.APPROVE, actor=actor, now=now, expected_version=expected_version,
                     duty=duties_text(case, Stage.DECISION), reason=text)
    check_decision_timing(session, case, now=now)
    return _approval_notice(ctx, case, text, terms)


def deny(ctx: Context, case: Application, *, reasons: str,
         expected_version: int | None = None) -> Notice:
    """The unfavourable decision of the case's procedure (不予许可, 不予给付 …) with the reasons and, except
    for a public service, the remedies (行政复议 60 days to the named body, 行政诉讼 6 months).
    Raises ValidationFailed (no reasons), Conflict, PermissionDenied."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    label = action_label(power_type_of(case), Action.DENY)
    text = _text(reasons, "reasons", f"请写明{label}的理由")
    apply_transition(session, case, Action.DENY, actor=actor, now=now, expected_version=expected_version,
                     duty=duties_text(case, Stage.DECISION), reason=text)
    check_decision_timing(session, case, now=now)
    case.decided_at = now
    case.closed_at = now
    ways = remedies(session, case)
    return _notice(session, case, procedure_of(case).refusal, actor=actor, now=now, content={
        "decided_on": local_date(now).isoformat(), "authority": _authority(session, case), "reason": text,
        "remedies": ways["text"], "reconsideration_body": ways["reconsideration_body"],
        "reconsideration_days": ways["reconsideration_days"], "litigation_months": ways["litigation_months"]})


PARTY_ANSWER_DAYS = 15  # 行政裁决: days the other party has to answer by default (within 5 to 30)


def notify_party(ctx: Context, case: Application, *, party: str, address: str = "",
                 answer_days: int = PARTY_ANSWER_DAYS, expected_version: int | None = None) -> Notice:
    """行政裁决 hears both parties: the other party (named on the form, or by the reviewer) receives a copy
    of the application and a period to answer in a 答辩通知书. Raises ValidationFailed (no party, a period
    outside 5–30 days), Conflict (already notified, state), PermissionDenied."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    name = _text(party or (case.data or {}).get("respondent_name"), "party", "请填写对方当事人的姓名或名称",
                 limit=100)
    if not 5 <= answer_days <= 30:
        raise ValidationFailed("答辩期限有误", details={"answer_days": "答辩期限应为5至30日"})
    apply_transition(session, case, Action.NOTIFY_PARTY, actor=actor, now=now, expected_version=expected_version,
                     duty=duties_text(case, Stage.REVIEW), params={"party": name, "answer_days": answer_days})
    answer_by = local_date(now) + dt.timedelta(days=answer_days)
    return _notice(session, case, NoticeKind.PARTY_NOTICE, actor=actor, now=now, content={
        "party": name, "address": (address or "").strip()[:200], "answer_days": answer_days,
        "answer_by": answer_by.isoformat()})


def record_answer(ctx: Context, case: Application, *, answer: str, expected_version: int | None = None) -> Notice:
    """行政裁决: record the other party's written answer (答辩) on its notice, for the decider to weigh.
    Raises ValidationFailed (blank), Conflict (not notified, already answered), PermissionDenied."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    text = _text(answer, "answer", "请填写对方当事人的答辩意见", limit=2000)
    apply_transition(session, case, Action.RECORD_ANSWER, actor=actor, now=now, expected_version=expected_version,
                     duty=duties_text(case, Stage.REVIEW), reason=text)
    notice = party_notice(case)
    assert notice is not None  # the guard has checked
    notice.content = {**(notice.content or {}), "answer": text, "answer_at": now.isoformat()}
    return notice


def decide_on_the_spot(ctx: Context, case: Application, *, expected_version: int | None = None,
                       terms: dict[str, Any] | None = None) -> Notice:
    """即办件 in one visit: a decider who also takes intake accepts and approves at the window, two
    audited steps in one transaction. Raises Conflict (not a 即办件, the item separates acceptance and
    decision, state), PermissionDenied."""
    from service_hall.cases.intake import accept

    accept(ctx, case, expected_version=expected_version)
    return approve(ctx, case, opinion="即办件，当场办结", terms=terms)


def sign_pledge(ctx: Context, case: Application, *, agree: bool) -> None:
    """告知承诺制: the applicant signs the pledge (the text as shown is kept). Raises ValidationFailed
    (not ticked), Conflict (item does not allow it, already signed, state), PermissionDenied."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    if not agree:
        raise ValidationFailed("请阅读并勾选承诺内容", details={"agree": "请阅读并勾选承诺内容"})
    apply_transition(session, case, Action.SIGN_PLEDGE, actor=actor, now=now, duty=duties_text(case, Stage.INTAKE),
                     params={"text": PLEDGE_TEXT})
    case.pledge_signed_at = now
    case.pledge_text = PLEDGE_TEXT


def approve_on_pledge(ctx: Context, case: Application, *, expected_version: int | None = None,
                      terms: dict[str, Any] | None = None) -> Notice:
    """告知承诺制: accept and approve on the spot against the applicant's signed pledge, and open the
    事后核查 task due in ``ctx.settings.follow_up_check_days`` working days. Raises Conflict (item does not
    allow it, no signed pledge, the item separates acceptance and decision, state), PermissionDenied,
    ValidationFailed (the decision content, e.g. a validity the guide does not fix, keyed ``terms.NAME``)."""
    session, actor, now, calendar = ctx.session, ctx.user, ctx.now, ctx.calendar
    apply_transition(session, case, Action.APPROVE_ON_PLEDGE, actor=actor, now=now,
                     expected_version=expected_version, duty=duties_text(case, Stage.DECISION),
                     params={"pledge_signed_at": case.pledge_signed_at})
    today = local_date(now)
    if case.accepted_on is None:  # accepted and approved in one act at the window
        case.accepted_on = today
        refresh_deadlines(case, calendar, today)
    due = calendar.add_working_days(today, ctx.settings.follow_up_check_days).due
    case.checks.append(FollowUpCheck(town_id=case.town_id, due_on=due, created_at=now, result=CheckResult.PENDING))
    session.flush()
    return _approval_notice(ctx, case, "告知承诺制，当场准予许可", terms, pledge=True,
                            check_due_on=due.isoformat())


def record_check(ctx: Context, case: Application, *, passed: bool,
                 finding: str) -> FollowUpCheck:
    """事后核查 of a pledge: a true pledge closes the task; a false one revokes the approval with the
    finding as the reason (only a decider may). Raises ValidationFailed (no finding), Conflict (no
    pending check, state), PermissionDenied."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    text = _text(finding, "finding", "请写明核查情况")
    check = next((c for c in case.checks if c.result == CheckResult.PENDING), None)
    if passed:
        apply_transition(session, case, Action.PASS_CHECK, actor=actor, now=now,
                         duty=duties_text(case, Stage.SUPERVISION), reason=text)
    else:
        if check is None:
            from service_hall.core.errors import Conflict

            raise Conflict("本件没有待办的事后核查任务")
        revoke(ctx, case, reason=f"事后核查发现承诺不实：{text}", immediate="告知承诺不实")
    assert check is not None
    check.result = CheckResult.PASSED if passed else CheckResult.FAILED
    check.finding = text
    check.checked_at = now
    check.checked_by_id = actor.id
    return check


REVOCATION_ANSWER_DAYS = 5  # working days the holder has to state and defend (陈述申辩) by default


def notify_revocation(ctx: Context, case: Application, *, reason: str,
                      answer_days: int = REVOCATION_ANSWER_DAYS) -> Notice:
    """撤销前告知: tell the holder the facts and reasons of the intended revocation and the period to state
    and defend (陈述申辩). Raises ValidationFailed (no reason, a period outside 3–15 working days),
    Conflict (an intent is already open, state), PermissionDenied."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    text = _text(reason, "reason", "请写明拟撤销的事实和理由")
    if not 3 <= answer_days <= 15:
        raise ValidationFailed("陈述申辩期限有误", details={"answer_days": "陈述申辩期限应为3至15个工作日"})
    apply_transition(session, case, Action.NOTIFY_REVOCATION, actor=actor, now=now,
                     duty=duties_text(case, Stage.SUPERVISION), reason=text, params={"answer_days": answer_days})
    answer = ctx.calendar.add_working_days(local_date(now), answer_days)
    return _notice(session, case, NoticeKind.REVOCATION_INTENT, actor=actor, now=now, content={
        "reason": text, "answer_by": answer.due.isoformat(), "provisional": answer.provisional})


def submit_statement(ctx: Context, case: Application, *, statement: str) -> Notice:
    """陈述申辩: the holder answers the intended revocation (the answer is kept on the intent notice and
    shown to the decider). Raises ValidationFailed (blank), Conflict (nothing to answer, period over,
    already answered), PermissionDenied (not the holder)."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    text = _text(statement, "statement", "请填写陈述申辩意见", limit=2000)
    apply_transition(session, case, Action.SUBMIT_STATEMENT, actor=actor, now=now, reason=text)
    intent = revocation_intent(case)
    assert intent is not None  # the guard has checked
    intent.content = {**(intent.content or {}), "statement": text, "statement_at": now.isoformat()}
    return intent


def revoke(ctx: Context, case: Application, *, reason: str, immediate: str | None = None) -> Notice:
    """撤销: revoke an approval with the reason after hearing the holder (see :func:`notify_revocation`), or
    at once where the law allows it (``immediate`` names why); the applicant receives a 撤销决定书 with the
    remedies. Raises ValidationFailed (no reason), Conflict (the holder not heard yet, state),
    PermissionDenied."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    text = _text(reason, "reason", "请写明撤销的理由")
    apply_transition(session, case, Action.REVOKE, actor=actor, now=now, duty=duties_text(case, Stage.SUPERVISION),
                     reason=text, params={"immediate": immediate} if immediate else None)
    case.closed_at = now
    ctx.documents.revoke_certificates(session, case, actor=actor, now=now, reason=text or "")
    ways = remedies(session, case)
    return _notice(session, case, NoticeKind.REVOCATION, actor=actor, now=now, content={
        "decided_on": local_date(now).isoformat(), "authority": _authority(session, case), "reason": text,
        "remedies": ways["text"], "reconsideration_body": ways["reconsideration_body"]})


def deliver(ctx: Context, case: Application, *, channel: str, recipient: str,
            address: str = "", expected_version: int | None = None, signer_name: str = "",
            signer_relation: str = "", signed_at: dt.datetime | None = None, witness: str = "") -> Delivery:
    """送达: record how (电子 / 直接送达 at the window / 邮寄 / 留置), to whom, and who actually signed for
    it, how and when: the signer's name and relation (本人 or 代收人) and the time of signing (now when not
    given) for 直接送达 and 邮寄; a witness for 留置; the applicant's opening (or the deemed delivery) for
    电子送达. The case is finished. Raises ValidationFailed (unknown channel, no recipient, no address for
    post, no signer or relation, a signing time in the future or before the decision, no witness),
    Conflict, PermissionDenied."""
    session, actor, now = ctx.session, ctx.user, ctx.now
    errors = {}
    if channel not in {c.value for c in DeliveryChannel}:
        errors["channel"] = "请选择送达方式"
    recipient = (recipient or "").strip()
    address = (address or "").strip()
    signer_name, witness = (signer_name or "").strip(), (witness or "").strip()
    if not recipient or len(recipient) > 50:
        errors["recipient"] = "请填写受送达人（50字以内）"
    if channel == DeliveryChannel.POST.value and not address:
        errors["address"] = "邮寄送达须填写邮寄地址"
    if len(address) > 200:
        errors["address"] = "地址不能超过200字"
    signs = channel in {DeliveryChannel.WINDOW.value, DeliveryChannel.POST.value}
    if signs and (not signer_name or len(signer_name) > 50):
        errors["signer_name"] = "请填写实际签收人姓名（50字以内）"
    if signs and signer_relation not in SIGNER_RELATIONS:
        errors["signer_relation"] = "请选择签收人是受送达人本人还是代收人"
    if channel == DeliveryChannel.LEFT.value and (not witness or len(witness) > 50):
        errors["witness"] = "留置送达须填写见证人（50字以内）"
    if signs and signed_at is not None:
        if signed_at > now + dt.timedelta(minutes=5):
            errors["signed_at"] = "签收时间不能晚于现在"
        elif case.decided_at is not None and signed_at < case.decided_at:
            errors["signed_at"] = "签收时间不能早于作出决定的时间"
    if errors:
        raise ValidationFailed("送达信息有误", details=errors)
    result = next((n for n in reversed(case.notices) if n.kind.is_grant), None)
    apply_transition(session, case, Action.DELIVER, actor=actor, now=now, expected_version=expected_version,
                     duty=duties_text(case, Stage.DELIVERY), params={"channel": channel, "recipient": recipient})
    opened = events.receipt(session, result) if result and channel == DeliveryChannel.ELECTRONIC.value else {}
    if channel == DeliveryChannel.ELECTRONIC.value:
        # The applicant signs by opening it; a deemed delivery has no signer.
        opened_by_applicant = opened.get("delivery_rule") == "opened"
        signer_name, signer_relation = (recipient, "self") if opened_by_applicant else ("", "")
        signed_at = dt.datetime.fromisoformat(opened["opened_at"]) if opened.get("opened_at") else None
    elif signs:
        signed_at = signed_at or now
    else:
        signer_name, signer_relation, signed_at = "", "", None
    delivery = Delivery(channel=DeliveryChannel(channel), delivered_at=now, recipient=recipient, address=address,
                        document_number=result.number if result else "", recorded_by_id=actor.id,
                        signer_name=signer_name, signer_relation=signer_relation, signed_at=signed_at,
                        witness=witness if channel == DeliveryChannel.LEFT.value else "")
    case.deliveries.append(delivery)
    case.closed_at = now
    _notice(session, case, NoticeKind.DELIVERY, actor=actor, now=now, content={
        "document": result.number if result else None, "channel": channel,
        "channel_label": DeliveryChannel(channel).label, "recipient": recipient, "address": address,
        "delivered_at": now.isoformat(), "signer_name": delivery.signer_name,
        "signer_relation": delivery.signer_relation_label, "witness": delivery.witness,
        "signed_at": signed_at.isoformat() if signed_at else None, **opened})
    session.flush()
    return delivery
