"""Working days between two dates are counted from per-year running counts, not day by day; the result is
the law's count (the days after the first up to the second) for any pair, across years, holidays, the
administrator's overrides and years no notice covers yet (provisional)."""

from __future__ import annotations

import datetime as dt
import random

from service_hall.calendar.working_days import WorkingCalendar


def _walk(calendar: WorkingCalendar, a: dt.date, b: dt.date) -> tuple[int, bool]:
    days, provisional, day = 0, False, a
    while day < b:
        day += dt.timedelta(days=1)
        info = calendar.day_info(day)
        days += info.is_working
        provisional = provisional or info.provisional
    return days, provisional


def test_running_counts_give_the_day_by_day_count():
    overrides = {dt.date(2027, 2, 8): (False, "春节"), dt.date(2027, 2, 6): (True, "春节调休上班")}
    for calendar in (WorkingCalendar(), WorkingCalendar(overrides), WorkingCalendar(overrides, declared_years=[])):
        rng = random.Random(7)
        start = dt.date(2024, 12, 1)
        for _ in range(400):
            a = start + dt.timedelta(days=rng.randrange(1300))
            b = a + dt.timedelta(days=rng.randrange(0, 420))
            count = calendar.working_days_between(a, b)
            assert (count.days, count.provisional) == _walk(calendar, a, b), (a, b)
            back = calendar.working_days_between(b, a)
            assert back.days == -count.days and back.provisional == count.provisional


def test_a_year_beyond_the_notices_is_provisional_and_a_declared_one_is_not():
    far = WorkingCalendar()
    assert far.working_days_between(dt.date(2040, 3, 1), dt.date(2040, 3, 31)).provisional
    declared = WorkingCalendar({dt.date(2040, 1, 1): (False, "元旦")})
    count = declared.working_days_between(dt.date(2040, 3, 1), dt.date(2040, 3, 31))
    assert not count.provisional and count.days == 21  # weekdays after 1 March up to 31 March
