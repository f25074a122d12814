"""Counting working days the way the law does.

Rules encoded here:

- Periods are in working days, holidays excluded (行政许可法 第八十二条), and the starting day is not
  counted (开始的当日不计入，自下一日开始计算 — 民法典 第二百零一条): the n-th working day after the
  start is the last day. n = 0 is the start day itself.
- Whether a day is a working day comes from, in this order: the administrator's calendar table, the
  ``chinese_calendar`` package (holidays and 调休 working weekends from the State Council notices),
  and the weekend rule (Monday–Friday). The weekend rule alone is a guess for years no notice covers
  yet, so any result that rests on it is flagged ``provisional`` — the system never fails for a date
  beyond the package.
- A year counts as covered by the table as soon as the table holds any day of it (the administrator
  enters the whole notice at once); its unlisted days follow the weekend rule as the notice implies.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import threading
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import chinese_calendar
from chinese_calendar import constants as official
from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.calendar.models import CalendarDay

# Deadlines with this many working days left, or fewer, show yellow.
YELLOW_WORKING_DAYS = 2
_ONE_DAY = dt.timedelta(days=1)


class DaySource(enum.StrEnum):
    TABLE = "table"  # the administrator's calendar_days row
    PACKAGE = "package"  # chinese_calendar, i.e. a published State Council notice
    WEEKEND_RULE = "weekend_rule"  # Monday–Friday


class DeadlineColour(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"  # ≤ 2 working days left
    RED = "red"  # overdue

    @property
    def label(self) -> str:
        return {"green": "正常", "yellow": "临近到期", "red": "已超期"}[self.value]


@dataclass(frozen=True)
class DayInfo:
    day: dt.date
    is_working: bool
    name: str  # 春节, 春节调休上班, 周末 … or "" for an ordinary working day
    source: DaySource
    provisional: bool


@dataclass(frozen=True)
class Deadline:
    """A computed last day. ``provisional``: some day counted rests on the weekend rule alone.
    ``paused``: an open pause (no end yet) stops the clock, so ``due`` is the earliest it can be."""

    due: dt.date
    provisional: bool
    paused: bool = False


@dataclass(frozen=True)
class Count:
    """A number of working days; negative when counted backwards. ``provisional`` as for Deadline."""

    days: int
    provisional: bool


def _holiday_name(english: str | None) -> str:
    for holiday in official.Holiday:
        if holiday.value == english:
            return str(holiday.chinese)
    return english or ""


def covered_years() -> range:
    """The years the installed ``chinese_calendar`` package has official data for. Raises nothing."""
    years = [d.year for d in official.holidays]
    return range(min(years), max(years) + 1)


@functools.lru_cache(maxsize=8192)
def _package_day(day: dt.date) -> tuple[bool, str] | None:
    """(is_working, name) from the package, or None for a year it does not cover."""
    try:
        is_working = chinese_calendar.is_workday(day)
        _, english = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if english is not None:
        name = _holiday_name(english)
        return is_working, f"{name}调休上班" if is_working else name
    return is_working, "" if is_working else "周末"


def _check_date(value: object, what: str = "day") -> dt.date:
    # A datetime is a date subclass; letting one in would silently count a UTC date, not China's.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{what} must be a datetime.date (the local China date), got {type(value).__name__}")
    return value


_YEARS_AHEAD = 100  # a count of working days that ends further away is an error, not a loop without end


class WorkingCalendar:
    """Working days from the table overrides, the package and the weekend rule, in that order.

    ``overrides`` maps a date to ``(is_working, name)``. ``declared_years`` are the years whose
    State Council notice the overrides hold in full; by default every year with at least one override.
    Get one per request or job with ``from_session``: it reads the table each time, so edits take effect,
    and reuses the calendar of the same rows (and the running counts it has computed).
    """

    def __init__(self, overrides: Mapping[dt.date, tuple[bool, str | None]] | None = None, *,
                 declared_years: Iterable[int] | None = None) -> None:
        self._overrides = {_check_date(d): (bool(w), n or "") for d, (w, n) in (overrides or {}).items()}
        self._declared = (frozenset(declared_years) if declared_years is not None
                          else frozenset(d.year for d in self._overrides))
        self._years: dict[int, tuple[list[int], list[int]]] = {}

    @classmethod
    def from_session(cls, session: Session) -> WorkingCalendar:
        """A calendar with every ``calendar_days`` row as an override. The rows are read each time, so an
        edit of the table takes effect at once; the calendar built from the same rows is reused within
        the process, with the running counts it has computed (docs/architecture.md, "Lists at scale").
        Raises nothing of its own."""
        rows = tuple((day, is_working, name) for day, is_working, name in session.execute(
            select(CalendarDay.day, CalendarDay.is_working, CalendarDay.name).order_by(CalendarDay.day)))
        with _built_lock:
            found = _built.get(rows)
        if found is None:
            found = cls({day: (is_working, name) for day, is_working, name in rows})
            with _built_lock:
                if len(_built) >= _BUILT_KEPT:
                    _built.pop(next(iter(_built)))
                _built[rows] = found
        return found

    def covered_years(self) -> list[int]:
        """Years whose working days are known (package or table), ascending. Raises nothing."""
        return sorted(set(covered_years()) | self._declared)

    def day_info(self, day: dt.date) -> DayInfo:
        """Status, name and source of one day. Raises TypeError for anything but a date."""
        _check_date(day)
        if day in self._overrides:
            is_working, name = self._overrides[day]
            return DayInfo(day, is_working, name, DaySource.TABLE, provisional=False)
        package = _package_day(day)
        if package is not None:
            return DayInfo(day, package[0], package[1], DaySource.PACKAGE, provisional=False)
        is_working = day.weekday() < 5
        return DayInfo(day, is_working, "" if is_working else "周末", DaySource.WEEKEND_RULE,
                       provisional=day.year not in self._declared)

    def is_working_day(self, day: dt.date) -> tuple[bool, bool]:
        """(is a working day, provisional). Raises TypeError for anything but a date."""
        info = self.day_info(day)
        return info.is_working, info.provisional

    def add_working_days(self, start: dt.date, n: int) -> Deadline:
        """The n-th working day after ``start`` (the start day itself is not counted; n = 0 → start).

        Raises ValueError (n < 0) and TypeError (not a date).
        """
        return self.add_working_days_with_pauses(start, n, [])

    def next_working_day(self, day: dt.date) -> Deadline:
        """The first working day after ``day``. Raises TypeError (not a date)."""
        return self.add_working_days(day, 1)

    def add_working_days_with_pauses(self, start: dt.date, n: int,
                                     pauses: Sequence[tuple[dt.date, dt.date | None]], *,
                                     today: dt.date | None = None) -> Deadline:
        """Like :meth:`add_working_days`, but the clock stops during each pause (a correction period,
        a hearing, an inspection): no day from a pause's first to its last day inclusive is counted.

        A pause without an end is still running: it is taken to last until ``today`` when given,
        otherwise until its own first day, and the result is flagged ``paused`` — the earliest the
        deadline can be, moving later each day the pause goes on.

        Raises ValueError (n < 0, a pause ending before it starts, or no such day within a century) and
        TypeError (not a date).
        """
        _check_date(start, "start")
        if n < 0:
            raise ValueError("n must not be negative")
        if not pauses:
            return self._counted_forward(start, n)
        spans: list[tuple[dt.date, dt.date]] = []
        open_starts: list[dt.date] = []
        for first, last in pauses:
            _check_date(first, "pause start")
            if last is None:
                open_starts.append(first)
                last = max(first, _check_date(today, "today")) if today is not None else first
            elif _check_date(last, "pause end") < first:
                raise ValueError(f"pause ends ({last}) before it starts ({first})")
            spans.append((first, last))

        day, left, provisional = start, n, False
        while left > 0:
            day += _ONE_DAY
            if any(first <= day <= last for first, last in spans):
                continue
            info = self.day_info(day)
            provisional = provisional or info.provisional
            if info.is_working:
                left -= 1
        paused = any(first <= day for first in open_starts) and n > 0
        return Deadline(day, provisional, paused)

    def working_days_between(self, a: dt.date, b: dt.date) -> Count:
        """Working days after ``a`` up to and including ``b`` (as the law counts a period from ``a``);
        negative when ``b`` is before ``a``. Raises TypeError (not a date)."""
        _check_date(a, "a")
        _check_date(b, "b")
        if b < a:
            back = self.working_days_between(b, a)
            return Count(-back.days, back.provisional)
        # Arithmetic on per-year running counts instead of a walk over the days (docs/architecture.md,
        # "Lists at scale"): the days after ``a`` up to ``b`` are those up to ``b`` minus those up to ``a``.
        working_b, provisional_b = self._running(b, a.year)
        working_a, provisional_a = self._running(a, a.year)
        return Count(working_b - working_a, provisional_b > provisional_a)

    def _counted_forward(self, start: dt.date, n: int) -> Deadline:
        """The n-th working day after ``start`` found in the running counts (no walk over the days): the
        first day whose running count reaches the start's plus n. Provisional when a day after the start
        up to it rests on the weekend rule alone, as the walk would flag it."""
        if n == 0:
            return Deadline(start, False)
        start_working, start_provisional = self._running(start, start.year)
        target = start_working + n
        working_before = provisional_before = 0
        for year in range(start.year, start.year + _YEARS_AHEAD):
            working, provisional = self._year(year)
            if working_before + working[-1] >= target:
                index = bisect_left(working, target - working_before)
                due = dt.date(year, 1, 1) + dt.timedelta(days=index)
                return Deadline(due, provisional_before + provisional[index] > start_provisional)
            working_before += working[-1]
            provisional_before += provisional[-1]
        raise ValueError(f"no {n}th working day within {_YEARS_AHEAD} years of {start}")

    def _year(self, year: int) -> tuple[list[int], list[int]]:
        """Running counts through each day of ``year`` (index: day of the year − 1): working days, and days
        resting on the weekend rule alone. Built once per calendar and year."""
        found = self._years.get(year)
        if found is None:
            working, provisional = [], []
            w = p = 0
            day = dt.date(year, 1, 1)
            while day.year == year:
                info = self.day_info(day)
                w += info.is_working
                p += info.provisional
                working.append(w)
                provisional.append(p)
                day += _ONE_DAY
            found = self._years[year] = (working, provisional)
        return found

    def _running(self, day: dt.date, from_year: int) -> tuple[int, int]:
        """(working, provisional) days from 1 January of ``from_year`` through ``day``."""
        working = provisional = 0
        for year in range(from_year, day.year):
            counts = self._year(year)
            working += counts[0][-1]
            provisional += counts[1][-1]
        counts = self._year(day.year)
        index = day.timetuple().tm_yday - 1
        return working + counts[0][index], provisional + counts[1][index]

    def days_left(self, due: dt.date, today: dt.date) -> int:
        """Working days from today up to the due day; negative once it has passed (days overdue).
        Raises TypeError (not a date)."""
        if due >= today:
            return self.working_days_between(today, due).days
        return -self.working_days_between(due, today).days

    def deadline_colour(self, due: dt.date, today: dt.date) -> DeadlineColour:
        """Red when overdue (today is after the due day); yellow when at most 2 working days are left,
        counting the working days after today up to and including the due day (so due today is yellow);
        green otherwise. Raises TypeError (not a date)."""
        _check_date(due, "due")
        _check_date(today, "today")
        if today > due:
            return DeadlineColour.RED
        if self.working_days_between(today, due).days <= YELLOW_WORKING_DAYS:
            return DeadlineColour.YELLOW
        return DeadlineColour.GREEN


# Calendars built from the table's rows, by those rows (WorkingCalendar.from_session); a few kept per process.
_BUILT_KEPT = 4
_built: dict[tuple[tuple[dt.date, bool, str | None], ...], WorkingCalendar] = {}
_built_lock = threading.Lock()
