"""The supervisor's delivery deadlines are selected by decision day in SQL: the cut-off day is exactly the
last decision day whose 送达期限 is due by the watch threshold, and the list stops at its page size
(docs/architecture.md, "Lists at scale")."""

from __future__ import annotations

import datetime as dt

from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases.accountability import DELIVERY_DAYS, last_decision_day_watched, watched_deadlines
from service_hall.cases.clock import local_date
from service_hall.extensions import db
from tests.factories.accounts import user
from tests.factories.cases import drive, new_case
from tests.factories.clock import at


def test_the_cut_off_is_the_last_decision_day_due_by_the_threshold():
    overrides = {dt.date(2027, 2, d): (False, "春节") for d in range(8, 15)} | {dt.date(2027, 2, 6): (True, "调休")}
    calendar = WorkingCalendar(overrides)
    last = dt.date(2026, 12, 1)
    while last < dt.date(2027, 4, 1):
        cut = last_decision_day_watched(calendar, last)
        for back in range(0, 45):
            day = last - dt.timedelta(days=back)
            assert (calendar.add_working_days(day, DELIVERY_DAYS).due <= last) == (day <= cut), (last, day)
        last += dt.timedelta(days=1)


def test_the_watched_deadlines_stop_at_the_page_size_and_say_there_are_more(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    for _ in range(3):
        case_id = new_case(app, applicant="13900000001", day="2026-11-02")
        drive(app, case_id, "accept", "opinion1", "complete", day="2026-11-02")
        drive(app, case_id, "approve", day="2026-11-05")
    with app.app_context():
        supervisor = user("super")
        calendar = WorkingCalendar.from_session(db.session)
        now = at("2026-11-23")
        short = watched_deadlines(db.session, supervisor, calendar, now, size=2)
        whole = watched_deadlines(db.session, supervisor, calendar, now)
    assert len(short.rows) == 2 and short.more
    assert len(whole.rows) == 3 and not whole.more
    assert [r.case.id for r in short.rows] == [r.case.id for r in whole.rows][:2]
    assert all(r.label == "送达期限" and r.colour == "red" and r.due < local_date(now) for r in whole.rows)
