"""追责情形 raised at the action and by the sweep: a second correction, a correction after the intake
period, refusing a deemed-accepted application, late delivery, an overdue follow-up check."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service_hall.audit.models import AuditRecord
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import intake
from service_hall.cases.models import Application, CaseStatus
from service_hall.core.errors import Conflict
from service_hall.extensions import db
from tests.factories import cases
from tests.factories.accounts import user
from tests.factories.cases import drive, load, new_case
from tests.factories.clock import at
from tests.factories.context import ctx_for
from tests.factories.power_list import PLEDGE
from tests.factories.web import api_token, login, post_form


def _triggers(app, case_id):
    with app.app_context():
        return {t.kind: (t.code, t.situation, t.basis, t.listed) for t in db.session.get(Application,
                                                                                         case_id).triggers}


def test_a_second_correction_is_refused_and_raises_the_items_trigger(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "correction")
    with app.app_context():
        case = db.session.get(Application, case_id)
        cases.resubmit(case, now=at("2026-11-24"), data=None, materials={})
        db.session.commit()
    clerk = app.test_client()
    login(clerk, "clerk1")
    page = f"/workbench/cases/{case_id}"
    assert "发出补正告知" not in clerk.get(page).get_data(as_text=True)  # the page offers it once only
    resp = post_form(clerk, page, {"target": "M02", "problem": "还缺户口簿", "respond_days": "5"},
                     action=f"{page}/correction")
    assert resp.status_code == 409 and "不得再次要求补正" in resp.get_data(as_text=True)
    assert load(app, case_id).status == CaseStatus.SUBMITTED and len(load(app, case_id).corrections) == 1
    assert _triggers(app, case_id) == {"second_correction": (
        "no_one_time_notice", "未一次告知申请人必须补正的全部内容", "行政许可法 第七十二条", True)}
    page_text = clerk.get(page).get_data(as_text=True)
    assert "追责情形" in page_text and "未一次告知申请人必须补正的全部内容" in page_text


def test_a_correction_after_the_intake_period(app, rworld):
    """Over HTTP the sweep has already deemed the case accepted: the request is refused and raises the
    trigger. Called directly (no sweep yet), the table's guard refuses it just the same."""
    app.config["FIXED_NOW"] = at("2026-11-23")
    late = new_case(app)
    app.config["FIXED_NOW"] = at("2026-12-01")
    client = app.test_client()
    resp = client.post(f"/api/v1/cases/{late}/correction", headers=api_token(client, "clerk1"),
                       json={"items": [{"target": "M02", "problem": "缺身份证明"}]})
    assert resp.status_code == 409
    case = load(app, late)
    assert case.status == CaseStatus.ACCEPTED and case.deemed_accepted and not case.corrections
    assert _triggers(app, late)["late_correction"][0] == "no_one_time_notice"

    unswept = new_case(app)
    with app.app_context():
        case = db.session.get(Application, unswept)
        with pytest.raises(Conflict, match="已超过五个工作日"):
            intake.request_correction(ctx_for(user("clerk1"), at("2026-12-01"), calendar=WorkingCalendar()), case,
                                      items=[{"target": "M02", "problem": "缺"}], respond_days=5)
        db.session.rollback()


def test_refusing_after_deemed_acceptance(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    app.config["FIXED_NOW"] = at("2026-12-01")
    client = app.test_client()
    resp = client.post(f"/api/v1/cases/{case_id}/refuse", headers=api_token(client, "clerk1"),
                       json={"reason": "材料不全"})
    assert resp.status_code == 409
    assert load(app, case_id).status == CaseStatus.ACCEPTED
    code, situation, basis, listed = _triggers(app, case_id)["refuse_after_deemed_acceptance"]
    assert code == "refused_valid_application" and "不予受理" in situation and "第七十二条" in basis and not listed


def test_refusing_after_the_intake_period_before_the_sweep(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    with app.app_context():
        case = db.session.get(Application, case_id)
        with pytest.raises(Conflict, match="依法视为受理，不得不予受理"):
            intake.refuse(ctx_for(user("clerk1"), at("2026-12-01")), case, reason="材料不全")
        db.session.rollback()


def test_late_delivery_and_overdue_follow_up_check_are_swept(app, rworld, runner):
    app.config["FIXED_NOW"] = at("2026-11-23")
    approved = new_case(app)
    drive(app, approved, "accept", "opinion1", "complete", "approve")
    pledged = new_case(app, PLEDGE)
    drive(app, pledged, "sign", "pledge_approve", "deliver")
    app.config["FIXED_NOW"] = at("2026-12-07")
    with app.app_context():
        from service_hall.cases.accountability import sweep_deadlines

        assert sweep_deadlines(db.session, now=at("2026-12-07"), calendar=WorkingCalendar()) == []
        raised = sweep_deadlines(db.session, now=at("2026-12-22"), calendar=WorkingCalendar())
        assert {(t.application_id, t.kind) for t in raised} == {(approved, "late_delivery"),
                                                                (pledged, "follow_up_check_overdue")}
        assert sweep_deadlines(db.session, now=at("2026-12-23"), calendar=WorkingCalendar()) == []  # once
        db.session.commit()
        records = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "accountability.raise")).all()
        assert len(records) == 2 and all(r.actor_id is None for r in records)


def test_cli_sweep_reports_triggers(app, rworld, runner):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app, day="2026-01-05")
    drive(app, case_id, "accept", day="2026-01-05")
    result = runner.invoke(args=["cases", "sweep"])
    assert result.exit_code == 0, result.output
    assert "超过承诺办结时限仍未作出决定" in result.output and "超过法定期限未作出宅基地审批决定" in result.output
    assert set(_triggers(app, case_id)) == {"overdue_promised", "late_decision"}


def test_a_late_decision_raises_the_trigger_at_the_action(app, rworld):
    """No sweep has run: deciding after the statutory limit raises the item's 追责情形 with the decision."""
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app, day="2026-10-12")
    drive(app, case_id, "accept", "opinion1", "complete", day="2026-10-12")
    with app.app_context():
        from service_hall.cases import review

        case = db.session.get(Application, case_id)
        review.approve(ctx_for(user("boss2"), at("2026-11-23"), calendar=WorkingCalendar()), case)
        db.session.commit()
    kinds = _triggers(app, case_id)
    assert kinds["late_decision"][1] == "超过法定期限未作出宅基地审批决定"
    assert load(app, case_id).status == CaseStatus.APPROVED  # the decision stands; the lateness is recorded
