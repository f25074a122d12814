"""An item that takes another item's result as input waits for it (docs/bundles.md, "Order"): the
乡村建设规划许可 of 农村建房一件事 is not received, runs no clock and is never deemed accepted until the
宅基地审批 is granted; then it is received that day, with the 农村宅基地批准书 attached as a reused
certificate; a refusal of the homestead ends it with a message to the applicant."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_hall.audit.models import AuditRecord
from service_hall.bundles import flow, versions
from service_hall.bundles.models import BundleCase, ReusedMaterial
from service_hall.calendar.models import CalendarDay
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases.clock import local_date
from service_hall.cases.intake import sweep_deemed_acceptance
from service_hall.cases.models import CaseStatus
from service_hall.certificates.models import Certificate
from service_hall.extensions import db
from service_hall.notifications.models import OutboxMessage
from tests.factories import cases as steps
from tests.factories.accounts import user
from tests.factories.bundles import PLANNING, RURAL_MATERIALS, demo_world, rural_housing, rural_values
from tests.factories.clock import NOW, at
from tests.factories.context import ctx_for
from tests.factories.files import upload
from tests.factories.places import COUNTY, QINGSHAN, jurisdiction
from tests.factories.web import login
from tests.notifications.support import dispatch

APPLICANT = "13800000001"
LATER = NOW + dt.timedelta(hours=1)  # Monday 23 November 2026
DECIDED = at("2026-11-26")  # Thursday: the homestead approved three days after submission


@pytest.fixture
def world(app):
    """The demo county with 农村建房一件事 published; no app context held (for HTTP tests)."""
    demo_world(app)
    with app.app_context():
        draft = versions.save_draft(db.session, jurisdiction(COUNTY), rural_housing(), actor=user("legal"), now=NOW)
        versions.publish(db.session, draft, actor=user("legal2"), now=NOW)
        db.session.commit()


@pytest.fixture
def published(app, world):
    with app.app_context():
        yield


def _submit(key="k1"):
    owner = user(APPLICANT)
    files = {code: upload(owner, now=LATER, filename=f"{code}.pdf", material_name=code) for code in RURAL_MATERIALS}
    bundle_case, _ = flow.submit(ctx_for(owner, LATER, calendar=WorkingCalendar()), applicant=owner,
                                 town=jurisdiction(QINGSHAN), bundle_code="rural-housing", values=rural_values(),
                                 materials=files, submission_key=key)
    return bundle_case


def _review(case, now):
    steps.record_opinion(case, by="reviewer", now=now)
    if case.power_item.two_reviewers:
        steps.record_opinion(case, by="reviewer2", now=now)
    steps.complete_review(case, by="reviewer", now=now)


def _approve(case, now):
    steps.accept(case, by="clerk", now=now)
    _review(case, now)
    steps.approve(case, by="decider", now=now)


def test_the_waiting_item_is_not_deemed_accepted_and_starts_on_the_day_the_homestead_is_approved(published):
    bundle_case = _submit()
    homestead, planning = bundle_case.cases
    assert planning.status is CaseStatus.AWAITING_PREREQUISITE and planning.received_on is None
    # Weeks pass: the homestead is accepted, the sweep runs; the waiting item is not deemed accepted.
    steps.accept(homestead, by="clerk", now=LATER)
    swept = sweep_deemed_acceptance(db.session, now=at("2026-12-21"), calendar=WorkingCalendar())
    assert planning not in swept and planning.status is CaseStatus.AWAITING_PREREQUISITE
    assert (planning.received_on, planning.intake_due_on, planning.due_on) == (None, None, None)
    state = flow.progress(ctx_for(user(APPLICANT), LATER), bundle_case)
    assert state.items[1].note == "等待“农村村民宅基地审批”办结，办结后本事项开始办理，办理期限自那时起算"

    decided = at("2026-12-22")  # a Tuesday
    _review(homestead, decided)
    steps.approve(homestead, by="decider", now=decided)
    calendar = WorkingCalendar.from_session(db.session)
    assert planning.status is CaseStatus.SUBMITTED
    assert planning.received_on == local_date(decided)
    assert planning.intake_due_on == calendar.add_working_days(local_date(decided), 5).due
    # Nobody acts on it: it is deemed accepted as of the day of the homestead's decision, its limits from then.
    later = at("2027-01-05")
    assert planning in sweep_deemed_acceptance(db.session, now=later, calendar=calendar)
    assert planning.accepted_on == local_date(decided)
    assert planning.statutory_due_on == calendar.add_working_days(local_date(decided), planning.statutory_days).due
    audited = [r.action for r in db.session.scalars(select(AuditRecord).where(
        AuditRecord.object_type == "application", AuditRecord.object_id == str(planning.id)).order_by(AuditRecord.seq))]
    assert audited[:2] == ["case.await_prerequisite", "case.start_after_prerequisite"]
    started = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "bundle_case.prerequisite",
                                                          AuditRecord.object_id == str(homestead.id)))
    assert started.payload["started"] == [planning.case_number]


def test_a_decision_before_a_holiday_starts_the_intake_period_over_the_holiday(published):
    with db.session.no_autoflush:
        db.session.add(CalendarDay(day=dt.date(2026, 11, 27), is_working=False, name="放假", updated_at=NOW))
        db.session.commit()
    bundle_case = _submit()
    homestead, planning = bundle_case.cases
    _approve(homestead, DECIDED)  # Thursday; Friday is a holiday
    assert planning.received_on == dt.date(2026, 11, 26)
    # Five working days from Thursday: Mon 30, Tue 1, Wed 2, Thu 3, Fri 4 (without the holiday: Thu 3).
    assert planning.intake_due_on == dt.date(2026, 12, 4)
    assert WorkingCalendar().add_working_days(dt.date(2026, 11, 26), 5).due == dt.date(2026, 12, 3)


def test_the_homestead_certificate_is_attached_to_the_planning_permit_verified_live(app, world):
    with app.app_context():
        bundle_case = _submit()
        homestead, planning = bundle_case.cases
        uploaded = {m.material_code: m.file.filename for m in planning.materials}
        _approve(homestead, DECIDED)
        certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == homestead.id))
        assert certificate is not None and "宅基地批准书" in certificate.certificate_name
        attached = [m for m in planning.materials if m.file.filename == f"电子证照{certificate.number}.pdf"]
        assert len(attached) == 1
        # The planning form asks for the land title: the certificate serves as it, instead of the upload.
        assert uploaded[attached[0].material_code] != attached[0].file.filename
        reused = db.session.scalar(select(ReusedMaterial).where(ReusedMaterial.certificate_id == certificate.id))
        assert reused.consent == "order"
        planning_id, ref = planning.id, bundle_case.ref
        bundle_id = bundle_case.id
        shown = f"复用：电子证照 {certificate.certificate_name} 编号{certificate.number} 有效"
        db.session.commit()
    clerk = app.test_client()
    login(clerk, "clerk")
    assert shown in clerk.get(f"/workbench/cases/{planning_id}").get_data(as_text=True)
    assert shown in clerk.get(f"/workbench/bundles/{bundle_id}").get_data(as_text=True)
    applicant = app.test_client()
    login(applicant, APPLICANT)
    assert shown in applicant.get(f"/portal/bundles/cases/{ref}").get_data(as_text=True)


def test_a_refused_homestead_ends_the_planning_permit_with_a_message_to_the_applicant(app, world):
    with app.app_context():
        bundle_case = _submit()
        homestead, planning = bundle_case.cases
        steps.accept(homestead, by="clerk", now=LATER)
        _review(homestead, LATER)
        steps.deny(homestead, by="decider", now=DECIDED)
        assert planning.status is CaseStatus.TERMINATED and planning.closed_at == DECIDED
        reason = db.session.scalar(select(AuditRecord.reason).where(
            AuditRecord.action == "case.terminate", AuditRecord.object_id == str(planning.id)))
        assert reason == "本事项需要“农村村民宅基地审批”的办理结果，该事项不予许可，本事项无法继续办理，依法终止办理"
        told = db.session.scalar(select(OutboxMessage).where(OutboxMessage.application_id == planning.id,
                                                             OutboxMessage.template == "applicant.terminated"))
        assert told is not None and told.user_id == planning.applicant_id
        ref = bundle_case.ref
        db.session.commit()
    applicant = app.test_client()
    login(applicant, APPLICANT)
    dispatch(app, DECIDED)  # one delivery pass, as the worker runs it
    page = applicant.get(f"/portal/bundles/cases/{ref}").get_data(as_text=True)
    assert "“农村村民宅基地审批”不予许可，本事项需要其结果，已终止办理" in page
    inbox = applicant.get("/inbox").get_data(as_text=True)
    assert "终止办理：乡村建设规划许可证核发" in inbox


def test_withdrawing_the_homestead_alone_ends_the_waiting_item_and_the_bundle_withdraws_both(published):
    bundle_case = _submit()
    homestead, planning = bundle_case.cases
    steps.withdraw(homestead, now=LATER)
    assert planning.status is CaseStatus.TERMINATED
    other = _submit(key="k2")
    flow.withdraw(ctx_for(user(APPLICANT), LATER), other, reason="暂不建房")
    assert [c.status for c in other.cases] == [CaseStatus.WITHDRAWN, CaseStatus.WITHDRAWN]
    assert db.session.get(BundleCase, other.id).withdrawn_at is not None


def test_the_waiting_item_shows_in_the_clerk_queue_naming_what_it_waits_for(app, world):
    with app.app_context():
        planning = _submit().cases[1]
        planning_id, ref = planning.id, planning.ref
        db.session.commit()
    clerk = app.test_client()
    login(clerk, "clerk")
    page = clerk.get(f"/workbench/cases/{planning_id}").get_data(as_text=True)
    assert "等待“农村村民宅基地审批”办结" in page and "尚未收件" in page
    applicant = app.test_client()
    login(applicant, APPLICANT)
    mine = applicant.get(f"/portal/applications/{ref}")
    assert mine.status_code == 200 and "等待前置事项办结" in mine.get_data(as_text=True)
    queue = clerk.get("/workbench/").get_data(as_text=True)
    assert "等待前置事项办结" in queue
    assert "等待“农村村民宅基地审批”办结，办结后本事项开始办理，办理期限自那时起算" in queue
    waiting = clerk.get("/workbench/?status=awaiting_prerequisite").get_data(as_text=True)
    assert "乡村建设规划许可证核发" in waiting and "农村村民宅基地审批</td>" not in waiting


def test_a_waiting_item_counts_as_received_in_the_daily_figures_only_once_it_starts(published):
    from service_hall.cases.figures import DailyFigures
    from service_hall.evaluation.report import Period, evaluate

    towns = [jurisdiction(QINGSHAN)]
    period = Period(dt.date(2026, 11, 1), dt.date(2026, 12, 31))

    def received(day):
        kept = evaluate(db.session, towns, period).total.received
        assert kept == evaluate(db.session, towns, period, source="scan").total.received
        rows = db.session.scalars(select(DailyFigures).where(DailyFigures.item_code == PLANNING)).all()
        return kept, {r.day: r.received for r in rows if r.received}.get(day, 0)

    bundle_case = _submit()
    db.session.flush()
    assert received(local_date(LATER)) == (1, 0)  # the homestead only
    _approve(bundle_case.cases[0], DECIDED)
    db.session.flush()
    assert received(local_date(DECIDED)) == (2, 1)  # the planning permit, on the day of the decision


def test_a_waiting_item_named_in_the_open_correction_starts_once_the_applicant_answers(published):
    bundle_case = _submit()
    homestead, planning = bundle_case.cases
    clerk = ctx_for(user("clerk"), LATER, calendar=WorkingCalendar())
    flow.request_correction(clerk, bundle_case, respond_days=10, pieces={
        planning.id: [{"target": "M02", "problem": "身份证明复印件不清晰"}]})
    assert planning.status is CaseStatus.AWAITING_PREREQUISITE
    steps.accept(homestead, by="clerk", now=LATER)
    _review(homestead, LATER)
    steps.approve(homestead, by="decider", now=DECIDED)
    # Granted, but the planning permit's materials are incomplete: not yet received.
    assert planning.status is CaseStatus.AWAITING_PREREQUISITE and planning.received_on is None
    answered = at("2026-11-30")
    owner = user(APPLICANT)
    new = {"S-id_card": upload(owner, now=answered, filename="身份证.pdf", material_name="S-id_card")}
    flow.resubmit(ctx_for(owner, answered, calendar=WorkingCalendar()), bundle_case, values={}, materials=new)
    assert planning.status is CaseStatus.SUBMITTED and planning.received_on == local_date(answered)
