"""Special procedures stop the decision clock (行政许可法 第四十五条); the limits are recomputed when they
end, shown as the earliest they can be while they run, and never flagged overdue meanwhile."""

from __future__ import annotations

import datetime as dt

import pytest

from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases import review
from service_hall.cases.models import Application, CaseStatus, PauseKind
from service_hall.core.errors import ValidationFailed
from service_hall.extensions import db
from tests.factories.accounts import user
from tests.factories.cases import drive, load, new_case
from tests.factories.clock import at
from tests.factories.context import ctx_for
from tests.factories.web import api_token, login, post_form


def _triggers(app, case_id):
    with app.app_context():
        return sorted((t.kind, t.situation, t.listed) for t in db.session.get(Application, case_id).triggers)


def test_hearing_spanning_the_national_day_holiday(app, rworld):
    """Accepted Tue 22 Sep 2026: 10 working days end Tue 13 Oct (the Mid-Autumn and National Day holidays
    are skipped, Sat 10 Oct is a 调休 working day); 20 end Tue 27 Oct. A hearing runs from 29 Sep to 9 Oct:
    none of those days count, so the limits move to Mon 19 Oct and Mon 2 Nov."""
    app.config["FIXED_NOW"] = at("2026-09-22")
    case_id = new_case(app, day="2026-09-22")
    drive(app, case_id, "accept", day="2026-09-22")
    case = load(app, case_id)
    assert (case.due_on, case.statutory_due_on) == (dt.date(2026, 10, 13), dt.date(2026, 10, 27))

    reviewer = app.test_client()
    login(reviewer, "rev1")
    page = f"/workbench/cases/{case_id}"
    app.config["FIXED_NOW"] = at("2026-09-29")
    resp = post_form(reviewer, page, {"kind": "hearing", "note": ""}, action=f"{page}/special")
    assert resp.status_code == 422 and "请写明特别程序的事由" in resp.get_data(as_text=True)
    resp = post_form(reviewer, page, {"kind": "hearing", "note": "相邻权利人申请听证，预计十日"},
                     action=f"{page}/special")
    assert resp.status_code == 302
    assert load(app, case_id).status == CaseStatus.SPECIAL_PROCEDURE

    # While it runs, the limits are the earliest they can be — the pause counted up to today.
    app.config["FIXED_NOW"] = at("2026-10-05")
    client = app.test_client()
    clock = client.get(f"/api/v1/cases/{case_id}", headers=api_token(client, "clerk1")).get_json()["clock"]
    assert clock["paused"] is True
    assert (clock["promised"], clock["statutory"]) == ("2026-10-15", "2026-10-29")
    applicant = app.test_client()
    login(applicant, "13900000001")
    body = applicant.get(f"/portal/applications/{load(app, case_id).ref}").get_data(as_text=True)
    assert "办理时限暂停计算" in body and "听证" in body and "所需时间不计入办理期限" in body

    app.config["FIXED_NOW"] = at("2026-10-09")
    resp = post_form(reviewer, page, {"outcome": "听证后，相邻权利人无异议"}, action=f"{page}/special/end")
    assert resp.status_code == 302
    case = load(app, case_id)
    assert case.status == CaseStatus.ACCEPTED
    assert (case.due_on, case.statutory_due_on) == (dt.date(2026, 10, 19), dt.date(2026, 11, 2))
    [pause] = [p for p in case.pauses if p.kind == PauseKind.HEARING]
    assert (pause.started_on, pause.ended_on, pause.outcome) == (dt.date(2026, 9, 29), dt.date(2026, 10, 9),
                                                                 "听证后，相邻权利人无异议")

    # Overdue is measured against the recomputed limits: the sweep warns after 19 Oct, and raises the
    # item's own 追责情形 after 2 Nov.
    staff = app.test_client()
    headers = api_token(staff, "clerk1")
    app.config["FIXED_NOW"] = at("2026-10-19")
    staff.get("/api/v1/cases", headers=headers)
    assert _triggers(app, case_id) == []
    app.config["FIXED_NOW"] = at("2026-10-20")
    staff.get("/api/v1/cases", headers=headers)
    assert [k for k, _, _ in _triggers(app, case_id)] == ["overdue_promised"]
    app.config["FIXED_NOW"] = at("2026-11-03")
    staff.get("/api/v1/cases", headers=headers)
    assert _triggers(app, case_id) == [("late_decision", "超过法定期限未作出宅基地审批决定", True),
                                       ("overdue_promised", "超过承诺办结时限仍未作出决定", False)]


def test_no_overdue_while_a_special_procedure_runs(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "accept", "hearing")
    version = load(app, case_id).row_version
    staff = app.test_client()
    app.config["FIXED_NOW"] = at("2027-01-20")  # far past both original limits
    body = staff.get(f"/api/v1/cases/{case_id}", headers=api_token(staff, "clerk1")).get_json()
    assert body["clock"]["paused"] and body["clock"]["statutory_colour"] == "green"
    assert _triggers(app, case_id) == []
    assert body["clock"]["promised"] > "2027-01-20"
    assert load(app, case_id).row_version == version  # the sweep only reads the case


@pytest.mark.parametrize("kind", ["inspection", "testing", "expert_review"])
def test_every_special_procedure_stops_the_clock(app, rworld, kind):
    cal = WorkingCalendar()
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "accept")
    with app.app_context():
        case = db.session.get(Application, case_id)
        before = case.statutory_due_on
        review.start_special_procedure(ctx_for(user("rev1"), at("2026-11-24"), calendar=cal), case, kind=kind,
                                       note="委托第三方")
        review.end_special_procedure(ctx_for(user("rev1"), at("2026-11-30"), calendar=cal), case, outcome="结论合格")
        # 24 Nov – 30 Nov holds five working days (24, 25, 26, 27, 30), all left out.
        assert case.statutory_due_on == cal.add_working_days(before, 5).due
        with pytest.raises(ValidationFailed):
            review.start_special_procedure(ctx_for(user("rev1"), at("2026-12-01"), calendar=cal), case,
                                           kind="correction", note="补正不是特别程序")
        db.session.rollback()


def test_extension_and_special_procedure_add_up(app, rworld):
    cal = WorkingCalendar()
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = new_case(app)
    drive(app, case_id, "accept")
    with app.app_context():
        case = db.session.get(Application, case_id)
        review.start_special_procedure(ctx_for(user("rev1"), at("2026-11-24"), calendar=cal), case,
                                       kind="inspection", note="现场勘验")
        review.extend(ctx_for(user("boss1"), at("2026-11-25"), calendar=cal), case, reason="勘验复杂")
        review.end_special_procedure(ctx_for(user("rev1"), at("2026-11-26"), calendar=cal), case, outcome="符合")
        # 20 + 10 working days after 23 Nov, leaving out 24–26 Nov.
        assert case.statutory_due_on == cal.add_working_days_with_pauses(
            dt.date(2026, 11, 23), 30, [(dt.date(2026, 11, 24), dt.date(2026, 11, 26))]).due
        assert case.due_on == cal.add_working_days(dt.date(2026, 11, 26), 10).due
        db.session.commit()
