"""Cases driven through the domain operations, as earlier requests would have.

Every call a setup makes to the case operations (``service_hall.cases.intake``, ``review``, ``ratings``,
``accountability``) is in this module, one small helper per operation: a change of their signatures is
made here. The helpers work in the current app context's session and do not commit; ``new_case``,
``drive`` and ``approved_case`` open their own app context and commit. Actors are given by username or
mobile (``by="clerk1"``) or as accounts.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import accountability, intake, ratings, review
from service_hall.cases.decisions import guide_validity
from service_hall.cases.models import Application, CaseStatus
from service_hall.cases.transitions import revocation_intent
from service_hall.extensions import db
from tests.factories.accounts import user
from tests.factories.clock import at
from tests.factories.context import ctx_for
from tests.factories.files import upload
from tests.factories.forms import generated_form_data, homestead_data
from tests.factories.places import QINGSHAN, jurisdiction
from tests.factories.power_list import ITEM, QUICK

Actor = Any  # a username, a mobile or a User


def _actor(by: Actor) -> Any:
    return user(by) if isinstance(by, str) else by


def _calendar(calendar: WorkingCalendar | None) -> WorkingCalendar:
    return calendar if calendar is not None else WorkingCalendar()


# One helper per domain operation.

def submit(*, applicant: Any, town: Any, item_code: str, data: dict[str, Any], materials: dict[str, Any],
           key: str, now: dt.datetime, calendar: WorkingCalendar | None = None, by: Any = None) -> Application:
    """Submit as the applicant, or at the window by ``by`` (a clerk filing for them, 帮办代办)."""
    ctx = ctx_for(by or applicant, now, calendar=_calendar(calendar))
    case, _ = intake.submit_application(ctx, applicant=applicant, town=town, item_code=item_code, data=data,
                                        materials=materials, submission_key=key)
    return case


def accept(case: Application, *, by: Actor = "clerk1", now: dt.datetime,
           calendar: WorkingCalendar | None = None) -> None:
    intake.accept(ctx_for(_actor(by), now, calendar=_calendar(calendar)), case)


def request_correction(case: Application, *, by: Actor = "clerk1", now: dt.datetime, items: list[dict[str, str]],
                       respond_days: int = 10) -> None:
    intake.request_correction(ctx_for(_actor(by), now, calendar=WorkingCalendar()), case, items=items,
                              respond_days=respond_days)


def resubmit(case: Application, *, now: dt.datetime, data: dict[str, Any] | None = None,
             materials: dict[str, Any] | None = None) -> None:
    intake.resubmit(ctx_for(case.applicant, now, calendar=WorkingCalendar()), case, data=data,
                    materials=materials if materials is not None else {})


def refuse(case: Application, *, by: Actor = "clerk1", now: dt.datetime, reason: str = "不符合申请条件") -> None:
    intake.refuse(ctx_for(_actor(by), now), case, reason=reason)


def withdraw(case: Application, *, now: dt.datetime) -> None:
    intake.withdraw(ctx_for(case.applicant, now), case)


def record_visit(case: Application, *, by: Actor = "clerk1", now: dt.datetime, visitor_name: str = "李堃",
                 purpose: str = "提交原件") -> None:
    intake.record_visit(ctx_for(_actor(by), now), town=case.town, visitor_name=visitor_name, purpose=purpose, case=case)


def sign_pledge(case: Application, *, now: dt.datetime, agree: bool = True) -> None:
    review.sign_pledge(ctx_for(case.applicant, now), case, agree=agree)


def approve_on_pledge(case: Application, *, by: Actor = "boss1", now: dt.datetime) -> None:
    review.approve_on_pledge(ctx_for(_actor(by), now, calendar=WorkingCalendar()), case,
                             terms=sample_terms(case))


def record_opinion(case: Application, *, by: Actor = "rev1", now: dt.datetime, opinion: str = "材料齐全，符合条件",
                   recommendation: str = "approve") -> None:
    review.record_opinion(ctx_for(_actor(by), now), case, opinion=opinion, recommendation=recommendation)


def complete_review(case: Application, *, by: Actor = "rev1", now: dt.datetime) -> None:
    review.complete_review(ctx_for(_actor(by), now), case)


def start_special_procedure(case: Application, *, by: Actor = "rev1", now: dt.datetime, kind: str = "hearing",
                            note: str = "利害关系人申请听证，预计十日") -> None:
    review.start_special_procedure(ctx_for(_actor(by), now, calendar=WorkingCalendar()), case, kind=kind, note=note)


def extend(case: Application, *, by: Actor = "boss2", now: dt.datetime, reason: str) -> None:
    review.extend(ctx_for(_actor(by), now, calendar=WorkingCalendar()), case, reason=reason)


# What a decider fixes on the decision page for the default designs of every power type (terms a design
# does not have are ignored): a 给付's amount and schedule, a 奖励's award, a 裁决's ruling.
SAMPLE_TERMS = {"amount": "300", "schedule": "按月发放，自2026年12月起", "award": "授予“环境保护先进个人”称号",
                "ruling": "争议林地的使用权归申请人所有",
                "boundaries": "东至村道，南至李某宅基地，西至集体空地，北至水渠"}
SAMPLE_UNTIL = "2028-11-22"  # the validity a decider fixes where the item's guide names no period


def sample_terms(case: Application) -> dict[str, str]:
    """SAMPLE_TERMS, with an end of validity where the item's decision asks for one the guide does not give
    (a certificate-issuing item whose guide names no 审批结果有效期)."""
    if guide_validity(case.power_item.guide) is None:
        return SAMPLE_TERMS | {"validity.until": SAMPLE_UNTIL}
    return SAMPLE_TERMS


def approve(case: Application, *, by: Actor = "boss2", now: dt.datetime,
            terms: dict[str, str] | None = None) -> None:
    review.approve(ctx_for(_actor(by), now, calendar=WorkingCalendar()), case,
                   terms=sample_terms(case) if terms is None else terms)


def notify_party(case: Application, *, by: Actor = "rev1", now: dt.datetime, party: str = "赵某") -> None:
    review.notify_party(ctx_for(_actor(by), now), case, party=party)


def record_answer(case: Application, *, by: Actor = "rev1", now: dt.datetime,
                  answer: str = "该林地一直由我家经营") -> None:
    review.record_answer(ctx_for(_actor(by), now), case, answer=answer)


def deny(case: Application, *, by: Actor = "boss2", now: dt.datetime, reasons: str = "不符合规划") -> None:
    review.deny(ctx_for(_actor(by), now), case, reasons=reasons)


def deliver(case: Application, *, by: Actor = "clerk1", now: dt.datetime, channel: str = "electronic",
            recipient: str = "李堃") -> None:
    review.deliver(ctx_for(_actor(by), now), case, channel=channel, recipient=recipient)


def revoke(case: Application, *, by: Actor = "boss2", now: dt.datetime, reason: str = "以欺骗手段取得") -> None:
    """撤销 after hearing the holder (an intended revocation and a statement first, unless already given)."""
    if revocation_intent(case) is None:
        notify_revocation(case, by=by, now=now, reason=reason)
        submit_statement(case, now=now)
    review.revoke(ctx_for(_actor(by), now), case, reason=reason)


def notify_revocation(case: Application, *, by: Actor = "boss2", now: dt.datetime,
                      reason: str = "以欺骗手段取得") -> None:
    review.notify_revocation(ctx_for(_actor(by), now, calendar=WorkingCalendar()), case, reason=reason)


def submit_statement(case: Application, *, now: dt.datetime, statement: str = "材料真实，请求不予撤销") -> None:
    review.submit_statement(ctx_for(case.applicant, now), case, statement=statement)


def rate(case: Application, *, now: dt.datetime, score: int, comment: str = "", rectification_days: int = 5,
         **marks: Any) -> Any:
    """``marks``: ``stage``, ``indicators``, ``tags`` as ``ratings.rate`` takes them."""
    return ratings.rate(ctx_for(case.applicant, now, calendar=WorkingCalendar(),
                        rectification_days=rectification_days), case, score=score, comment=comment, **marks)


def raise_trigger(case: Application, kind: str, *, now: dt.datetime, detail: str) -> Any:
    return accountability.raise_trigger(db.session, case, kind, now=now, detail=detail)


# Cases built and moved in their own app context, committed.

_keys = itertools.count()


def new_case(app: Any, item: str = ITEM, *, applicant: str = "13900000001", town: str = QINGSHAN,
             day: str = "2026-11-23", filed_by: str | None = None) -> int:
    """Submit an application (materials M01 only; M02 may be pledged later) and return its id; ``filed_by``
    names the clerk who files it at the window."""
    with app.app_context():
        owner = user(applicant)
        f = upload(owner, now=at(day))
        data = (homestead_data(phone=applicant, village=town[:9] + "001") if item == ITEM
                else generated_form_data(owner, item))
        case = submit(applicant=owner, town=jurisdiction(town), item_code=item, data=data, materials={"M01": f},
                      key=f"test-key-{next(_keys):08d}", now=at(day), by=user(filed_by) if filed_by else None)
        db.session.commit()
        return case.id


def drive(app: Any, case_id: int, *steps: str, day: str = "2026-11-23") -> None:
    """Move a case along, all on ``day``; steps name what happens (see the match below)."""
    with app.app_context():
        case = db.session.get(Application, case_id)
        now = at(day)
        for step in steps:
            match step:
                case "accept":
                    accept(case, by="clerk1", now=now)
                case "accept_by_boss1":
                    accept(case, by="boss1", now=now)
                case "correction":
                    request_correction(case, now=now, items=[{"target": "M02", "problem": "请补交身份证明"}])
                case "refuse":
                    refuse(case, now=now)
                case "withdraw":
                    withdraw(case, now=now)
                case "sign":
                    sign_pledge(case, now=now)
                case "pledge_approve":
                    approve_on_pledge(case, by="boss1", now=now)
                case "opinion1" | "opinion2":
                    record_opinion(case, by="rev" + step[-1], now=now)
                case "complete":
                    complete_review(case, by="rev1", now=now)
                case "hearing":
                    start_special_procedure(case, by="rev1", now=now)
                case "approve":
                    approve(case, by="boss2", now=now)
                case "deny":
                    deny(case, by="boss2", now=now)
                case "deliver":
                    deliver(case, by="clerk1", now=now)
                case "notify_revocation":
                    notify_revocation(case, by="boss2", now=now)
                case "statement":
                    submit_statement(case, now=now)
                case "revoke":
                    revoke(case, by="boss2", now=now)
                case "draft":
                    case.status = CaseStatus.DRAFT
                case "party":
                    notify_party(case, now=now)
                case "answer":
                    record_answer(case, now=now)
                case "awaiting":  # as a bundle item needing another's result is submitted: not yet received
                    case.status = CaseStatus.AWAITING_PREREQUISITE
                    case.received_on = case.intake_due_on = None
                case "terminate":
                    from service_hall.cases.intake import terminate

                    terminate(db.session, case, now=now, reason="前置事项不予许可，本事项无法继续办理")
                case "force_special" | "force_revoked":  # a state the item's procedure never reaches
                    case.status = CaseStatus(step.removeprefix("force_").replace("special", "special_procedure"))
                case _:
                    raise AssertionError(step)
        db.session.commit()


# The steps of ``drive`` that bring a case of PLEDGE (a 告知承诺 即办件) to each status.
STEPS_TO = {
    CaseStatus.DRAFT: ("draft",),
    CaseStatus.SUBMITTED: (),
    CaseStatus.CORRECTION_REQUESTED: ("correction",),
    CaseStatus.ACCEPTED: ("accept",),
    CaseStatus.REFUSED: ("refuse",),
    CaseStatus.SPECIAL_PROCEDURE: ("accept", "hearing"),
    CaseStatus.REVIEWED: ("accept", "opinion1", "complete"),
    CaseStatus.APPROVED: ("sign", "pledge_approve"),
    CaseStatus.DENIED: ("accept", "deny"),
    CaseStatus.DELIVERED: ("sign", "pledge_approve", "deliver"),
    CaseStatus.WITHDRAWN: ("withdraw",),
    CaseStatus.REVOKED: ("sign", "pledge_approve", "revoke"),
    CaseStatus.AWAITING_PREREQUISITE: ("awaiting",),
    CaseStatus.TERMINATED: ("awaiting", "terminate"),
}


def approved_case(app: Any, item: str = QUICK, *, applicant: str = "13900000001", town: str = QINGSHAN,
                  day: str = "2026-11-23") -> int:
    """A case approved by a head of ``town`` (a 即办件 accepted and approved the same day; ITEM after
    one review in 青山镇)."""
    case_id = new_case(app, item, applicant=applicant, town=town, day=day)
    if item == ITEM:
        drive(app, case_id, "accept", "opinion1", "complete", "approve", day=day)
        return case_id
    boss = "boss2" if town == QINGSHAN else "boss.baisha"
    with app.app_context():
        case = db.session.get(Application, case_id)
        accept(case, by=boss, now=at(day))
        approve(case, by=boss, now=at(day))
        db.session.commit()
    return case_id


def load(app: Any, case_id: int) -> Application:
    """The case with its related records loaded, detached from the session."""
    with app.app_context():
        case = db.session.get(Application, case_id)
        for rel in ("notices", "reviews", "pauses", "checks", "deliveries", "triggers", "corrections"):
            getattr(case, rel)
        db.session.expunge(case)
        return case


def only_case(app: Any) -> Application:
    """The one case in the database, detached."""
    from sqlalchemy import select

    with app.app_context():
        case = db.session.scalars(select(Application)).one()
        db.session.expunge(case)
        return case
