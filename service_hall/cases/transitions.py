"""The status machine as one table per power type: (state, action) → (next state, who may, guard).

:data:`TABLE` is the 行政许可 procedure; :data:`TABLES` derives every other application power type's table
from it by the rows that type drops and adds (:data:`TYPE_CHANGES`; docs/architecture.md, "Procedures
by power type"). ``apply_transition`` is the only place a case changes status; it checks the table of the
case's power type, the actor's permission and the guard, and writes the audit record naming the duty
discharged.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from power_lists.models import DutyStage, PowerType
from service_hall.accounts.models import User
from service_hall.accounts.permissions import Permission
from service_hall.audit.trail import record
from service_hall.cases import events
from service_hall.cases.clock import local_date
from service_hall.cases.models import Application, CaseStatus, CheckResult, Recommendation
from service_hall.cases.rules import ItemRules, rules_for
from service_hall.core.errors import Conflict, PermissionDenied

S = CaseStatus


class Action(enum.StrEnum):
    SUBMIT = "submit"
    RESUBMIT = "resubmit"  # applicant answers the correction notice
    ACCEPT = "accept"
    ACCEPT_WITH_PLEDGE = "accept_with_pledge"  # 容缺受理
    REQUEST_CORRECTION = "request_correction"
    REFUSE = "refuse"  # 不予受理
    DEEM_ACCEPT = "deem_accept"  # nobody acted within 5 working days
    WITHDRAW = "withdraw"
    SIGN_PLEDGE = "sign_pledge"  # 告知承诺制: the applicant signs the pledge
    APPROVE_ON_PLEDGE = "approve_on_pledge"  # 告知承诺制: on-the-spot approval against the signed pledge
    START_SPECIAL = "start_special"
    END_SPECIAL = "end_special"
    RECORD_OPINION = "record_opinion"  # a reviewer's 审查意见
    COMPLETE_REVIEW = "complete_review"
    EXTEND = "extend"
    APPROVE = "approve"
    DENY = "deny"
    DELIVER = "deliver"
    PASS_CHECK = "pass_check"  # 事后核查: the pledge proved true
    NOTIFY_REVOCATION = "notify_revocation"  # 撤销前告知: the intended revocation, with a period to answer
    SUBMIT_STATEMENT = "submit_statement"  # 陈述申辩: the holder answers the intended revocation
    REVOKE = "revoke"
    NOTIFY_PARTY = "notify_party"  # 行政裁决: the other party receives the application and a period to answer
    RECORD_ANSWER = "record_answer"  # 行政裁决: the other party's written answer (答辩) is recorded
    # 一件事 (docs/bundles.md, "Order"): an item that takes another item's result as input waits for it.
    AWAIT_PREREQUISITE = "await_prerequisite"  # submitted with its bundle; no clock until the result
    START_AFTER_PREREQUISITE = "start_after_prerequisite"  # the result came: received that day
    TERMINATE = "terminate"  # the item it needed was refused, not granted or withdrawn

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.SUBMIT: "提交申请", Action.RESUBMIT: "提交补正材料", Action.ACCEPT: "受理",
    Action.ACCEPT_WITH_PLEDGE: "容缺受理", Action.REQUEST_CORRECTION: "一次性告知补正",
    Action.REFUSE: "不予受理", Action.DEEM_ACCEPT: "逾期自动受理", Action.WITHDRAW: "撤回申请",
    Action.SIGN_PLEDGE: "签署告知承诺书", Action.APPROVE_ON_PLEDGE: "告知承诺当场准予许可",
    Action.START_SPECIAL: "启动特别程序", Action.END_SPECIAL: "特别程序结束", Action.RECORD_OPINION: "提出审查意见",
    Action.COMPLETE_REVIEW: "审查完毕", Action.EXTEND: "延长办理期限", Action.APPROVE: "准予许可",
    Action.DENY: "不予许可", Action.DELIVER: "送达", Action.PASS_CHECK: "事后核查属实",
    Action.NOTIFY_REVOCATION: "拟撤销告知", Action.SUBMIT_STATEMENT: "提出陈述申辩", Action.REVOKE: "撤销",
    Action.NOTIFY_PARTY: "通知对方当事人答辩", Action.RECORD_ANSWER: "记录对方当事人答辩",
    Action.AWAIT_PREREQUISITE: "提交申请（待前置事项办结）", Action.START_AFTER_PREREQUISITE: "前置事项办结，开始办理",
    Action.TERMINATE: "终止办理",
}


class Actor(enum.Enum):
    """Who may take an action that is not a staff permission."""

    APPLICANT = "applicant"  # the case's own applicant
    SYSTEM = "system"  # the deadline sweep


# The flow's stages are the 责任清单's stages: one enum, owned by the list.
Stage = DutyStage


@dataclass(frozen=True)
class GuardContext:
    case: Application
    actor: User | None
    now: dt.datetime
    params: dict[str, Any]


Guard = Callable[[GuardContext], None]  # raises a DomainError to refuse


@dataclass(frozen=True)
class Transition:
    to: CaseStatus
    who: tuple[Permission | Actor, ...]
    stage: Stage
    guard: Guard | None = None


def _rules(ctx: GuardContext) -> ItemRules:
    return rules_for(ctx.case.power_item)


def _today(ctx: GuardContext) -> dt.date:
    return local_date(ctx.now)


def _no_second_correction(ctx: GuardContext) -> None:
    """一次性告知: all missing items in one notice, so a second request is refused."""
    if ctx.case.corrections:
        raise Conflict("本件已发出过一次性补正告知，依法不得再次要求补正")


def _within_intake_period(ctx: GuardContext) -> None:
    """The correction notice is due within 5 working days of receipt (行政许可法 第三十二条)."""
    if ctx.case.intake_due_on is not None and _today(ctx) > ctx.case.intake_due_on:
        raise Conflict(f"已超过五个工作日的受理审查期限（{ctx.case.intake_due_on}），依法视为受理，不得再要求补正")


def _refusal_allowed(ctx: GuardContext) -> None:
    """Within the 5 working days of the intake period: after it the application is deemed accepted."""
    if ctx.case.intake_due_on is not None and _today(ctx) > ctx.case.intake_due_on:
        raise Conflict(f"已超过五个工作日的受理审查期限（{ctx.case.intake_due_on}），依法视为受理，不得不予受理")


def _correction_allowed(ctx: GuardContext) -> None:
    """Once only (一次性告知), and within the 5 working days of the intake period."""
    _no_second_correction(ctx)
    _within_intake_period(ctx)


def _not_extended(ctx: GuardContext) -> None:
    if ctx.case.extension_days:
        raise Conflict("本件已延长过一次办理期限，不得再次延长")


def _extension_allowed(ctx: GuardContext) -> None:
    """One extension of 10 working days, approved before the statutory limit runs out (第四十二条)."""
    _not_extended(ctx)
    due = ctx.case.statutory_due_on
    if due is not None and _today(ctx) > due:
        raise Conflict(f"法定办理期限已于 {due} 届满，不能再延长")


def _pledge_item(ctx: GuardContext) -> None:
    """The item allows 告知承诺制."""
    if not _rules(ctx).pledge_allowed:
        raise Conflict("本事项不适用告知承诺制")


def _pledge_not_signed(ctx: GuardContext) -> None:
    """The item allows 告知承诺制 and the pledge is not yet signed."""
    _pledge_item(ctx)
    if ctx.case.pledge_signed_at is not None:
        raise Conflict("已签署告知承诺书，无需重复签署")


def _accepted_by(ctx: GuardContext) -> int | None:
    """Who accepted the case, from the audit trail (the authoritative record of who did what)."""
    from service_hall.audit.models import AuditRecord

    session = object_session(ctx.case)
    assert session is not None
    return session.scalar(select(AuditRecord.actor_id).where(
        AuditRecord.object_type == "application", AuditRecord.object_id == str(ctx.case.id),
        AuditRecord.action.in_([f"case.{Action.ACCEPT.value}", f"case.{Action.ACCEPT_WITH_PLEDGE.value}"]))
        .order_by(AuditRecord.seq.desc()).limit(1))


def _separate_decider(ctx: GuardContext, *, deciding_at_intake: bool = False) -> None:
    """审批分离: where the item requires it, whoever accepted the case may not decide it."""
    if not _rules(ctx).separate_decider or ctx.actor is None:
        return
    if deciding_at_intake or _accepted_by(ctx) == ctx.actor.id:
        raise Conflict("本事项实行受理与决定分离，受理人不得对本件作出决定，请由其他负责人决定")


def _approve_on_pledge(ctx: GuardContext) -> None:
    """告知承诺制 item, pledge signed, and the item does not separate acceptance from decision."""
    _pledge_item(ctx)
    if ctx.case.pledge_signed_at is None:
        raise Conflict("申请人尚未签署告知承诺书，不能当场准予许可")
    _separate_decider(ctx, deciding_at_intake=True)


def _approve_on_pledge_accepted(ctx: GuardContext) -> None:
    """告知承诺制 after the window accepted: pledge signed, no review opinion against it yet, and the
    head is not the one who accepted where the item separates the two."""
    _pledge_item(ctx)
    if ctx.case.pledge_signed_at is None:
        raise Conflict("申请人尚未签署告知承诺书，不能依承诺准予许可")
    if ctx.case.reviews:
        raise Conflict("本件已进入审查，请按审查结论作出决定")
    _separate_decider(ctx)


def _reviewers_needed(ctx: GuardContext) -> None:
    """审查: at least one opinion; two from different reviewers where the item requires it."""
    needed = 2 if _rules(ctx).two_reviewers else 1
    have = len({r.reviewer_id for r in ctx.case.reviews})
    if have < needed:
        if needed == 2:
            raise Conflict(f"本事项须由两名不同的审查人员分别提出审查意见，目前仅有 {have} 份")
        raise Conflict("尚无审查意见，请先提出审查意见")


def _new_reviewer(ctx: GuardContext) -> None:
    """One opinion per reviewer per case (the second of two reviewers must be someone else)."""
    if ctx.actor is not None and any(r.reviewer_id == ctx.actor.id for r in ctx.case.reviews):
        raise Conflict("您已对本件提出过审查意见，须由另一名审查人员审查")


def _deferred_supplied(ctx: GuardContext) -> None:
    """容缺受理: the materials deferred at acceptance have been supplied (a denial may still be made)."""
    if ctx.case.pledge_materials:
        names = {m.code: m.name for m in _rules(ctx).materials}
        missing = "、".join(names.get(code, code) for code in ctx.case.pledge_materials)
        raise Conflict(f"容缺受理的材料（{missing}）尚未补交，补齐后方可准予许可")


def _approve_reviewed(ctx: GuardContext) -> None:
    """Enough distinct reviewers, the deciding head did not accept the case where the item separates
    the two, and no deferred (容缺) material is still missing."""
    _decide_reviewed(ctx)
    _deferred_supplied(ctx)


def _approve_on_the_spot(ctx: GuardContext) -> None:
    """A 即办件 decided on acceptance day, with no deferred (容缺) material still missing."""
    _decide_on_the_spot(ctx)
    _deferred_supplied(ctx)


def _decide_reviewed(ctx: GuardContext) -> None:
    """Enough distinct reviewers, and the decider did not accept the case where the item separates the two."""
    _reviewers_needed(ctx)
    _separate_decider(ctx)


def _decide_on_the_spot(ctx: GuardContext) -> None:
    """即办件 are decided the day they are accepted, without a separate review stage; other items are not."""
    if not _rules(ctx).immediate:
        _reviewers_needed(ctx)
        raise Conflict("本事项须先完成审查（审查完毕）后再作决定")
    _separate_decider(ctx)


def _pending_check(ctx: GuardContext) -> None:
    """An open 事后核查 task exists (approval on a 告知承诺 pledge)."""
    if not any(c.result == CheckResult.PENDING for c in ctx.case.checks):
        raise Conflict("本件没有待办的事后核查任务")


def revocation_intent(case: Application) -> Any:
    """The open 撤销事先告知 of the case: the latest intent notice not followed by a revocation, or None."""
    from service_hall.documents.kinds import NoticeKind

    for notice in reversed(case.notices):
        if notice.kind is NoticeKind.REVOCATION:
            return None
        if notice.kind is NoticeKind.REVOCATION_INTENT:
            return None if (notice.content or {}).get("withdrawn") else notice
    return None


def _no_open_intent(ctx: GuardContext) -> None:
    """No intended revocation is already waiting for the holder's answer."""
    if revocation_intent(ctx.case) is not None:
        raise Conflict("已告知拟撤销，正在等待申请人陈述申辩")


def _statement_open(ctx: GuardContext) -> None:
    """An intended revocation was notified, its period to answer has not passed, and no answer yet."""
    intent = revocation_intent(ctx.case)
    if intent is None:
        raise Conflict("本件没有拟撤销的告知，无需陈述申辩")
    content = intent.content or {}
    if content.get("statement"):
        raise Conflict("已提出陈述申辩意见")
    if _today(ctx) > dt.date.fromisoformat(content["answer_by"]):
        raise Conflict(f"陈述申辩期限已于 {content['answer_by']} 届满")


def _holder_heard(ctx: GuardContext) -> None:
    """陈述申辩 (行政许可法 第七条、第三十六条): a revocation follows a notice of the intended revocation and
    the holder's answer or the end of the period to answer — unless the law allows immediate action
    (a false 告知承诺 pledge found at the follow-up check)."""
    if ctx.params.get("immediate"):
        return
    intent = revocation_intent(ctx.case)
    if intent is None:
        raise Conflict("撤销许可前须先告知拟撤销的事实、理由和依据，并听取申请人的陈述申辩")
    content = intent.content or {}
    if not content.get("statement") and _today(ctx) <= dt.date.fromisoformat(content["answer_by"]):
        raise Conflict(f"陈述申辩期限至 {content['answer_by']}，期满或申请人提出意见后方可作出撤销决定")


_REVIEW = (Permission.CASE_REVIEW,)
_DECIDE = (Permission.CASE_DECIDE,)
_APPLICANT = (Actor.APPLICANT,)

TABLE: dict[tuple[CaseStatus, Action], Transition] = {
    (S.DRAFT, Action.SUBMIT): Transition(S.SUBMITTED, (Actor.APPLICANT, Permission.CASE_FILE_ON_BEHALF), Stage.INTAKE),
    (S.DRAFT, Action.WITHDRAW): Transition(S.WITHDRAWN, _APPLICANT, Stage.OTHER),
    (S.DRAFT, Action.AWAIT_PREREQUISITE): Transition(S.AWAITING_PREREQUISITE, (Actor.APPLICANT,
                                                                             Permission.CASE_FILE_ON_BEHALF),
                                                     Stage.INTAKE),
    (S.AWAITING_PREREQUISITE, Action.START_AFTER_PREREQUISITE): Transition(S.SUBMITTED, (Actor.SYSTEM,), Stage.INTAKE),
    (S.AWAITING_PREREQUISITE, Action.TERMINATE): Transition(S.TERMINATED, (Actor.SYSTEM,), Stage.OTHER),
    (S.AWAITING_PREREQUISITE, Action.WITHDRAW): Transition(S.WITHDRAWN, _APPLICANT, Stage.OTHER),
    # The bundle's materials are one set: its one 一次性告知 may name a waiting item's missing pieces too.
    (S.AWAITING_PREREQUISITE, Action.REQUEST_CORRECTION): Transition(S.AWAITING_PREREQUISITE,
                                                                     (Permission.CASE_INTAKE,), Stage.INTAKE,
                                                                     _no_second_correction),
    (S.AWAITING_PREREQUISITE, Action.RESUBMIT): Transition(S.AWAITING_PREREQUISITE,
                                                           (Actor.APPLICANT, Permission.CASE_FILE_ON_BEHALF),
                                                           Stage.INTAKE),
    (S.SUBMITTED, Action.ACCEPT): Transition(S.ACCEPTED, (Permission.CASE_INTAKE,), Stage.INTAKE),
    (S.SUBMITTED, Action.ACCEPT_WITH_PLEDGE): Transition(S.ACCEPTED, (Permission.CASE_INTAKE,), Stage.INTAKE),
    (S.SUBMITTED, Action.REQUEST_CORRECTION): Transition(S.CORRECTION_REQUESTED, (Permission.CASE_INTAKE,),
                                                         Stage.INTAKE, _correction_allowed),
    (S.SUBMITTED, Action.REFUSE): Transition(S.REFUSED, (Permission.CASE_INTAKE,), Stage.INTAKE, _refusal_allowed),
    (S.SUBMITTED, Action.DEEM_ACCEPT): Transition(S.ACCEPTED, (Actor.SYSTEM,), Stage.INTAKE),
    (S.SUBMITTED, Action.WITHDRAW): Transition(S.WITHDRAWN, _APPLICANT, Stage.OTHER),
    (S.SUBMITTED, Action.SIGN_PLEDGE): Transition(S.SUBMITTED, _APPLICANT, Stage.INTAKE, _pledge_not_signed),
    (S.SUBMITTED, Action.APPROVE_ON_PLEDGE): Transition(S.APPROVED, _DECIDE, Stage.DECISION, _approve_on_pledge),
    (S.CORRECTION_REQUESTED, Action.RESUBMIT): Transition(S.SUBMITTED, (Actor.APPLICANT,
                                                                        Permission.CASE_FILE_ON_BEHALF), Stage.INTAKE),
    (S.CORRECTION_REQUESTED, Action.WITHDRAW): Transition(S.WITHDRAWN, _APPLICANT, Stage.OTHER),
    (S.ACCEPTED, Action.SIGN_PLEDGE): Transition(S.ACCEPTED, _APPLICANT, Stage.INTAKE, _pledge_not_signed),
    (S.ACCEPTED, Action.APPROVE_ON_PLEDGE): Transition(S.APPROVED, _DECIDE, Stage.DECISION,
                                                      _approve_on_pledge_accepted),
    (S.ACCEPTED, Action.START_SPECIAL): Transition(S.SPECIAL_PROCEDURE, _REVIEW, Stage.REVIEW),
    (S.ACCEPTED, Action.RECORD_OPINION): Transition(S.ACCEPTED, _REVIEW, Stage.REVIEW, _new_reviewer),
    (S.ACCEPTED, Action.COMPLETE_REVIEW): Transition(S.REVIEWED, _REVIEW, Stage.REVIEW, _reviewers_needed),
    (S.ACCEPTED, Action.EXTEND): Transition(S.ACCEPTED, _DECIDE, Stage.DECISION, _extension_allowed),
    (S.ACCEPTED, Action.APPROVE): Transition(S.APPROVED, _DECIDE, Stage.DECISION, _approve_on_the_spot),
    (S.ACCEPTED, Action.DENY): Transition(S.DENIED, _DECIDE, Stage.DECISION, _decide_on_the_spot),
    (S.ACCEPTED, Action.WITHDRAW): Transition(S.WITHDRAWN, _APPLICANT, Stage.OTHER),
    (S.SPECIAL_PROCEDURE, Action.END_SPECIAL): Transition(S.ACCEPTED, _REVIEW, Stage.REVIEW),
    (S.SPECIAL_PROCEDURE, Action.RECORD_OPINION): Transition(S.SPECIAL_PROCEDURE, _REVIEW, Stage.REVIEW,
                                                             _new_reviewer),
    (S.SPECIAL_PROCEDURE, Action.EXTEND): Transition(S.SPECIAL_PROCEDURE, _DECIDE, Stage.DECISION,
                                                     _extension_allowed),
    (S.SPECIAL_PROCEDURE, Action.WITHDRAW): Transition(S.WITHDRAWN, _APPLICANT, Stage.OTHER),
    (S.REVIEWED, Action.EXTEND): Transition(S.REVIEWED, _DECIDE, Stage.DECISION, _extension_allowed),
    (S.REVIEWED, Action.WITHDRAW): Transition(S.WITHDRAWN, _APPLICANT, Stage.OTHER),
    (S.REVIEWED, Action.APPROVE): Transition(S.APPROVED, _DECIDE, Stage.DECISION, _approve_reviewed),
    (S.REVIEWED, Action.DENY): Transition(S.DENIED, _DECIDE, Stage.DECISION, _decide_reviewed),
    (S.APPROVED, Action.DELIVER): Transition(S.DELIVERED, (Permission.CERTIFICATE_ISSUE,), Stage.DELIVERY),
    (S.APPROVED, Action.PASS_CHECK): Transition(S.APPROVED, _REVIEW, Stage.SUPERVISION, _pending_check),
    (S.APPROVED, Action.NOTIFY_REVOCATION): Transition(S.APPROVED, _DECIDE, Stage.SUPERVISION, _no_open_intent),
    (S.APPROVED, Action.SUBMIT_STATEMENT): Transition(S.APPROVED, _APPLICANT, Stage.SUPERVISION, _statement_open),
    (S.APPROVED, Action.REVOKE): Transition(S.REVOKED, _DECIDE, Stage.SUPERVISION, _holder_heard),
    (S.DELIVERED, Action.PASS_CHECK): Transition(S.DELIVERED, _REVIEW, Stage.SUPERVISION, _pending_check),
    (S.DELIVERED, Action.NOTIFY_REVOCATION): Transition(S.DELIVERED, _DECIDE, Stage.SUPERVISION, _no_open_intent),
    (S.DELIVERED, Action.SUBMIT_STATEMENT): Transition(S.DELIVERED, _APPLICANT, Stage.SUPERVISION, _statement_open),
    (S.DELIVERED, Action.REVOKE): Transition(S.REVOKED, _DECIDE, Stage.SUPERVISION, _holder_heard),
}


def party_notice(case: Application) -> Any:
    """行政裁决: the latest 答辩通知书 sent to the other party, or None."""
    from service_hall.documents.kinds import NoticeKind

    return next((n for n in reversed(case.notices) if n.kind is NoticeKind.PARTY_NOTICE), None)


def _party_not_notified(ctx: GuardContext) -> None:
    """The other party has not been sent the application yet (one notice per case)."""
    if party_notice(ctx.case) is not None:
        raise Conflict("已通知对方当事人答辩，无需重复通知")


def _answer_open(ctx: GuardContext) -> None:
    """The other party was notified and has not answered yet (an answer after the period is still heard)."""
    notice = party_notice(ctx.case)
    if notice is None:
        raise Conflict("尚未通知对方当事人，不能记录答辩")
    if (notice.content or {}).get("answer"):
        raise Conflict("已记录对方当事人的答辩意见")


def _both_parties_heard(ctx: GuardContext) -> None:
    """行政裁决 hears both sides: the other party was notified, and answered or let the period pass."""
    notice = party_notice(ctx.case)
    if notice is None:
        raise Conflict("行政裁决须先将申请书副本送达对方当事人并听取其答辩")
    content = notice.content or {}
    if not content.get("answer") and _today(ctx) <= dt.date.fromisoformat(content["answer_by"]):
        raise Conflict(f"对方当事人答辩期限至 {content['answer_by']}，答辩或期满后方可作出裁决")


def _heard_and_reviewed(ctx: GuardContext) -> None:
    """Both parties heard, and enough distinct reviewers (行政裁决)."""
    _both_parties_heard(ctx)
    _reviewers_needed(ctx)


def _heard_and_decided_after_review(ctx: GuardContext) -> None:
    """Both parties heard, then the reviewed case decided by someone other than the acceptor where required."""
    _both_parties_heard(ctx)
    _decide_reviewed(ctx)


def _service_done(ctx: GuardContext) -> None:
    """公共服务: done once accepted (no review stage required), no deferred material still missing, and by
    someone other than the acceptor where the item separates the two."""
    _separate_decider(ctx)
    _deferred_supplied(ctx)


@dataclass(frozen=True)
class TypeChanges:
    """How one power type's procedure differs from the 行政许可 table: actions it does not have at all
    (with the reason given when someone tries one), rows replaced or added, and its own names for actions."""

    without: frozenset[Action] = frozenset()
    without_reason: str = ""
    rows: dict[tuple[CaseStatus, Action], Transition | None] | None = None  # None: the row is dropped
    labels: dict[Action, str] | None = None


_PLEDGE_AND_REVOCATION = frozenset({Action.SIGN_PLEDGE, Action.APPROVE_ON_PLEDGE, Action.PASS_CHECK,
                                    Action.NOTIFY_REVOCATION, Action.SUBMIT_STATEMENT, Action.REVOKE})
_ADJUDICATION_ONLY = frozenset({Action.NOTIFY_PARTY, Action.RECORD_ANSWER})

TYPE_CHANGES: dict[PowerType, TypeChanges] = {
    PowerType.LICENSING: TypeChanges(),
    PowerType.BENEFIT: TypeChanges(
        without=_PLEDGE_AND_REVOCATION, without_reason="行政给付事项不适用告知承诺制和行政许可的撤销程序",
        labels={Action.APPROVE: "决定给付", Action.DENY: "不予给付"}),
    PowerType.CONFIRMATION: TypeChanges(
        without=_PLEDGE_AND_REVOCATION, without_reason="行政确认事项不适用告知承诺制和行政许可的撤销程序",
        labels={Action.APPROVE: "予以确认", Action.DENY: "不予确认"}),
    PowerType.REWARD: TypeChanges(
        without=_PLEDGE_AND_REVOCATION, without_reason="行政奖励事项不适用告知承诺制和行政许可的撤销程序",
        labels={Action.APPROVE: "决定奖励", Action.DENY: "不予奖励"}),
    PowerType.ADJUDICATION: TypeChanges(
        without=_PLEDGE_AND_REVOCATION, without_reason="行政裁决事项不适用告知承诺制和行政许可的撤销程序",
        rows={
            (S.ACCEPTED, Action.NOTIFY_PARTY): Transition(S.ACCEPTED, _REVIEW, Stage.REVIEW, _party_not_notified),
            (S.ACCEPTED, Action.RECORD_ANSWER): Transition(S.ACCEPTED, _REVIEW, Stage.REVIEW, _answer_open),
            (S.SPECIAL_PROCEDURE, Action.RECORD_ANSWER): Transition(S.SPECIAL_PROCEDURE, _REVIEW, Stage.REVIEW,
                                                                    _answer_open),
            (S.ACCEPTED, Action.COMPLETE_REVIEW): Transition(S.REVIEWED, _REVIEW, Stage.REVIEW, _heard_and_reviewed),
            (S.REVIEWED, Action.APPROVE): Transition(S.APPROVED, _DECIDE, Stage.DECISION,
                                                     _heard_and_decided_after_review),
            (S.REVIEWED, Action.DENY): Transition(S.DENIED, _DECIDE, Stage.DECISION,
                                                  _heard_and_decided_after_review),
            # Never on the spot: both parties are heard and the case reviewed first.
            (S.ACCEPTED, Action.APPROVE): None, (S.ACCEPTED, Action.DENY): None,
        },
        labels={Action.APPROVE: "作出裁决", Action.DENY: "驳回裁决申请"}),
    PowerType.PUBLIC_SERVICE: TypeChanges(
        without=_PLEDGE_AND_REVOCATION | {Action.START_SPECIAL, Action.END_SPECIAL, Action.EXTEND},
        without_reason="公共服务事项按承诺时限办结，不适用告知承诺、特别程序、延长法定期限和撤销程序",
        rows={
            (S.ACCEPTED, Action.APPROVE): Transition(S.APPROVED, _DECIDE, Stage.DECISION, _service_done),
            (S.ACCEPTED, Action.DENY): Transition(S.DENIED, _DECIDE, Stage.DECISION, _separate_decider),
        },
        labels={Action.APPROVE: "办结", Action.DENY: "不予办理"}),
    PowerType.OTHER: TypeChanges(
        without=_PLEDGE_AND_REVOCATION, without_reason="本事项不是行政许可，不适用告知承诺制和行政许可的撤销程序",
        labels={Action.APPROVE: "准予办理", Action.DENY: "不予办理"}),
}


#: What a reviewer may recommend in each power type's procedure (审查结论): the pages and the API both
#: read this one table, so a 给付 reviewer recommends 建议给付, never 建议准予许可.
RECOMMENDATION_LABELS: dict[PowerType, dict[Recommendation, str]] = {
    PowerType.LICENSING: {Recommendation.APPROVE: "建议准予许可", Recommendation.DENY: "建议不予许可"},
    PowerType.BENEFIT: {Recommendation.APPROVE: "建议给付", Recommendation.DENY: "建议不予给付"},
    PowerType.CONFIRMATION: {Recommendation.APPROVE: "建议予以确认", Recommendation.DENY: "建议不予确认"},
    PowerType.REWARD: {Recommendation.APPROVE: "建议给予奖励", Recommendation.DENY: "建议不予奖励"},
    PowerType.ADJUDICATION: {Recommendation.APPROVE: "建议作出裁决", Recommendation.DENY: "建议驳回裁决申请"},
    PowerType.PUBLIC_SERVICE: {Recommendation.APPROVE: "建议办结", Recommendation.DENY: "建议不予办理"},
    PowerType.OTHER: {Recommendation.APPROVE: "建议准予办理", Recommendation.DENY: "建议不予办理"},
}


def recommendation_label(power_type: PowerType, recommendation: Recommendation | str) -> str:
    """The words of ``recommendation`` in ``power_type``'s procedure (建议给付 for a 给付)."""
    labels = RECOMMENDATION_LABELS.get(power_type, RECOMMENDATION_LABELS[PowerType.OTHER])
    return labels[Recommendation(recommendation)]


def recommendation_choices(power_type: PowerType) -> str:
    """The choices in one phrase for the message when none was picked (请选择建议给付或建议不予给付)."""
    labels = RECOMMENDATION_LABELS.get(power_type, RECOMMENDATION_LABELS[PowerType.OTHER])
    return f"{labels[Recommendation.APPROVE]}或{labels[Recommendation.DENY]}"


def _table_of(changes: TypeChanges) -> dict[tuple[CaseStatus, Action], Transition]:
    table = {key: t for key, t in TABLE.items() if key[1] not in changes.without}
    for key, row in (changes.rows or {}).items():
        if row is None:
            table.pop(key, None)
        else:
            table[key] = row
    return table


#: The table of each application power type (the types that take no application have none).
TABLES: dict[PowerType, dict[tuple[CaseStatus, Action], Transition]] = {
    power_type: _table_of(changes) for power_type, changes in TYPE_CHANGES.items()}


def power_type_of(case: Application) -> PowerType:
    """The power type whose procedure the case follows (the type of the list row it is pinned to)."""
    return procedure_type(case.power_item.power_type)


def procedure_type(power_type: PowerType) -> PowerType:
    """The power type whose procedure an item of ``power_type`` follows: its own, or 其他 for a type
    without one."""
    return power_type if power_type in TABLES else PowerType.OTHER


def table_for(case: Application) -> dict[tuple[CaseStatus, Action], Transition]:
    return TABLES[power_type_of(case)]


def action_label(power_type: PowerType, action: Action) -> str:
    """The name of ``action`` in ``power_type``'s procedure (准予许可 is 决定给付 for a 给付)."""
    return (TYPE_CHANGES[power_type].labels or {}).get(action) or action.label


def refusal_reason(power_type: PowerType, state: CaseStatus, action: Action) -> str:
    """Why the table of ``power_type`` refuses ``action`` in ``state``, in words for the person."""
    changes = TYPE_CHANGES[power_type]
    label = action_label(power_type, action)
    if action in changes.without:
        return f"{changes.without_reason}（“{label}”）"
    if action in _ADJUDICATION_ONLY and power_type is not PowerType.ADJUDICATION:
        return f"“{label}”仅适用于行政裁决事项"
    return f"当前状态（{state.label}）不能执行“{label}”"


def authorised(transition: Transition, case: Application, actor: User | None) -> bool:
    """Whether ``actor`` (None: the system) is among those the transition names. Raises nothing."""
    for who in transition.who:
        if who is Actor.SYSTEM and actor is None:
            return True
        if who is Actor.APPLICANT and actor is not None and actor.id == case.applicant_id:
            return True
        if isinstance(who, Permission) and actor is not None and actor.can(who):
            return True
    return False


def apply_transition(session: Session, case: Application, action: Action, *, actor: User | None,
                     now: dt.datetime, duty: str | None = None, reason: str | None = None,
                     params: dict[str, Any] | None = None, expected_version: int | None = None) -> Transition:
    """Move ``case`` along the table and audit it.

    Raises Conflict when the case changed since the actor looked at it (``expected_version``) or when
    its state does not allow the action; PermissionDenied when the actor may not take it; whatever
    the guard raises. On refusal for lack of permission the attempt itself is audited by the caller.
    """
    if expected_version is not None and case.row_version != expected_version:
        raise Conflict("该件已被他人处理，请刷新页面查看最新状态")
    power_type = power_type_of(case)
    transition = TABLES[power_type].get((case.status, action))
    if transition is None:
        raise Conflict(refusal_reason(power_type, case.status, action))
    if not authorised(transition, case, actor):
        raise PermissionDenied(f"您无权执行“{action_label(power_type, action)}”")
    if transition.guard is not None:
        transition.guard(GuardContext(case, actor, now, params or {}))
    before = case.status
    case.status = transition.to
    case.updated_at = now
    record(session, actor=actor, action=f"case.{action.value}", object_type="application", object_id=case.id,
           now=now, jurisdiction_id=case.town_id, from_state=before.value, to_state=transition.to.value,
           reason=reason, duty=duty, payload=params)
    events.transition(session, case, action, before=before.value, now=now, actor=actor)  # the outbox
    return transition


DESIGN_NOTES = """## Design notes

- **即办件 (immediate items)** are decided the day they are accepted, without a review stage:
  `(accepted, approve|deny)` is allowed only for them (`_decide_on_the_spot`). A service hall does it either
  way: the clerk accepts and the head (负责人, role `decider`) approves the same day; or a head at the window,
  who also holds intake rights, accepts and approves in one visit (`review.decide_on_the_spot`, two audited
  steps in one transaction — the workbench's “受理并准予许可” button).
- **告知承诺制**: the applicant signs the pledge (`sign_pledge`, portal or API); a head then approves on the
  spot (`approve_on_pledge`: acceptance and approval in one act) and a 事后核查 task is opened, due in
  `FOLLOW_UP_CHECK_DAYS` (20) working days. A true pledge closes it (`pass_check`); a false one revokes the
  approval (`revoke`, reason = the finding). Approving a license is always a head's power, never a clerk's.
- **审批分离**: where the item sets `separate_decider`, whoever accepted the case (from the audit trail) may not
  decide it — so such items cannot be decided on the spot or on a pledge.
- **Review**: each reviewer records one opinion (`record_opinion`); items with `two_reviewers` need opinions
  from two different reviewers before `complete_review`, and the decision re-checks it.
- **Special procedures** (听证, 现场勘验, 检验检测检疫, 专家评审) stop the clock from their first to their last day;
  while one runs, the limits are shown as the earliest they can be (the pause counted up to today) and the
  case is never flagged overdue; when it ends, both limits are recomputed.
- **Extension**: once, 10 working days, before the statutory limit has passed, with a reason sent to the
  applicant in a 延长期限告知书; only the statutory limit moves.
- **Revocation** (撤销, 第六十九条) hears the holder first: `notify_revocation` issues the 撤销行政许可事先告知书
  with the facts and a period to answer; the holder may `submit_statement` (陈述申辩); `revoke` is allowed once
  the holder answered or the period ended. A false 告知承诺 pledge found at the follow-up check revokes at
  once (`immediate`).
- **一件事 order** (docs/bundles.md, "Order"): an item whose input is another item's result is submitted with
  its bundle into `awaiting_prerequisite` (`await_prerequisite`): not yet received, so no intake period,
  no deemed acceptance and no deadlines. When every item it needs is granted, the system starts it
  (`start_after_prerequisite`): received that day, its clock runs from then. The bundle's one 一次性告知
  may list its missing pieces while it waits (`request_correction` and `resubmit` keep it waiting).
  When one of them is refused, not granted or withdrawn, the system ends it (`terminate`, 终止办理) with
  the reason; the applicant may withdraw it while it waits.
- **Refusals that concern a power** (409 from the table or a guard, 403 from the table's actor check, 404 for
  another town's case) are recorded as `case.refused_attempt` in a transaction of their own after the
  attempt is rolled back; those that reveal a 追责情形 (a second correction, a correction or refusal after
  the intake period) raise it. Requests refused earlier by the role check (`@requires`) are not recorded.
"""


def _who_label(who: Permission | Actor) -> str:
    if isinstance(who, Actor):
        return {"applicant": "申请人本人", "system": "系统"}[who.value]
    return f"`{who.value}`"


def status_machine_markdown() -> str:
    """The status machine as a Markdown page with a Mermaid diagram, generated from :data:`TABLE`
    (``scripts/status_machine.py`` writes it to ``docs/status-machine.md``; a test keeps them equal)."""
    lines = [
        "# 办件状态流转 — the status machine",
        "",
        "Generated from `TABLE` in `service_hall/cases/transitions.py` by `scripts/status_machine.py`;",
        "`tests/review/test_status_machine.py` fails when this page and the table differ. Every other",
        "(state, action) pair is refused with 409 and changes nothing.",
        "",
        "```mermaid",
        "stateDiagram-v2",
        f"    [*] --> {S.DRAFT.value}",
    ]
    for (state, action), t in TABLE.items():
        lines.append(f"    {state.value} --> {t.to.value}: {action.value}")
    for state in CaseStatus:
        if state.is_final:
            lines.append(f"    {state.value} --> [*]")
    lines += ["```", "", "| from | action | to | who | guard |", "|---|---|---|---|---|"]
    for (state, action), t in TABLE.items():
        who = ", ".join(_who_label(w) for w in t.who)
        guard = ""
        if t.guard is not None:
            doc = (t.guard.__doc__ or "").strip().splitlines()
            guard = f"`{t.guard.__name__}`" + (f" — {doc[0]}" if doc else "")
        lines.append(f"| {state.value} {state.label} | {action.value} {action.label} | {t.to.value} {t.to.label} "
                     f"| {who} | {guard} |")
    lines += ["", "## By power type", "",
              "The table above is the 行政许可 procedure. Every other application power type follows it with",
              "these differences (`TYPE_CHANGES`); its decisions and outcomes are in docs/architecture.md,",
              "\"Procedures by power type\".", "",
              "| power type | without | rows added or replaced | rows dropped | approve / deny called |",
              "|---|---|---|---|---|"]
    for power_type, changes in TYPE_CHANGES.items():
        if power_type is PowerType.LICENSING:
            continue
        rows = changes.rows or {}
        added = "; ".join(f"{st.value} {a.value} → {t.to.value}" + (f" (`{t.guard.__name__}`)" if t.guard else "")
                          for (st, a), t in rows.items() if t is not None)
        dropped = "; ".join(f"{st.value} {a.value}" for (st, a), t in rows.items() if t is None)
        lines.append(f"| {power_type.value} {power_type.label} | {', '.join(sorted(a.value for a in changes.without))} "
                     f"| {added} | {dropped} | {action_label(power_type, Action.APPROVE)} / "
                     f"{action_label(power_type, Action.DENY)} |")
    lines += ["", *DESIGN_NOTES.splitlines(), ""]
    return "\n".join(lines)
