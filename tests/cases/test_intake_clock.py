"""The law's timing: working days from the official calendar, deemed acceptance, years the calendar
package does not cover."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service_hall.audit.models import AuditRecord
from service_hall.cases.models import Application, CaseStatus, NoticeKind
from service_hall.extensions import db
from tests.factories.cases import only_case
from tests.factories.clock import at
from tests.factories.web import apply_for_homestead, csrf_token, login


def test_deemed_acceptance_across_the_spring_festival(app, client, world):
    """Received Thu 12 Feb 2026: the 5 working days are 13 Feb, Sat 14 Feb (a 调休 working day), then —
    after the holiday of 15–23 Feb — 24, 25 and 26 Feb. Nobody acts; on 27 Feb the case is accepted as of
    12 Feb, by operation of law."""
    app.config["FIXED_NOW"] = at("2026-02-12")
    login(client, "13900000001")
    apply_for_homestead(client, period=("2026-03-01", "2026-05-01"))
    case = only_case(app)
    assert case.intake_due_on == dt.date(2026, 2, 26) and not case.deadline_provisional
    clerk = app.test_client()
    login(clerk, "clerk1")
    app.config["FIXED_NOW"] = at("2026-02-26", 17)
    clerk.get("/workbench/")
    assert only_case(app).status == CaseStatus.SUBMITTED  # the last day is still the office's
    app.config["FIXED_NOW"] = at("2026-02-27", 9)
    page = clerk.get("/workbench/").get_data(as_text=True)
    case = only_case(app)
    assert case.status == CaseStatus.ACCEPTED and case.deemed_accepted
    assert case.accepted_on == dt.date(2026, 2, 12)
    # 10 working days from 12 Feb: 13, 14(调休), 24, 25, 26, 27, 28(调休) Feb, 2, 3, 4 Mar.
    assert case.due_on == dt.date(2026, 3, 4)
    assert case.case_number in page
    with app.app_context():
        rec = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "case.deem_accept")).one()
        assert rec.actor_id is None and "视为受理" in rec.reason
        notices = db.session.get(Application, case.id).notices
        assert [n.kind for n in notices] == [NoticeKind.ACCEPTANCE] and notices[0].content["deemed"] is True
    view = client.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "依法自收到申请之日起视为受理" in view


def test_cli_sweep_does_the_same(app, runner, client, world):
    app.config["FIXED_NOW"] = at("2026-11-02")
    login(client, "13900000001")
    apply_for_homestead(client)
    app.config.pop("FIXED_NOW")
    result = runner.invoke(args=["cases", "sweep"])
    assert result.exit_code == 0, result.output
    assert "共 1 件视为受理" in result.output
    assert only_case(app).deemed_accepted


def test_a_year_the_calendar_package_does_not_cover_is_provisional(app, client, world):
    """Received Mon 28 Dec 2026: the deadline falls in 2027, which the State Council has not announced
    yet; weekends are assumed and the deadline is flagged, never a crash."""
    app.config["FIXED_NOW"] = at("2026-12-28")
    login(client, "13900000001")
    apply_for_homestead(client)
    case = only_case(app)
    assert case.intake_due_on == dt.date(2027, 1, 4)
    assert case.deadline_provisional
    view = client.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "2027-01-04" in view and "暂定" in view


def test_admin_calendar_table_extends_the_package(app, client, world):
    from service_hall.calendar.models import CalendarDay

    with app.app_context():
        db.session.add(CalendarDay(day=dt.date(2027, 1, 1), is_working=False, name="元旦", updated_at=at("2026-12-01")))
        db.session.commit()
    app.config["FIXED_NOW"] = at("2026-12-28")
    login(client, "13900000001")
    apply_for_homestead(client)
    assert only_case(app).intake_due_on == dt.date(2027, 1, 5)


def test_acceptance_after_a_holiday_counts_working_days_only(app, client, world):
    """Accepted Fri 25 Sep 2026; the National Day holiday (1–7 Oct) and its 调休 Sundays are honoured."""
    import chinese_calendar

    app.config["FIXED_NOW"] = at("2026-09-25")
    login(client, "13900000001")
    apply_for_homestead(client)
    clerk = app.test_client()
    login(clerk, "clerk1")
    case = only_case(app)
    token = csrf_token(clerk, f"/workbench/cases/{case.id}")
    clerk.post(f"/workbench/cases/{case.id}/accept", data={"csrf_token": token})
    case = only_case(app)
    expected, n, day = None, 0, dt.date(2026, 9, 25)
    while n < 10:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n += 1
    expected = day
    assert case.due_on == expected
    assert (case.due_on - dt.date(2026, 9, 25)).days > 14  # the holiday week really was skipped
