"""容缺受理 carried through: the decision waits for the deferred materials, a missed deadline raises
the warning and shows on the supervisor's list, and approved cases show their delivery deadline."""

from __future__ import annotations

from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import intake
from service_hall.cases.accountability import sweep_deadlines
from service_hall.cases.models import AccountabilityTrigger, Application, CaseStatus
from service_hall.extensions import db
from tests.factories.accounts import user
from tests.factories.cases import drive, new_case
from tests.factories.clock import at
from tests.factories.context import ctx_for
from tests.factories.power_list import ITEM
from tests.factories.web import login, post_form


def _accept_with_pledge(app, case_id, day="2026-11-23"):
    with app.app_context():
        case = db.session.get(Application, case_id)
        intake.accept_with_pledge(ctx_for(user("clerk1"), at(day), calendar=WorkingCalendar()), case,
                                  missing=["M02"], pledge_days=3, pledge_signed=True)
        db.session.commit()


def test_approval_waits_for_the_deferred_material(app, rworld, client):
    case_id = new_case(app, ITEM)
    _accept_with_pledge(app, case_id)
    drive(app, case_id, "opinion1", "complete")
    login(client, "boss2")
    page = f"/workbench/cases/{case_id}"
    resp = post_form(client, page, {}, action=f"{page}/approve")
    assert resp.status_code == 409 and "容缺受理的材料（申请人身份证明）尚未补交" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, case_id).status is CaseStatus.REVIEWED
    # A denial is still possible: that is the law's consequence of not supplying it.
    resp = post_form(client, page, {"reasons": "逾期未补交身份证明"}, action=f"{page}/deny")
    assert resp.status_code == 302


def test_a_missed_deferral_deadline_raises_a_warning_and_shows_on_the_supervisors_list(app, rworld, client):
    case_id = new_case(app, ITEM)
    _accept_with_pledge(app, case_id)  # due in 3 working days: 26 Nov
    app.config["FIXED_NOW"] = at("2026-11-25")
    login(client, "super")
    page = client.get("/supervision/").get_data(as_text=True)
    assert "容缺材料补交期限" in page and "2026-11-26" in page
    with app.app_context():
        sweep_deadlines(db.session, now=at("2026-11-27"), calendar=WorkingCalendar())
        db.session.commit()
        kinds = [t.kind for t in db.session.query(AccountabilityTrigger).filter_by(application_id=case_id)]
    assert kinds == ["deferred_overdue"]


def test_an_approved_case_shows_its_delivery_deadline_in_the_queue_and_on_the_list(app, rworld, client):
    case_id = new_case(app, ITEM)
    drive(app, case_id, "accept", "opinion1", "complete", "approve")  # approved 23 Nov: deliver by 7 Dec
    app.config["FIXED_NOW"] = at("2026-12-04")
    login(client, "clerk1")
    queue = client.get("/workbench/?status=approved").get_data(as_text=True)
    assert "送达 <span class=\"badge deadline-yellow\">剩余 1 个工作日" in queue
    client.post("/logout")
    login(client, "super")
    assert "送达期限" in client.get("/supervision/").get_data(as_text=True)


def test_acceptance_with_pledge_needs_the_applicant_s_signed_pledge(app, rworld, client):
    from tests.factories.web import login, post_form

    case_id = new_case(app, ITEM)
    app.config["FIXED_NOW"] = at("2026-11-23")
    login(client, "clerk1")
    page = f"/workbench/cases/{case_id}"
    resp = post_form(client, page, {"missing": ["M02"], "pledge_days": "5"}, action=f"{page}/pledge")
    assert resp.status_code == 422 and "容缺受理须申请人签署承诺书" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, case_id).status is CaseStatus.SUBMITTED
    resp = post_form(client, page, {"missing": ["M02"], "pledge_days": "5", "pledge_signed": "1"},
                     action=f"{page}/pledge")
    assert resp.status_code == 302
    with app.app_context():
        notice = db.session.get(Application, case_id).notices[-1]
        assert notice.content["pledge_signed"] is True and notice.content["pledge"] == ["申请人身份证明"]
