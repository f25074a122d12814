from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service_hall.calendar.models import CalendarDay
from service_hall.extensions import db
from tests.factories.web import login, post_form


def test_admin_enters_a_holiday_notice_all_or_nothing(app, client, factory):
    factory.demo_jurisdictions()
    factory.staff("admin1", "admin", "330199000000")
    login(client, "admin1")
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "2004–2026" in page
    bad = post_form(client, "/admin/calendar", {"lines": "2027-01-01 休 元旦\n2027-02-30 休 春节\n2027-03-01 上 错"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "第2行" in body and "日期无效" in body and "第3行" in body
    assert "2027-02-30 休 春节" in body  # the text is kept for correction
    with app.app_context():
        assert db.session.scalars(select(CalendarDay)).all() == []
    ok = post_form(client, "/admin/calendar", {"lines": "2027-01-01 休 元旦\n2027-02-06~2027-02-12 休 春节\n"
                                                        "2027-02-14 班 春节调休上班"})
    assert ok.status_code == 302
    with app.app_context():
        days = {d.day: d for d in db.session.scalars(select(CalendarDay))}
        assert len(days) == 9 and days[dt.date(2027, 2, 14)].is_working
        from service_hall.calendar.working_days import WorkingCalendar

        cal = WorkingCalendar.from_session(db.session)
        due = cal.add_working_days(dt.date(2027, 2, 5), 1)
        assert due.due == dt.date(2027, 2, 14) and not due.provisional
    resp = post_form(client, "/admin/calendar", {}, action="/admin/calendar/2027-01-01/delete")
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(CalendarDay, dt.date(2027, 1, 1)) is None


def test_only_admins_maintain_the_calendar(client, factory):
    factory.demo_jurisdictions()
    factory.staff("clerk1", "clerk", "330199101000")
    login(client, "clerk1")
    assert client.get("/admin/calendar").status_code == 403
