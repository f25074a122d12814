"""Every case action, once (docs/architecture.md, "Case actions").

An entry names the transition it takes (whose permission and state come from the status table in
:mod:`service_hall.cases.transitions`), its audience, its input schema (:mod:`service_hall.cases.schemas`),
its domain operation and the message shown when it is done. The workbench, the applicant portal and the
JSON API generate their routes from :data:`ACTIONS`; templates ask :func:`allowed_actions` what the person
looking at a case may do now. Adding an action is one entry here and its domain operation.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from power_lists.models import PowerType
from service_hall.accounts.models import User
from service_hall.accounts.permissions import Permission
from service_hall.cases import intake, ratings, review
from service_hall.cases import schemas as s
from service_hall.cases.context import Context
from service_hall.cases.models import Application, CheckResult
from service_hall.cases.rules import rules_for
from service_hall.cases.transitions import (
    TABLES,
    Action,
    GuardContext,
    action_label,
    authorised,
    power_type_of,
    table_for,
)
from service_hall.core.errors import DomainError


class Audience(enum.StrEnum):
    STAFF = "staff"  # window, review and decision staff of the case's town: /workbench, /api/v1/cases
    APPLICANT = "applicant"  # the case's own applicant: /portal, /api/v1/applications


Run = Callable[[Context, Application, dict[str, Any]], Any]


@dataclass(frozen=True)
class CaseAction:
    name: str  # endpoint name in each blueprint
    audience: Audience
    schema: type[s.ActionInput]
    run: Run
    done: str | Callable[[Mapping[str, Any], Application], str]  # what the person is told afterwards
    summary: str  # one line for the API documentation
    transition: Action | None = None  # None: the action changes no status (a visit, a rating)
    path: str | None = None  # URL segment of the page route (default: the name with dashes)
    api_path: str | None = None  # URL segment of the API route (default: ``path``)
    permission_needed: Permission | None = None  # only for actions without a transition
    # The transition actually taken, when it depends on the input (a failed check revokes).
    transition_for: Callable[[Mapping[str, Any]], Action] | None = None
    # Extra conditions for offering the action on a page (not checked on submit: the operation is).
    offered_if: Callable[[Application, User], bool] | None = None
    materials: bool = False  # the input carries uploaded materials (stored before the action runs)
    extra_transitions: tuple[Action, ...] = field(default=())  # taken in the same act (accept + approve)

    @property
    def url_segment(self) -> str:
        return self.path or self.name.replace("_", "-")

    @property
    def api_segment(self) -> str:
        return self.api_path or self.url_segment

    @property
    def permission(self) -> Permission:
        """What the route requires before the case is even loaded, read from the status table."""
        if self.permission_needed is not None:
            return self.permission_needed
        assert self.transition is not None
        if self.audience is Audience.APPLICANT:
            return Permission.APPLICATION_SUBMIT
        for (_, action), t in ((key, t) for table in TABLES.values() for key, t in table.items()):
            if action is self.transition:
                found = next((w for w in t.who if isinstance(w, Permission)), None)
                if found is not None:
                    return found
        raise LookupError(f"no staff permission for {self.transition}")

    def done_message(self, data: Mapping[str, Any], case: Application) -> str:
        return self.done(data, case) if callable(self.done) else self.done

    def audited_as(self, data: Mapping[str, Any]) -> Action | None:
        """The transition recorded when the attempt is refused."""
        return self.transition_for(data) if self.transition_for else self.transition


def _passed(data: Mapping[str, Any]) -> bool:
    return data.get("result") == CheckResult.PASSED.value


def _immediate_at_window(case: Application, actor: User) -> bool:
    rules = rules_for(case.power_item)
    return rules.immediate and not rules.separate_decider and actor.can(Permission.CASE_DECIDE)


def _has_deferrable(case: Application, actor: User) -> bool:
    return any(m.deferrable for m in rules_for(case.power_item).materials)


def _pledge_item(case: Application, actor: User) -> bool:
    return rules_for(case.power_item).pledge_allowed


def _decision_stage(case: Application, actor: User) -> bool:
    """Approve/deny are offered after review, on acceptance day for a 即办件, once accepted for a 公共服务."""
    return case.status.value == "reviewed" or rules_for(case.power_item).immediate or \
        power_type_of(case) is PowerType.PUBLIC_SERVICE


def _deferred_pending(case: Application, actor: User) -> bool:
    return bool(case.pledge_materials) and not case.status.is_final


def _can_rate_again(case: Application, actor: User) -> bool:
    from sqlalchemy.orm import object_session

    session = object_session(case)
    return session is not None and ratings.may_rate_again(session, case)


def _can_rate(case: Application, actor: User) -> bool:
    return ratings.stage_open(case, ratings.FINISHED) or ratings.stage_open(case, ratings.ACCEPTED)


STAFF, APPLICANT = Audience.STAFF, Audience.APPLICANT

ACTIONS: dict[str, CaseAction] = {a.name: a for a in [
    CaseAction("accept", STAFF, s.VersionIn, lambda c, case, d: intake.accept(
        c, case, expected_version=d.get("row_version")),
        "已受理，受理通知书已送达申请人", "受理", transition=Action.ACCEPT),
    CaseAction("on_the_spot", STAFF, s.ApproveIn, lambda c, case, d: review.decide_on_the_spot(
        c, case, terms=d.get("terms"), expected_version=d.get("row_version")),
        lambda d, case: f"即办件已当场受理并{action_label(power_type_of(case), Action.APPROVE)}",
        "即办件当场受理并作出决定（负责人，一次办结）",
        transition=Action.APPROVE, extra_transitions=(Action.ACCEPT,), offered_if=_immediate_at_window),
    CaseAction("pledge_approve", STAFF, s.TermsIn, lambda c, case, d: review.approve_on_pledge(
        c, case, terms=d.get("terms"), expected_version=d.get("row_version")),
        "已依告知承诺当场准予许可，并生成事后核查任务", "告知承诺制：依申请人签署的承诺当场准予许可",
        transition=Action.APPROVE_ON_PLEDGE, offered_if=_pledge_item),
    CaseAction("correction", STAFF, s.CorrectionIn, lambda c, case, d: intake.request_correction(
        c, case, items=d["items"], respond_days=d["respond_days"], expected_version=d.get("row_version")),
        "已一次性告知补正内容，办理时限暂停计算", "一次性告知补正（items: [{target, problem}]）",
        transition=Action.REQUEST_CORRECTION),
    CaseAction("refuse", STAFF, s.RefuseIn, lambda c, case, d: intake.refuse(
        c, case, reason=d["reason"], competent_office=d.get("competent_office"),
        expected_version=d.get("row_version")),
        "已作出不予受理决定", "不予受理（须说明理由）", transition=Action.REFUSE),
    CaseAction("pledge", STAFF, s.PledgeIn, lambda c, case, d: intake.accept_with_pledge(
        c, case, missing=d["missing"], pledge_days=d["pledge_days"], pledge_signed=d["pledge_signed"],
        expected_version=d.get("row_version")),
        "已容缺受理", "容缺受理", transition=Action.ACCEPT_WITH_PLEDGE, offered_if=_has_deferrable),
    CaseAction("opinion", STAFF, s.OpinionIn, lambda c, case, d: review.record_opinion(
        c, case, opinion=d["opinion"], recommendation=d["recommendation"], expected_version=d.get("row_version")),
        "审查意见已记录", "提出审查意见（须两人审查的事项由两名审查人员分别提出）",
        transition=Action.RECORD_OPINION, api_path="opinions"),
    CaseAction("complete_review", STAFF, s.VersionIn, lambda c, case, d: review.complete_review(
        c, case, expected_version=d.get("row_version")),
        "审查完毕，已提交负责人决定", "审查完毕，提交负责人决定", transition=Action.COMPLETE_REVIEW),
    CaseAction("start_special", STAFF, s.SpecialIn, lambda c, case, d: review.start_special_procedure(
        c, case, kind=d["kind"], note=d["note"], expected_version=d.get("row_version")),
        "特别程序已启动，办理时限暂停计算", "启动特别程序（听证、勘验、检测、专家评审），暂停计时",
        transition=Action.START_SPECIAL, path="special"),
    CaseAction("end_special", STAFF, s.OutcomeIn, lambda c, case, d: review.end_special_procedure(
        c, case, outcome=d["outcome"], expected_version=d.get("row_version")),
        "特别程序已结束，办理时限恢复计算", "特别程序结束，恢复计时并重算期限",
        transition=Action.END_SPECIAL, path="special/end"),
    CaseAction("extend", STAFF, s.ReasonIn, lambda c, case, d: review.extend(
        c, case, reason=d["reason"], expected_version=d.get("row_version")),
        "已批准延长办理期限，延长期限告知书已送达申请人",
        "负责人批准延长法定期限十个工作日（仅一次），理由告知申请人", transition=Action.EXTEND),
    CaseAction("notify_party", STAFF, s.PartyIn, lambda c, case, d: review.notify_party(
        c, case, party=d["party"], address=d["address"], answer_days=d["answer_days"],
        expected_version=d.get("row_version")),
        "答辩通知书已送达对方当事人", "行政裁决：将申请书副本送达对方当事人，告知答辩期限",
        transition=Action.NOTIFY_PARTY, path="party"),
    CaseAction("record_answer", STAFF, s.AnswerIn, lambda c, case, d: review.record_answer(
        c, case, answer=d["answer"], expected_version=d.get("row_version")),
        "对方当事人的答辩意见已记录", "行政裁决：记录对方当事人的答辩意见",
        transition=Action.RECORD_ANSWER, path="party/answer"),
    CaseAction("approve", STAFF, s.ApproveIn, lambda c, case, d: review.approve(
        c, case, opinion=d.get("opinion"), terms=d.get("terms"), expected_version=d.get("row_version")),
        lambda d, case: f"已作出决定（{action_label(power_type_of(case), Action.APPROVE)}）",
        "作出决定：准予许可、决定给付、予以确认、决定奖励、作出裁决、办结（按事项的职权类型），"
        "连同决定内容 terms", transition=Action.APPROVE, offered_if=_decision_stage),
    CaseAction("deny", STAFF, s.DenyIn, lambda c, case, d: review.deny(
        c, case, reasons=d["reasons"], expected_version=d.get("row_version")),
        lambda d, case: f"已作出决定（{action_label(power_type_of(case), Action.DENY)}）",
        "不予许可、不予给付、不予确认……（说明理由，告知复议和诉讼权利）",
        transition=Action.DENY, offered_if=_decision_stage),
    CaseAction("deliver", STAFF, s.DeliverIn, lambda c, case, d: review.deliver(
        c, case, channel=d["channel"], recipient=d["recipient"], address=d.get("address", ""),
        expected_version=d.get("row_version"), signer_name=d.get("signer_name", ""),
        signer_relation=d.get("signer_relation", ""), signed_at=d.get("signed_at"), witness=d.get("witness", "")),
        "送达已记录，本件办结", "记录送达（方式、时间、受送达人），办结", transition=Action.DELIVER),
    CaseAction("check", STAFF, s.CheckIn, lambda c, case, d: review.record_check(
        c, case, passed=_passed(d), finding=d["finding"]),
        lambda d, case: "事后核查已记录" if _passed(d) else "核查发现承诺不实，已撤销许可",
        "事后核查结果：属实则办结任务；不实则撤销许可（须负责人）", transition=Action.PASS_CHECK,
        transition_for=lambda d: Action.PASS_CHECK if _passed(d) else Action.REVOKE),
    CaseAction("notify_revocation", STAFF, s.RevocationIntentIn, lambda c, case, d: review.notify_revocation(
        c, case, reason=d["reason"], answer_days=d["answer_days"]),
        "已告知拟撤销，等待申请人陈述申辩", "撤销前告知：拟撤销的事实、理由及陈述申辩期限",
        transition=Action.NOTIFY_REVOCATION, path="revocation-notice"),
    CaseAction("revoke", STAFF, s.ReasonIn, lambda c, case, d: review.revoke(c, case, reason=d["reason"]),
               "已撤销许可决定", "撤销许可决定（说明理由）", transition=Action.REVOKE),
    CaseAction("case_visit", STAFF, s.VisitIn, lambda c, case, d: intake.record_visit(
        c, town=case.town, case=case, visitor_name=d["visitor_name"], purpose=d["purpose"]),
        lambda d, case: f"已登记 {case.case_number} 的来访", "登记本件的来访（最多跑一次的计量）", path="visits",
        permission_needed=Permission.CASE_FILE_ON_BEHALF),
    # The applicant's own actions.
    CaseAction("answer_correction", APPLICANT, s.ResubmitIn, lambda c, case, d: intake.resubmit(
        c, case, data=d.get("data"), materials=d["files"], upload_errors=d.get("upload_errors"),
        form_post=d.get("form_post")),
        "补正材料已提交，请等待窗口受理", "提交补正材料", transition=Action.RESUBMIT, path="correction",
        materials=True),
    CaseAction("supply_deferred", APPLICANT, s.ResubmitIn, lambda c, case, d: intake.supply_deferred(
        c, case, files=d["files"], upload_errors=d.get("upload_errors")),
        "容缺材料已补交", "补交容缺受理时承诺后补的材料", path="deferred-materials", materials=True,
        permission_needed=Permission.APPLICATION_SUBMIT, offered_if=_deferred_pending),
    CaseAction("withdraw", APPLICANT, s.WithdrawIn, lambda c, case, d: intake.withdraw(
        c, case, reason=d.get("reason")), "申请已撤回", "撤回申请（作出决定前）", transition=Action.WITHDRAW),
    CaseAction("sign_pledge", APPLICANT, s.PledgeSignIn, lambda c, case, d: review.sign_pledge(
        c, case, agree=d["agree"]), "告知承诺书已签署，窗口可当场作出许可决定",
        "签署告知承诺书（适用告知承诺制的事项）", transition=Action.SIGN_PLEDGE, path="pledge",
        offered_if=_pledge_item),
    CaseAction("submit_statement", APPLICANT, s.StatementIn, lambda c, case, d: review.submit_statement(
        c, case, statement=d["statement"]), "陈述申辩意见已提交，本机关将在听取意见后依法作出决定",
        "对拟撤销提出陈述申辩", transition=Action.SUBMIT_STATEMENT, path="statement"),
    CaseAction("rate_again", APPLICANT, s.RatingIn, lambda c, case, d: ratings.rate_again(
        c, case, score=d["score"], comment=d.get("comment"), stage=d.get("stage"), indicators=d.get("indicators"),
        tags=d.get("tags")), "感谢您再次评价",
        "整改经核实后再次评价一次", path="rating/again", permission_needed=Permission.APPLICATION_SUBMIT,
        offered_if=_can_rate_again),
    CaseAction("rate", APPLICANT, s.RatingIn, lambda c, case, d: ratings.rate(
        c, case, score=d["score"], comment=d.get("comment"), stage=d.get("stage"), indicators=d.get("indicators"),
        tags=d.get("tags")), "感谢您的评价",
        "好差评（GB/T 39734）：受理、办结各评价一次，整体满意度 1–5 分及各项指标；1–2 分生成整改任务", path="rating",
        permission_needed=Permission.APPLICATION_SUBMIT, offered_if=_can_rate),
]}


def for_audience(audience: Audience) -> list[CaseAction]:
    return [a for a in ACTIONS.values() if a.audience is audience]


@dataclass(frozen=True)
class Availability:
    """Whether the person may take the action now; ``reason`` says why not when the state and role
    would allow it but the law's conditions don't (shown beside the action)."""

    allowed: bool
    reason: str | None = None


def _transition_open(case: Application, actor: User, action: Action, ctx_now: Any) -> Availability | None:
    transition = table_for(case).get((case.status, action))
    if transition is None or not authorised(transition, case, actor):
        return None
    if transition.guard is not None:
        try:
            transition.guard(GuardContext(case, actor, ctx_now, {}))
        except DomainError as exc:
            return Availability(False, exc.message)
    return Availability(True)


def allowed_actions(case: Application, actor: User | None, now: Any) -> dict[str, Availability]:
    """What ``actor`` may do with ``case`` now, by action name: only actions whose state and role fit
    appear; those whose legal condition fails appear with ``allowed=False`` and the reason. Templates
    ask this (``can``) instead of re-deriving rules. Raises nothing."""
    if actor is None:
        return {}
    audience = APPLICANT if actor.id == case.applicant_id else STAFF
    out: dict[str, Availability] = {}
    for entry in for_audience(audience):
        if entry.offered_if is not None and not entry.offered_if(case, actor):
            continue
        if entry.transition is None:
            if actor.can(entry.permission):
                out[entry.name] = Availability(True)
            continue
        first = entry.extra_transitions[0] if entry.extra_transitions else entry.transition
        found = _transition_open(case, actor, first, now)
        if found is not None and (not entry.extra_transitions or actor.can(entry.permission)):
            out[entry.name] = found
    return out


def transitions_open(case: Application) -> list[Action]:
    """The actions the case's state allows, whoever asks (the API's ``allowed_actions`` field)."""
    return [action for (state, action) in table_for(case) if state == case.status]

