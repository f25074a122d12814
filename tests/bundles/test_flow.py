"""One submission, linked cases: the bundle case over one ordinary case per item, the combined
correction notice, one progress view, 统一出件, a refusal's meaning for the others, withdrawal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from service_hall.audit.models import AuditRecord
from service_hall.bundles import flow, versions
from service_hall.bundles.models import BundleCase
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases.models import Application, CaseStatus
from service_hall.core.errors import Conflict, PermissionDenied, ValidationFailed
from service_hall.extensions import db
from tests.factories import cases as steps
from tests.factories.accounts import user
from tests.factories.bundles import HOMESTEAD, PLANNING, RURAL_MATERIALS, demo_world, rural_housing, rural_values
from tests.factories.clock import NOW
from tests.factories.context import ctx_for
from tests.factories.files import upload
from tests.factories.places import COUNTY, QINGSHAN, jurisdiction

APPLICANT = "13800000001"
LATER = NOW + dt.timedelta(hours=1)
NEXT_DAY = NOW + dt.timedelta(days=1)


@pytest.fixture
def published(app):
    demo_world(app)
    with app.app_context():
        draft = versions.save_draft(db.session, jurisdiction(COUNTY), rural_housing(), actor=user("legal"), now=NOW)
        versions.publish(db.session, draft, actor=user("legal2"), now=NOW)
        db.session.commit()
        yield draft


def _ctx(who, now=LATER):
    return ctx_for(user(who), now, calendar=WorkingCalendar())


def _files(codes=RURAL_MATERIALS):
    owner = user(APPLICANT)
    return {code: upload(owner, now=LATER, filename=f"{code}.pdf", material_name=code) for code in codes}


def _submit(values=None, materials=None, key="k1", delivery="together"):
    return flow.submit(_ctx(APPLICANT), applicant=user(APPLICANT), town=jurisdiction(QINGSHAN),
                       bundle_code="rural-housing", values=values or rural_values(),
                       materials=_files() if materials is None else materials, submission_key=key, delivery=delivery)


def test_one_submission_creates_one_case_per_item_each_with_its_own_clock_and_audit(published):
    bundle_case, created = _submit()
    assert created
    homestead, planning = bundle_case.cases
    assert (homestead.item_code, planning.item_code) == (HOMESTEAD, PLANNING)
    assert homestead.case_number != planning.case_number
    assert homestead.status is CaseStatus.SUBMITTED and homestead.intake_due_on is not None
    # The planning permit takes the homestead approval as input: it waits, not yet received, no clock.
    assert planning.status is CaseStatus.AWAITING_PREREQUISITE
    assert (planning.received_on, planning.intake_due_on, planning.due_on, planning.statutory_due_on) == (
        None, None, None, None)
    # The name asked once as the homestead asks it, the shared 身份证号码 and site in both forms.
    assert homestead.data["applicant_name"] == planning.data["builder_name"] == "王建国"
    assert homestead.data["applicant_id"] == "330127197805160030"
    assert homestead.data["site"] == planning.data["site"]
    # One upload of the 身份证 attached to both cases, as the material each item calls it.
    id_card = {c.item_code: next(m for m in c.materials if m.material_code == "M02") for c in bundle_case.cases}
    assert id_card[HOMESTEAD].file_id == id_card[PLANNING].file_id
    assert id_card[HOMESTEAD].material_name == "申请人及家庭成员居民身份证、户口簿"
    assert id_card[PLANNING].material_name == "建设单位营业执照或个人身份证明"
    audited = {(r.action, r.object_id) for r in db.session.scalars(select(AuditRecord))}
    assert {("case.submit", str(homestead.id)), ("case.await_prerequisite", str(planning.id)),
            ("bundle_case.submit", str(bundle_case.id))} <= audited
    again, created_again = _submit()  # a double click
    assert again.id == bundle_case.id and not created_again


def test_every_problem_of_every_item_comes_back_at_once_in_the_composed_names_and_nothing_is_stored(published):
    values = rural_values(s_applicant_id="330127197805160031", i1_floors=9, i2_construction_period=None)
    files = _files([c for c in RURAL_MATERIALS if c not in {"S-id_card", "2-M04"}])
    with pytest.raises(ValidationFailed) as exc:
        _submit(values=values, materials=files)
    details = exc.value.details
    assert {"s_applicant_id", "i1_floors", "i2_construction_period", "material-S-id_card",
            "material-2-M04"} <= set(details)
    assert details["material-S-id_card"].startswith("请上传")
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0
    assert db.session.scalar(select(func.count()).select_from(BundleCase)) == 0


def test_a_town_that_does_not_offer_the_bundle_refuses_it(published):
    from service_hall.core.errors import NotFound

    with pytest.raises(NotFound, match="白沙镇未开通"):
        flow.submit(_ctx(APPLICANT), applicant=user(APPLICANT), town=jurisdiction("330199102000"),
                    bundle_code="rural-housing", values=rural_values(), materials=_files(), submission_key="x")


def test_one_combined_correction_notice_answered_once_with_one_upload_for_both_items(published):
    bundle_case, _ = _submit()
    homestead, planning = bundle_case.cases
    correction = flow.request_correction(_ctx("clerk"), bundle_case, respond_days=10, pieces={
        homestead.id: [{"target": "M02", "problem": "身份证复印件不清晰"}, {"target": "M04", "problem": "缺公示照片"}],
        planning.id: [{"target": "M02", "problem": "身份证复印件不清晰"}],
    })
    assert homestead.status is CaseStatus.CORRECTION_REQUESTED
    assert planning.status is CaseStatus.AWAITING_PREREQUISITE  # the waiting item's pieces are listed too
    # Each item case keeps its own 补正材料告知书 and clock pause; the bundle gathers every piece.
    assert len(homestead.corrections) == len(planning.corrections) == 1
    assert {n.kind.value for n in homestead.notices} == {n.kind.value for n in planning.notices} == {"correction"}
    assert [(p["item_code"], p["composed"], p["shared"]) for p in correction.items] == [
        (HOMESTEAD, "S-id_card", True), (HOMESTEAD, "1-M04", False), (PLANNING, "S-id_card", True)]
    state = flow.progress(_ctx(APPLICANT), bundle_case)
    assert state.open_correction is correction and state.state == "待补正材料"
    with pytest.raises(ValidationFailed) as bad:  # a refused upload: nothing of the answer is kept
        flow.resubmit(_ctx(APPLICANT, NEXT_DAY), bundle_case, values={}, materials=_files(["S-id_card"]),
                      upload_errors={"material-1-M04": "只接受PDF、JPG、PNG格式的文件"})
    assert bad.value.details == {"material-1-M04": "只接受PDF、JPG、PNG格式的文件"}
    assert homestead.status is CaseStatus.CORRECTION_REQUESTED
    assert planning.corrections[-1].answered_at is None
    new = _files(["S-id_card", "1-M04"])
    flow.resubmit(_ctx(APPLICANT, NEXT_DAY), bundle_case, values={}, materials=new)
    assert homestead.status is CaseStatus.SUBMITTED
    # Still waiting for the homestead approval: answering the notice does not make it received.
    assert planning.status is CaseStatus.AWAITING_PREREQUISITE and planning.received_on is None
    ids = {c.item_code: next(m for m in c.materials if m.material_code == "M02").file_id for c in bundle_case.cases}
    assert ids[HOMESTEAD] == ids[PLANNING] == new["S-id_card"].id
    assert correction.answered_at is not None


def test_a_correction_that_names_nothing_or_an_unknown_case_is_refused(published):
    bundle_case, _ = _submit()
    with pytest.raises(ValidationFailed):
        flow.request_correction(_ctx("clerk"), bundle_case, pieces={}, respond_days=10)
    with pytest.raises(PermissionDenied):
        flow.request_correction(_ctx(APPLICANT), bundle_case, respond_days=10,
                                pieces={bundle_case.cases[0].id: [{"target": "M01", "problem": "不清晰"}]})
    assert [c.status for c in bundle_case.cases] == [CaseStatus.SUBMITTED, CaseStatus.AWAITING_PREREQUISITE]
    assert bundle_case.corrections == []


def _approve(case, now=LATER):
    steps.accept(case, by="clerk", now=now)
    steps.record_opinion(case, by="reviewer", now=now)
    if case.power_item.two_reviewers:
        steps.record_opinion(case, by="reviewer2", now=now)
    steps.complete_review(case, by="reviewer", now=now)
    steps.approve(case, by="decider", now=now)


def test_results_are_delivered_together_once_every_item_is_decided(published):
    bundle_case, _ = _submit()
    homestead, planning = bundle_case.cases
    _approve(homestead)
    state = flow.progress(_ctx(APPLICANT), bundle_case)
    assert not state.results_visible and not state.all_decided
    assert [i.waiting_for for i in state.items] == [(), ()]  # the homestead approval came first
    with pytest.raises(Conflict, match="统一出件须待全部事项作出决定：乡村建设规划许可证核发尚在办理"):
        flow.deliver_together(_ctx("clerk"), bundle_case, channel="electronic", recipient="王建国")
    _approve(planning)
    delivered = flow.deliver_together(_ctx("clerk"), bundle_case, channel="electronic", recipient="王建国")
    assert delivered == [homestead, planning]
    assert homestead.status is planning.status is CaseStatus.DELIVERED
    assert flow.progress(_ctx(APPLICANT), bundle_case).state == "已办结出件"
    assert len(homestead.deliveries) == len(planning.deliveries) == 1


def test_a_refusal_of_one_item_says_what_it_means_for_the_item_that_needs_its_result(published):
    bundle_case, _ = _submit()
    homestead = bundle_case.cases[0]
    steps.refuse(homestead, by="clerk", now=LATER, reason="申请人不是本村集体经济组织成员")
    items = {i.case.item_code: i for i in flow.progress(_ctx(APPLICANT), bundle_case).items}
    assert items[PLANNING].consequence == "“农村村民宅基地审批”不予受理，本事项需要其结果，已终止办理"
    assert bundle_case.cases[1].status is CaseStatus.TERMINATED
    assert items[HOMESTEAD].consequence is None


def test_a_refusal_leaves_parallel_items_going(published):
    with db.session.no_autoflush:
        draft = versions.save_draft(db.session, jurisdiction(COUNTY), rural_housing(
            code="parallel", items=[{"code": HOMESTEAD}, {"code": PLANNING}]), actor=user("legal"), now=NOW)
    versions.publish(db.session, draft, actor=user("legal2"), now=NOW)
    bundle_case, _ = flow.submit(_ctx(APPLICANT), applicant=user(APPLICANT), town=jurisdiction(QINGSHAN),
                                 bundle_code="parallel", values=rural_values(), materials=_files(), submission_key="p")
    steps.refuse(bundle_case.cases[1], by="clerk", now=LATER)
    first = flow.progress(_ctx(APPLICANT), bundle_case).items[0]
    assert first.consequence == "其他事项未获办理，不影响本事项，本事项继续办理"


def test_withdrawing_the_bundle_withdraws_every_open_item_case_and_only_the_applicant_may(published):
    bundle_case, _ = _submit()
    homestead, planning = bundle_case.cases
    with pytest.raises(PermissionDenied):
        flow.withdraw(_ctx("clerk"), bundle_case, reason="")
    withdrawn = flow.withdraw(_ctx(APPLICANT), bundle_case, reason="暂不建房")
    assert withdrawn == [planning, homestead]  # the waiting item first, so it is withdrawn, not ended
    assert homestead.status is planning.status is CaseStatus.WITHDRAWN
    actions = [r.action for r in db.session.scalars(select(AuditRecord).where(
        AuditRecord.object_id == str(homestead.id), AuditRecord.object_type == "application"))]
    assert "case.withdraw" in actions
    assert flow.progress(_ctx(APPLICANT), bundle_case).state == "已撤回"
    with pytest.raises(Conflict):
        flow.withdraw(_ctx(APPLICANT), bundle_case)


def test_the_evaluation_report_counts_bundles_end_to_end_against_the_sum_of_item_days(published):
    from service_hall.bundles.figures import add_to_report, bundle_figures
    from service_hall.evaluation.export import to_xlsx
    from service_hall.evaluation.report import Period, evaluate

    bundle_case, _ = _submit()
    homestead, planning = bundle_case.cases
    steps.record_visit(homestead, by="clerk", now=LATER, visitor_name="王建国", purpose="核验原件")
    _approve(homestead, now=NOW + dt.timedelta(days=3))
    _approve(planning, now=NOW + dt.timedelta(days=10))
    period = Period(dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    [figures] = bundle_figures(db.session, [jurisdiction(QINGSHAN).id], *period.utc_bounds())
    assert (figures.name, figures.received, figures.finished) == ("农村建房一件事", 1, 1)
    # Parallel work: 10 days end to end, where one item after the other would take 3 + 10.
    assert (figures.average_days, figures.average_item_days, figures.visits_per_case) == (10, 13, 1)
    # The same figures in the report's spreadsheet, one row per bundle.
    report = add_to_report(db.session, evaluate(db.session, [jurisdiction(QINGSHAN)], period))
    sheet = load_workbook(io.BytesIO(to_xlsx(report, scope="清溪县")))["一件事"]
    assert next(sheet.iter_rows(min_row=4, values_only=True)) == ("农村建房一件事", 1, 1, 10, 13, 1)
    assert sheet.cell(row=4, column=4).number_format == "0.0#"


def test_an_item_needing_anothers_result_waits_for_its_approval_whichever_page_decides(published):
    from service_hall.bundles.guards import BundleOrder

    bundle_case, _ = _submit()
    planning = bundle_case.cases[1]
    with pytest.raises(Conflict, match="当前状态（等待前置事项办结）不能执行“受理”"):
        _approve(planning)
    db.session.rollback()
    # A case submitted before items waited (started with the others) is still held to the order.
    bundle_case, _ = _submit(key="k2")
    planning = bundle_case.cases[1]
    planning.status = CaseStatus.SUBMITTED
    with pytest.raises(BundleOrder, match="本事项需要“农村村民宅基地审批”的办理结果，须待其准予后再作出决定"):
        _approve(planning)
    db.session.rollback()


def test_with_delivery_together_one_result_is_not_delivered_alone(published):
    from service_hall.bundles.guards import BundleOrder

    bundle_case, _ = _submit()
    homestead = bundle_case.cases[0]
    _approve(homestead)
    with pytest.raises(BundleOrder, match="申请人选择统一出件：须待“乡村建设规划许可证核发”作出决定后一并送达"):
        steps.deliver(homestead, by="clerk", now=LATER, recipient="王建国")
    db.session.rollback()


def test_with_each_as_ready_a_result_is_delivered_at_once(published):
    bundle_case, _ = _submit(delivery="each")
    homestead = bundle_case.cases[0]
    _approve(homestead)
    assert flow.progress(_ctx(APPLICANT), bundle_case).results_visible
    steps.deliver(homestead, by="clerk", now=LATER, recipient="王建国")
    assert homestead.status is CaseStatus.DELIVERED
