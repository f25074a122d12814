"""Working days as the law counts them, on the 2026 official calendar and beyond it.

2026 per the State Council notice (as in chinese_calendar): 春节 rest 2-15 … 2-23 with Saturdays 2-14 and
2-28 worked; 中秋 rest 9-25 … 9-27; 国庆 rest 10-1 … 10-7 with Sunday 9-20 and Saturday 10-10 worked.
"""

from __future__ import annotations

import datetime as dt

import pytest

from service_hall.calendar.working_days import (
    Count,
    DaySource,
    Deadline,
    DeadlineColour,
    WorkingCalendar,
    covered_years,
)

D = dt.date
CAL = WorkingCalendar()


def test_package_data_is_the_real_2026_calendar():
    # Guard: if a package upgrade changes these, the expectations below must be re-checked.
    assert CAL.day_info(D(2026, 2, 14)).name == "春节调休上班"
    assert [CAL.is_working_day(D(2026, 2, d))[0] for d in range(13, 25)] == [
        True, True, False, False, False, False, False, False, False, False, False, True]
    assert CAL.is_working_day(D(2026, 2, 28)) == (True, False)
    assert CAL.is_working_day(D(2026, 9, 20)) == (True, False)
    assert CAL.is_working_day(D(2026, 10, 10)) == (True, False)
    assert [CAL.is_working_day(D(2026, 10, d))[0] for d in range(1, 9)] == [False] * 7 + [True]


def test_covered_years_ends_with_the_newest_notice():
    years = covered_years()
    assert 2026 in years and 2027 not in years
    assert CAL.covered_years()[-1] == 2026


# --- counting -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "n", "due"), [
    (D(2026, 2, 12), 1, D(2026, 2, 13)),
    (D(2026, 2, 12), 2, D(2026, 2, 14)),  # the 调休 Saturday counts
    (D(2026, 2, 12), 3, D(2026, 2, 24)),  # then nine days of 春节
    (D(2026, 2, 13), 5, D(2026, 2, 27)),
    (D(2026, 2, 27), 1, D(2026, 2, 28)),  # Saturday 2-28 is worked
    (D(2026, 2, 14), 20, D(2026, 3, 20)),
    (D(2026, 9, 19), 1, D(2026, 9, 20)),  # Sunday 9-20 is worked
    (D(2026, 9, 24), 1, D(2026, 9, 28)),  # 中秋
    (D(2026, 9, 30), 1, D(2026, 10, 8)),  # 国庆
    (D(2026, 9, 30), 3, D(2026, 10, 10)),  # Saturday 10-10 is worked
    (D(2026, 9, 21), 20, D(2026, 10, 26)),  # a 20-working-day decision period across both
    (D(2026, 3, 6), 5, D(2026, 3, 13)),  # plain weekend
])
def test_add_working_days_over_holidays_and_swapped_weekends(start, n, due):
    assert CAL.add_working_days(start, n) == Deadline(due, provisional=False)


def test_starting_day_is_not_counted():
    monday = D(2026, 3, 2)
    assert CAL.add_working_days(monday, 1).due == D(2026, 3, 3)
    assert CAL.working_days_between(monday, monday) == Count(0, False)
    assert CAL.working_days_between(monday, D(2026, 3, 3)) == Count(1, False)


@pytest.mark.parametrize("start", [D(2026, 3, 2), D(2026, 2, 17), D(2030, 1, 1), D(1999, 5, 1)])
def test_zero_days_is_the_start_day(start):
    assert CAL.add_working_days(start, 0) == Deadline(start, provisional=False)


def test_next_working_day():
    assert CAL.next_working_day(D(2026, 2, 13)) == Deadline(D(2026, 2, 14), False)
    assert CAL.next_working_day(D(2026, 2, 15)) == Deadline(D(2026, 2, 24), False)
    assert CAL.next_working_day(D(2027, 1, 1)) == Deadline(D(2027, 1, 4), True)


@pytest.mark.parametrize(("a", "b", "days"), [
    (D(2026, 2, 13), D(2026, 2, 24), 2),
    (D(2026, 9, 30), D(2026, 10, 10), 3),
    (D(2026, 3, 2), D(2026, 3, 31), 21),
    (D(2026, 2, 24), D(2026, 2, 13), -2),  # counted backwards
])
def test_working_days_between(a, b, days):
    assert CAL.working_days_between(a, b) == Count(days, False)


def test_counting_is_consistent_with_adding():
    start = D(2026, 1, 1)
    for n in range(0, 60, 7):
        due = CAL.add_working_days(start, n).due
        assert CAL.working_days_between(start, due).days == n


# --- beyond the package ----------------------------------------------------------------------------------

def test_year_past_the_package_is_provisional_and_does_not_crash():
    assert CAL.is_working_day(D(2027, 1, 1)) == (True, True)  # a guess: surely 元旦, but no notice yet
    assert CAL.is_working_day(D(2027, 1, 2)) == (False, True)
    info = CAL.day_info(D(2027, 3, 1))
    assert (info.source, info.provisional) == (DaySource.WEEKEND_RULE, True)
    assert CAL.add_working_days(D(2026, 12, 30), 3) == Deadline(D(2027, 1, 4), provisional=True)
    assert CAL.add_working_days(D(2026, 12, 28), 2) == Deadline(D(2026, 12, 30), provisional=False)
    assert CAL.working_days_between(D(2026, 12, 30), D(2027, 1, 8)) == Count(7, True)
    assert CAL.add_working_days(D(2099, 12, 31), 20).provisional
    assert CAL.deadline_colour(D(2031, 6, 6), D(2031, 6, 2)) == DeadlineColour.GREEN


def test_a_single_guessed_weekend_makes_the_deadline_provisional():
    # Friday 2027-01-08 + 1: the Saturday and Sunday skipped are guesses too.
    assert CAL.add_working_days(D(2027, 1, 8), 1) == Deadline(D(2027, 1, 11), provisional=True)


# --- the administrator's table --------------------------------------------------------------------------

NOTICE_2027 = {
    D(2027, 1, 1): (False, "元旦"),
    D(2027, 2, 6): (False, "春节"), D(2027, 2, 7): (False, "春节"), D(2027, 2, 8): (False, "春节"),
    D(2027, 2, 9): (False, "春节"), D(2027, 2, 10): (False, "春节"), D(2027, 2, 11): (False, "春节"),
    D(2027, 2, 12): (False, "春节"), D(2027, 2, 13): (False, "春节"), D(2027, 2, 14): (False, "春节"),
    D(2027, 2, 20): (True, "春节调休上班"),
}


def test_table_extends_the_calendar_past_the_package():
    cal = WorkingCalendar(NOTICE_2027)
    assert cal.is_working_day(D(2027, 1, 1)) == (False, False)
    assert cal.day_info(D(2027, 2, 20)).source == DaySource.TABLE
    # Unlisted days of a year the table covers follow the weekend rule without being guesses.
    assert cal.is_working_day(D(2027, 3, 1)) == (True, False)
    assert cal.add_working_days(D(2026, 12, 30), 3) == Deadline(D(2027, 1, 5), provisional=False)
    assert cal.add_working_days(D(2027, 2, 5), 1) == Deadline(D(2027, 2, 15), provisional=False)
    assert cal.add_working_days(D(2027, 2, 19), 1) == Deadline(D(2027, 2, 20), provisional=False)
    assert cal.covered_years()[-1] == 2027
    assert cal.add_working_days(D(2027, 12, 30), 2).provisional  # 2028 is still a guess


def test_table_wins_over_the_package():
    cal = WorkingCalendar({D(2026, 2, 14): (False, "临时休息"), D(2026, 3, 7): (True, "补班")})
    assert cal.day_info(D(2026, 2, 14)).name == "临时休息"
    assert cal.is_working_day(D(2026, 2, 14)) == (False, False)
    assert cal.add_working_days(D(2026, 2, 13), 1).due == D(2026, 2, 24)
    assert cal.add_working_days(D(2026, 3, 6), 1).due == D(2026, 3, 7)


def test_declared_years_can_be_given_explicitly():
    partial = {D(2027, 10, 1): (False, "国庆节")}
    assert WorkingCalendar(partial).is_working_day(D(2027, 3, 1)) == (True, False)
    assert WorkingCalendar(partial, declared_years=[]).is_working_day(D(2027, 3, 1)) == (True, True)


# --- pauses ---------------------------------------------------------------------------------------------

MONDAY = D(2026, 3, 2)


def test_closed_pause_stops_the_clock():
    assert CAL.add_working_days(MONDAY, 5).due == D(2026, 3, 9)
    paused = CAL.add_working_days_with_pauses(MONDAY, 5, [(D(2026, 3, 4), D(2026, 3, 5))])
    assert paused == Deadline(D(2026, 3, 11), provisional=False)


def test_several_pauses_including_one_over_a_weekend():
    pauses = [(D(2026, 3, 3), D(2026, 3, 3)), (D(2026, 3, 6), D(2026, 3, 9))]
    # Counted: 3-4, 3-5, 3-10, 3-11, 3-12.
    assert CAL.add_working_days_with_pauses(MONDAY, 5, pauses).due == D(2026, 3, 12)


def test_pause_over_a_holiday_costs_only_the_working_days_in_it():
    # 2026-02-13 + 3 is 2-24; pausing 2-14 … 2-16 removes only the worked Saturday 2-14.
    assert CAL.add_working_days_with_pauses(D(2026, 2, 13), 3, [(D(2026, 2, 14), D(2026, 2, 16))]).due == \
        D(2026, 2, 26)


def test_open_pause_runs_until_today():
    pauses = [(D(2026, 3, 4), None)]
    running = CAL.add_working_days_with_pauses(MONDAY, 5, pauses, today=D(2026, 3, 10))
    assert running == Deadline(D(2026, 3, 16), provisional=False, paused=True)
    earliest = CAL.add_working_days_with_pauses(MONDAY, 5, pauses)
    assert earliest == Deadline(D(2026, 3, 10), provisional=False, paused=True)


def test_open_pause_after_the_deadline_does_not_touch_it():
    assert CAL.add_working_days_with_pauses(MONDAY, 5, [(D(2026, 3, 20), None)], today=D(2026, 3, 25)) == \
        Deadline(D(2026, 3, 9), provisional=False, paused=False)


def test_pause_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="before it starts"):
        CAL.add_working_days_with_pauses(MONDAY, 5, [(D(2026, 3, 5), D(2026, 3, 4))])


# --- colours --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("today", "colour"), [
    (D(2026, 3, 4), DeadlineColour.GREEN),
    (D(2026, 3, 5), DeadlineColour.GREEN),  # 3 working days left: 3-6, 3-9, 3-10
    (D(2026, 3, 6), DeadlineColour.YELLOW),  # 2 left
    (D(2026, 3, 7), DeadlineColour.YELLOW),  # Saturday: still 2 left
    (D(2026, 3, 9), DeadlineColour.YELLOW),
    (D(2026, 3, 10), DeadlineColour.YELLOW),  # due today
    (D(2026, 3, 11), DeadlineColour.RED),  # overdue
    (D(2026, 4, 1), DeadlineColour.RED),
])
def test_deadline_colour_boundaries(today, colour):
    assert CAL.deadline_colour(D(2026, 3, 10), today) == colour


def test_colour_counts_working_days_not_calendar_days():
    # Eleven calendar days before 2-24, but only 2-14 and 2-24 are working days.
    assert CAL.deadline_colour(D(2026, 2, 24), D(2026, 2, 13)) == "yellow"
    assert CAL.deadline_colour(D(2026, 2, 24), D(2026, 2, 12)) == "green"
    assert DeadlineColour.RED.label == "已超期"


# --- misuse ---------------------------------------------------------------------------------------------

def test_negative_period_is_refused():
    with pytest.raises(ValueError):
        CAL.add_working_days(MONDAY, -1)


@pytest.mark.parametrize("call", [
    lambda: CAL.is_working_day(dt.datetime(2026, 3, 2, 12, 0)),
    lambda: CAL.add_working_days("2026-03-02", 1),
    lambda: CAL.working_days_between(MONDAY, dt.datetime(2026, 3, 3)),
    lambda: CAL.deadline_colour(MONDAY, None),
    lambda: WorkingCalendar({dt.datetime(2027, 1, 1): (False, "元旦")}),
])
def test_datetimes_and_strings_are_refused(call):
    # A UTC datetime's date can be the wrong China day; callers convert to the local date first.
    with pytest.raises(TypeError):
        call()


def test_day_names():
    days = (D(2026, 2, 17), D(2026, 9, 26), D(2026, 10, 1), D(2026, 10, 10), D(2026, 3, 7), D(2026, 3, 9))
    names = {d: CAL.day_info(d).name for d in days}
    assert names == {D(2026, 2, 17): "春节", D(2026, 9, 26): "中秋", D(2026, 10, 1): "国庆节",
                     D(2026, 10, 10): "国庆节调休上班", D(2026, 3, 7): "周末", D(2026, 3, 9): ""}


def test_days_left_counts_back_once_overdue():
    import datetime as dt

    from service_hall.calendar.working_days import WorkingCalendar

    cal = WorkingCalendar()
    # Fri 13 Feb 2026 → Tue 24 Feb 2026: Sat 14 Feb (调休) and Tue 24 Feb are the working days between.
    assert cal.days_left(dt.date(2026, 2, 24), dt.date(2026, 2, 13)) == 2
    assert cal.days_left(dt.date(2026, 2, 13), dt.date(2026, 2, 24)) == -2
    assert cal.days_left(dt.date(2026, 2, 13), dt.date(2026, 2, 13)) == 0


@pytest.mark.parametrize("calendar", [
    CAL,
    WorkingCalendar({D(2027, 1, 1): (False, "元旦"), D(2027, 2, 7): (True, "春节调休上班"),
                     D(2027, 2, 8): (False, "春节")}),
    WorkingCalendar({D(2028, 5, 1): (False, "劳动节")}, declared_years=[]),
])
def test_adding_from_the_running_counts_agrees_with_the_walk_over_the_days(calendar):
    """Without a pause the n-th working day is read from the running counts; it must be the day and the
    provisional flag a walk over the days finds, across holidays, 调休, the year's end and guessed years."""
    def walk(start: dt.date, n: int) -> Deadline:
        day, left, provisional = start, n, False
        while left > 0:
            day += dt.timedelta(days=1)
            working, guessed = calendar.is_working_day(day)
            provisional = provisional or guessed
            left -= working
        return Deadline(day, provisional)

    starts = [D(2025, 12, 20) + dt.timedelta(days=k) for k in range(0, 900, 7)] + [D(2026, 12, 31), D(2027, 2, 5)]
    for start in starts:
        for n in (0, 1, 2, 5, 10, 20, 60, 250, 400):
            assert calendar.add_working_days(start, n) == walk(start, n), (start, n)


def test_a_calendar_from_the_table_is_reused_until_the_table_changes(app, factory):
    """``from_session`` reads the rows every time but builds a calendar once per set of rows: the same
    object while the table is unchanged, a new one (counting the edit) as soon as a row changes."""
    from service_hall.calendar.models import CalendarDay
    from service_hall.extensions import db

    with app.app_context():
        first = WorkingCalendar.from_session(db.session)
        assert WorkingCalendar.from_session(db.session) is first
        db.session.add(CalendarDay(day=D(2026, 3, 2), is_working=False, name="临时休息",
                                   updated_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC)))
        db.session.flush()
        edited = WorkingCalendar.from_session(db.session)
        assert edited is not first
        assert edited.is_working_day(D(2026, 3, 2)) == (False, False)
        assert edited.add_working_days(D(2026, 2, 27), 1).due == D(2026, 2, 28)  # 调休 Saturday
        assert edited.add_working_days(D(2026, 2, 28), 1).due == D(2026, 3, 3)
        db.session.rollback()
        assert WorkingCalendar.from_session(db.session) is first
