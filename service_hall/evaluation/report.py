"""The evaluation of delegated powers (赋权事项评估), per town and per power, over a period: how many cases,
how many decided within the promised and the statutory limit, what applicants thought of them, how many
visits they needed, which 追责情形 arose, and which delegated powers a town never used (放而未用).

Flask-free: callers pass the session, the towns in scope and the period.

Definitions, in the words the report prints:
- 收件: applications received (submitted) in the period; drafts are not applications.
- 作出决定: decisions (准予 / 不予许可, including approval on a pledge) made in the period.
- 按承诺时限 / 法定时限: decisions made on or before the case's promised / statutory last day.
- 不予受理, 撤回: cases closed that way in the period.
- 视为受理: cases received in the period that nobody acted on within five working days.
- 最多跑一次: decisions of the period whose case needed at most one recorded visit.
- 评价: ratings given in the period (受理 and 办结 each count), with the score after a verified
  rectification where the applicant rated again; ratings whose appeal (申诉复核) was upheld are left out;
  差评 are scores of 1–2. :func:`rating_indicators` gives the GB/T 39734 indicators month by month.
- 追责情形: triggers raised in the period.
- 未使用的事项: powers that open applications, held by the town on the last day of the period, with no
  application received in the period. Powers exercised without an application (行政处罚, 行政检查 …) are
  not recorded here and are left out of that figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from power_lists.models import DelegationMode, PowerType
from power_lists.queries import Holding, holdings
from service_hall.cases.clock import CHINA, local_date
from service_hall.cases.figures import FIELDS, DailyFigures, DailyRatingFigures, MonthlyFigures
from service_hall.cases.models import AccountabilityTrigger, Application, CaseStatus, Rating, Visit
from service_hall.core.errors import ValidationFailed
from service_hall.jurisdictions.models import Jurisdiction

EARLIEST = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class Period:
    """A span of Chinese calendar dates, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first instant, instant after the last day) in UTC, for timestamp columns."""
        first = dt.datetime.combine(self.start, dt.time(), CHINA)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), CHINA)
        return first.astimezone(dt.UTC), after.astimezone(dt.UTC)

    def months(self) -> list[Period]:
        """The calendar months the period touches, each cut to the period."""
        out = []
        first = self.start.replace(day=1)
        while first <= self.end:
            following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            out.append(Period(max(first, self.start), min(following - dt.timedelta(days=1), self.end)))
            first = following
        return out


def parse_period(start_text: str | None, end_text: str | None, *, today: dt.date) -> Period:
    """The period a reader asked for; by default the current year up to today.

    Raises ValidationFailed with the problem of each field (``from``, ``to``) in Chinese.
    """
    errors: dict[str, str] = {}
    dates: dict[str, dt.date] = {}
    for key, text, default in (("from", start_text, today.replace(month=1, day=1)), ("to", end_text, today)):
        text = (text or "").strip()
        if not text:
            dates[key] = default
            continue
        try:
            dates[key] = dt.date.fromisoformat(text)
        except ValueError:
            errors[key] = "日期格式应为 YYYY-MM-DD，例如 2026-01-01"
            continue
        if dates[key] < EARLIEST:
            errors[key] = "日期不能早于 2000-01-01"
        elif dates[key] > today:
            errors[key] = "日期不能晚于今天"
    if not errors and dates["to"] < dates["from"]:
        errors["to"] = "截止日期不能早于起始日期"
    if errors:
        raise ValidationFailed("统计期间有误", details=errors)
    return Period(dates["from"], dates["to"])


def year_period(text: str | None, *, today: dt.date) -> Period:
    """The calendar year a reader asked for (the current one by default), up to today for the current
    year. Raises ValidationFailed (field ``year``) for anything but a year from 2000 to this one."""
    text = (text or "").strip()
    try:
        year = int(text) if text else today.year
    except ValueError:
        year = 0
    if not EARLIEST.year <= year <= today.year:
        raise ValidationFailed("年份有误", details={"year": f"请选择 {EARLIEST.year}–{today.year} 年"})
    return Period(dt.date(year, 1, 1), min(dt.date(year, 12, 31), today))


@dataclass
class Figures:
    """The counts one row of the report is made of (a town, a power, a month, or the whole)."""

    received: int = 0
    decided: int = 0
    approved: int = 0
    denied: int = 0
    refused: int = 0
    withdrawn: int = 0
    deemed_accepted: int = 0
    on_time_promised: int = 0
    on_time_statutory: int = 0
    with_limit: int = 0  # decisions whose case had limits (the base of the on-time rates)
    at_most_one_visit: int = 0
    ratings: int = 0
    rating_sum: int = 0
    poor_ratings: int = 0  # 差评: 1–2
    good_ratings: int = 0  # 好评: 4–5
    triggers: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def on_time_rate(self) -> float | None:
        """按承诺时限办结率."""
        return self._rate(self.on_time_promised, self.with_limit)

    @property
    def statutory_rate(self) -> float | None:
        """法定时限内办结率."""
        return self._rate(self.on_time_statutory, self.with_limit)

    @property
    def at_most_one_rate(self) -> float | None:
        return self._rate(self.at_most_one_visit, self.decided)

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.ratings if self.ratings else None

    @property
    def satisfaction_rate(self) -> float | None:
        """好评率: the share of ratings of 4–5."""
        return self._rate(self.good_ratings, self.ratings)

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class TownEvaluation:
    town: Jurisdiction
    figures: Figures
    held: list[Holding]
    unused: list[Holding]  # application powers held with no application in the period

    @property
    def held_applications(self) -> int:
        return sum(1 for p in self.held if p.opens_application)

    @property
    def used(self) -> int:
        return self.held_applications - len(self.unused)


@dataclass
class PowerEvaluation:
    code: str
    name: str
    power_type: PowerType | None
    delegation_mode: DelegationMode | None
    figures: Figures
    towns_holding: list[Jurisdiction] = field(default_factory=list)
    towns_unused: list[Jurisdiction] = field(default_factory=list)


@dataclass
class BundleFigures:
    """One bundle's figures over a period, computed by service_hall.bundles.figures (docs/bundles.md)."""

    code: str
    name: str
    received: int = 0
    finished: int = 0
    end_to_end_days: int = 0  # summed over finished bundle cases
    item_days: int = 0  # summed over the item cases of finished bundle cases
    visits: int = 0

    @property
    def average_days(self) -> float | None:
        return round(self.end_to_end_days / self.finished, 1) if self.finished else None

    @property
    def average_item_days(self) -> float | None:
        return round(self.item_days / self.finished, 1) if self.finished else None

    @property
    def visits_per_case(self) -> float | None:
        return round(self.visits / self.received, 2) if self.received else None


@dataclass
class EvaluationReport:
    period: Period
    towns: list[TownEvaluation]
    powers: list[PowerEvaluation]
    total: Figures
    months: list[tuple[Period, Figures]]
    # 一件事 figures, added by service_hall.bundles.figures.add_to_report (that package sits above this one).
    bundles: list[BundleFigures] = field(default_factory=list)

    @property
    def unused_total(self) -> int:
        return sum(len(t.unused) for t in self.towns)


@dataclass
class _Case:
    id: int
    town_id: int
    item_code: str
    item_name: str
    status: CaseStatus
    received_on: dt.date | None
    deemed_accepted: bool
    decided_on: dt.date | None
    closed_on: dt.date | None
    due_on: dt.date | None
    statutory_due_on: dt.date | None
    visits: int = 0


def _cases(session: Session, town_ids: list[int], period: Period) -> list[_Case]:
    """The cases that count in the period: received in it, decided in it or closed in it."""
    first, after = period.utc_bounds()
    in_period = or_(
        and_(Application.received_on >= period.start, Application.received_on <= period.end),
        and_(Application.decided_at >= first, Application.decided_at < after),
        and_(Application.closed_at >= first, Application.closed_at < after))
    rows = session.execute(
        select(Application.id, Application.town_id, Application.item_code, Application.item_name,
               Application.status, Application.received_on, Application.deemed_accepted, Application.decided_at,
               Application.closed_at, Application.due_on, Application.statutory_due_on)
        .where(Application.town_id.in_(town_ids), Application.status != CaseStatus.DRAFT, in_period)).all()
    cases = [_Case(id=r[0], town_id=r[1], item_code=r[2], item_name=r[3], status=r[4], received_on=r[5],
                   deemed_accepted=r[6], decided_on=local_date(r[7]) if r[7] else None,
                   closed_on=local_date(r[8]) if r[8] else None, due_on=r[9], statutory_due_on=r[10])
             for r in rows]
    by_id = {c.id: c for c in cases}
    ids = list(by_id)
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for case_id, n in session.execute(select(Visit.application_id, func.count(Visit.id))
                                          .where(Visit.application_id.in_(chunk)).group_by(Visit.application_id)):
            if case_id is not None:  # a visit without a case (an enquiry) is not in the chunk anyway
                by_id[case_id].visits = int(n)
    return cases


def _inside(day: dt.date | None, period: Period) -> bool:
    return day is not None and period.start <= day <= period.end


def _case_figures(case: _Case, period: Period) -> Figures:
    f = Figures()
    if _inside(case.received_on, period):
        f.received = 1
        f.deemed_accepted = int(case.deemed_accepted)
    if _inside(case.decided_on, period):
        assert case.decided_on is not None
        f.decided = 1
        f.denied = int(case.status is CaseStatus.DENIED)
        f.approved = 1 - f.denied
        if case.due_on is not None and case.statutory_due_on is not None:
            f.with_limit = 1
            f.on_time_promised = int(case.decided_on <= case.due_on)
            f.on_time_statutory = int(case.decided_on <= case.statutory_due_on)
        f.at_most_one_visit = int(case.visits <= 1)
    if _inside(case.closed_on, period):
        f.refused = int(case.status is CaseStatus.REFUSED)
        f.withdrawn = int(case.status is CaseStatus.WITHDRAWN)
    return f


def _counted_ratings(town_ids: list[int], period: Period) -> Any:
    first, after = period.utc_bounds()
    return (select(Rating).where(Rating.town_id.in_(town_ids), Rating.rated_at >= first, Rating.rated_at < after,
                                 or_(Rating.appeal_upheld.is_(None), Rating.appeal_upheld.is_(False))))


def _ratings(session: Session, town_ids: list[int], period: Period) -> list[tuple[int, str, dt.date, int]]:
    """(town, item, day, score that counts) of the period's counted ratings."""
    rated = _counted_ratings(town_ids, period).subquery()
    rows = session.execute(
        select(rated.c.town_id, Application.item_code, rated.c.rated_at,
               func.coalesce(rated.c.revised_score, rated.c.score))
        .join(Application, Application.id == rated.c.application_id)).all()
    return [(r[0], r[1], local_date(r[2]), r[3]) for r in rows]


@dataclass
class IndicatorFigures:
    """GB/T 39734 figures of a month (or the whole): ratings per way of handling, the average of each
    indicator, 差评 and their reasons."""

    ratings: int = 0
    poor: int = 0
    by_mode: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sums: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tags: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, mode: str, indicators: dict[str, int], tags: list[str]) -> None:
        self.ratings += 1
        self.by_mode[mode] += 1
        overall = indicators.get("overall", 0)
        self.poor += int(overall <= 2)
        for code, value in indicators.items():
            self.sums[code] += value
            self.counts[code] += 1
        for tag in tags if overall <= 2 else ():
            self.tags[tag] += 1

    def add_counts(self, name: str, count: int, total: int) -> None:
        """Add one row of ``daily_rating_figures`` (its names: service_hall/cases/figures.py)."""
        kind, _, key = name.partition(":")
        if kind == "mode":
            self.ratings += count
            self.by_mode[key] += count
        elif kind == "indicator":
            self.sums[key] += total
            self.counts[key] += count
        elif kind == "tag":
            self.tags[key] += count
        else:
            self.poor += count

    def average(self, code: str) -> float | None:
        return self.sums[code] / self.counts[code] if self.counts.get(code) else None

    @property
    def poor_rate(self) -> float | None:
        return self.poor / self.ratings if self.ratings else None


@dataclass
class IndicatorReport:
    period: Period
    months: list[tuple[Period, IndicatorFigures]]
    total: IndicatorFigures


def rating_indicators(session: Session, towns: Sequence[Jurisdiction], period: Period, *,
                      source: str = "aggregates") -> IndicatorReport:
    """好差评 indicators (GB/T 39734) month by month: each counted rating (see the module text) in the month
    it was given, with the indicators of its latest version.

    ``source``: "aggregates" (``daily_rating_figures``, kept with every rating; what the page uses) or
    "scan" (every rating of the period read — the definition, kept to check the aggregates against)."""
    months = period.months()
    by_month: dict[dt.date, IndicatorFigures] = {m.start: IndicatorFigures() for m in months}
    total = IndicatorFigures()
    if source == "aggregates":
        rows = session.execute(
            select(DailyRatingFigures.day, DailyRatingFigures.name, func.sum(DailyRatingFigures.count),
                   func.sum(DailyRatingFigures.total))
            .where(DailyRatingFigures.town_id.in_([t.id for t in towns]), DailyRatingFigures.day >= period.start,
                   DailyRatingFigures.day <= period.end)
            .group_by(DailyRatingFigures.day, DailyRatingFigures.name))
        for day, name, count, amount in rows:
            for figures in (by_month[max(day.replace(day=1), period.start)], total):
                figures.add_counts(name, int(count), int(amount))
        return IndicatorReport(period, [(m, by_month[m.start]) for m in months], total)
    for rating in session.scalars(_counted_ratings([t.id for t in towns], period)):
        day = local_date(rating.rated_at)
        key = max(day.replace(day=1), period.start)
        for figures in (by_month[key], total):
            figures.add(rating.mode, rating.final_indicators, list(rating.tags or []))
    return IndicatorReport(period, [(m, by_month[m.start]) for m in months], total)


def _triggers(session: Session, town_ids: list[int], period: Period) -> list[tuple[int, str, dt.date]]:
    first, after = period.utc_bounds()
    rows = session.execute(
        select(AccountabilityTrigger.town_id, Application.item_code, AccountabilityTrigger.raised_at)
        .join(Application, Application.id == AccountabilityTrigger.application_id)
        .where(AccountabilityTrigger.town_id.in_(town_ids), AccountabilityTrigger.raised_at >= first,
               AccountabilityTrigger.raised_at < after)).all()
    return [(r[0], r[1], local_date(r[2])) for r in rows]


def _rating_figures(score: int) -> Figures:
    return Figures(ratings=1, rating_sum=score, poor_ratings=int(score <= 2), good_ratings=int(score >= 4))


def _figure_rows(town_ids: list[int], months: list[Period]) -> Any:
    """The aggregate rows of the period, each with the month it counts in: whole months from
    ``monthly_figures``, the months the period cuts day by day from ``daily_figures``
    (service_hall/cases/figures.py) — a period costs its months, not its cases or days."""
    whole = [m.start for m in months if m.start.day == 1 and (m.end + dt.timedelta(days=1)).day == 1]
    cut = [m for m in months if m.start not in whole]
    parts = []
    if whole:
        parts.append(select(MonthlyFigures.town_id, MonthlyFigures.item_code, MonthlyFigures.month.label("month"),
                            *[getattr(MonthlyFigures, name) for name in FIELDS])
                     .where(MonthlyFigures.town_id.in_(town_ids), MonthlyFigures.month.in_(whole)))
    for m in cut:
        parts.append(select(DailyFigures.town_id, DailyFigures.item_code, literal(m.start, Date).label("month"),
                            *[getattr(DailyFigures, name) for name in FIELDS])
                     .where(DailyFigures.town_id.in_(town_ids), DailyFigures.day >= m.start,
                            DailyFigures.day <= m.end))
    return union_all(*parts).subquery()


def _from_aggregates(session: Session, town_ids: list[int], period: Period) -> tuple[
        dict[int, Figures], dict[str, Figures], dict[dt.date, Figures], dict[int, set[str]], dict[str, str]]:
    """The figures of the period summed from the maintained aggregates: per town and item, and per month —
    two indexed aggregate queries over a few rows a month (see ``_figure_rows``), no case read."""
    by_town: dict[int, Figures] = defaultdict(Figures)
    by_power: dict[str, Figures] = defaultdict(Figures)
    received_codes: dict[int, set[str]] = defaultdict(set)
    rows = _figure_rows(town_ids, period.months())
    sums = [func.sum(rows.c[name]) for name in FIELDS]
    for town_id, code, *values in session.execute(select(rows.c.town_id, rows.c.item_code, *sums)
                                                  .group_by(rows.c.town_id, rows.c.item_code)):
        figures = Figures(*map(int, values))
        by_town[town_id].add(figures)
        by_power[code].add(figures)
        if figures.received:
            received_codes[town_id].add(code)
    by_month: dict[dt.date, Figures] = defaultdict(Figures, {
        _as_date(month): Figures(*map(int, values))
        for month, *values in session.execute(select(rows.c.month, *sums).group_by(rows.c.month))})
    return by_town, by_power, by_month, received_codes, {}  # names: looked up for unheld codes only


def _as_date(value: Any) -> dt.date:
    """A date column read back from a literal (SQLite gives its text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _item_name(session: Session, code: str) -> str:
    """The name cases gave an item no town in scope holds any more (the code itself if none)."""
    return session.scalar(select(Application.item_name).where(Application.item_code == code).limit(1)) or code


def evaluate(session: Session, towns: Sequence[Jurisdiction], period: Period, *,
             source: str = "aggregates") -> EvaluationReport:
    """The evaluation of ``towns`` over ``period`` (see the module text for what each figure means).

    ``source``: "aggregates" (the maintained daily figures, what every page uses) or "scan" (every case
    of the period read and counted — the definition itself, kept to check the aggregates against)."""
    town_ids = [t.id for t in towns]
    months = period.months()
    if source == "aggregates":
        return _report(session, towns, period, months, *_from_aggregates(session, town_ids, period))
    cases = _cases(session, town_ids, period)
    ratings = _ratings(session, town_ids, period)
    triggers = _triggers(session, town_ids, period)

    by_town: dict[int, Figures] = defaultdict(Figures)
    by_power: dict[str, Figures] = defaultdict(Figures)
    by_month: dict[dt.date, Figures] = defaultdict(Figures)
    names: dict[str, str] = {}
    received_codes: dict[int, set[str]] = defaultdict(set)

    month_periods = {m.start: m for m in months}

    def month_of(day: dt.date | None) -> dt.date:
        assert day is not None
        return max(day.replace(day=1), period.start)

    def count(town_id: int, code: str, figures: Figures) -> None:
        by_town[town_id].add(figures)
        by_power[code].add(figures)

    for case in cases:
        names.setdefault(case.item_code, case.item_name)
        figures = _case_figures(case, period)
        count(case.town_id, case.item_code, figures)
        if figures.received:
            received_codes[case.town_id].add(case.item_code)
        # Months: each event counts in the month it happened.
        for month in {month_of(day) for day in (case.received_on, case.decided_on, case.closed_on)
                      if _inside(day, period)}:
            by_month[month].add(_case_figures(case, month_periods[month]))
    for town_id, code, day, score in ratings:
        part = _rating_figures(score)
        count(town_id, code, part)
        by_month[month_of(day)].add(part)
    for town_id, code, day in triggers:
        part = Figures(triggers=1)
        count(town_id, code, part)
        by_month[month_of(day)].add(part)

    return _report(session, towns, period, months, by_town, by_power, by_month, received_codes, names)


def _report(session: Session, towns: Sequence[Jurisdiction], period: Period, months: list[Period],
            by_town: dict[int, Figures], by_power: dict[str, Figures], by_month: dict[dt.date, Figures],
            received_codes: dict[int, set[str]], names: dict[str, str]) -> EvaluationReport:
    town_rows = []
    holders: dict[str, list[Jurisdiction]] = defaultdict(list)
    unused_by_code: dict[str, list[Jurisdiction]] = defaultdict(list)
    power_info: dict[str, Holding] = {}
    held_by_town = holdings(session, towns, period.end)
    for town in towns:
        held = held_by_town[town.id]
        unused = [p for p in held if p.opens_application and p.code not in received_codes[town.id]]
        for power in held:
            power_info.setdefault(power.code, power)
            holders[power.code].append(town)
        for power in unused:
            unused_by_code[power.code].append(town)
        town_rows.append(TownEvaluation(town=town, figures=by_town[town.id], held=held, unused=unused))

    power_rows = []
    for code in sorted(power_info) + sorted(set(by_power) - set(power_info)):
        info = power_info.get(code)
        if info is not None and not info.opens_application and code not in by_power:
            continue  # enforcement powers: nothing recorded here to evaluate
        power_rows.append(PowerEvaluation(
            code=code, name=info.name if info else names.get(code) or _item_name(session, code),
            power_type=info.power_type if info else None, delegation_mode=info.delegation_mode if info else None,
            figures=by_power[code], towns_holding=holders.get(code, []), towns_unused=unused_by_code.get(code, [])))

    total = Figures()
    for row in town_rows:
        total.add(row.figures)
    return EvaluationReport(period=period, towns=town_rows, powers=power_rows, total=total,
                            months=[(m, by_month[m.start]) for m in months])
