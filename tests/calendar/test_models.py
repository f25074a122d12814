"""The administrator's calendar table and the calendar built from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from service_hall.calendar.models import CalendarDay, remove_calendar_day, set_calendar_day
from service_hall.calendar.working_days import Deadline, WorkingCalendar
from service_hall.core.errors import ValidationFailed
from tests.factories.database import migrated, private_database

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
D = dt.date

if migrated("calendar_days"):
    @pytest.fixture
    def session(ctx) -> Iterator[Session]:
        yield ctx
else:
    @pytest.fixture
    def session() -> Iterator[Session]:
        with private_database(CalendarDay.__table__) as s:
            yield s


def test_entered_notice_drives_the_calendar(session):
    assert WorkingCalendar.from_session(session).add_working_days(D(2026, 12, 30), 3) == \
        Deadline(D(2027, 1, 4), provisional=True)
    set_calendar_day(session, D(2027, 1, 1), is_working=False, name="元旦", actor_id=None, now=NOW)
    set_calendar_day(session, D(2027, 1, 2), is_working=True, name=" 元旦调休上班 ", actor_id=None, now=NOW)
    session.commit()
    cal = WorkingCalendar.from_session(session)
    assert cal.add_working_days(D(2026, 12, 30), 3) == Deadline(D(2027, 1, 4), provisional=False)
    assert cal.day_info(D(2027, 1, 2)).name == "元旦调休上班"
    row = session.get(CalendarDay, D(2027, 1, 1))
    assert (row.is_working, row.name, row.updated_at, row.updated_by_id) == (False, "元旦", NOW, None)


def test_changing_and_removing_a_day(session):
    set_calendar_day(session, D(2026, 2, 14), is_working=False, name="临时休息", actor_id=None, now=NOW)
    later = NOW + dt.timedelta(days=1)
    row = set_calendar_day(session, D(2026, 2, 14), is_working=True, name="调休上班", actor_id=None,
                           now=later)
    assert (row.is_working, row.updated_at) == (True, later)
    assert session.query(CalendarDay).count() == 1
    assert remove_calendar_day(session, D(2026, 2, 14)) is True
    assert remove_calendar_day(session, D(2026, 2, 14)) is False
    # Back to the package: 2-14 is a 调休 working Saturday.
    assert WorkingCalendar.from_session(session).is_working_day(D(2026, 2, 14)) == (True, False)


def test_bad_input_is_refused(session):
    with pytest.raises(ValidationFailed) as info:
        set_calendar_day(session, D(2027, 1, 1), is_working=False, name="元" * 51, actor_id=None, now=NOW)
    assert info.value.details == {"name": "不能超过50个字"}
    with pytest.raises(TypeError):
        set_calendar_day(session, dt.datetime(2027, 1, 1), is_working=False, name="元旦", actor_id=None,
                         now=NOW)
