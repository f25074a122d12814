"""Daily figures (办件日统计): per town × item × day, the counts the evaluation report, the public statistics
and the supervision figures are made of, maintained in the same transaction as the case change so that no
page scans cases (docs/architecture.md, "Figures from aggregates").

Each case contributes, on the China date each event happened (the definitions of
``service_hall.evaluation.report``): on the day received — 收件, 视为受理; on the day decided — 作出决定,
准予/不予, on time against the promised and the statutory limit, 最多跑一次 (at most one recorded visit);
on the day closed — 不予受理, 撤回. Each rating counts on the day given, each 追责情形 on the day raised.

A flush that changes a case, adds a visit, a rating or a trigger subtracts what the rows contributed
before (read back from the database, which still holds the state before the flush) and adds what they
contribute now. ``rebuild`` recomputes the whole table from the cases (``flask stats rebuild``) with the
same definitions spelled in SQL, one ``INSERT … SELECT … GROUP BY``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    and_,
    case,
    delete,
    event,
    func,
    literal,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from service_hall.cases.clock import local_date
from service_hall.cases.models import AccountabilityTrigger, Application, CaseStatus, Rating, Visit
from service_hall.core.base import Base

FIELDS = ("received", "decided", "approved", "denied", "refused", "withdrawn", "deemed_accepted",
          "on_time_promised", "on_time_statutory", "with_limit", "at_most_one_visit", "ratings", "rating_sum",
          "poor_ratings", "good_ratings", "triggers")
# 最多跑一次 over every finished case (the supervision page's table), counted on the day the case was
# received: finished cases, how many needed no visit, at most one, and their visits in all.
VISIT_FIELDS = ("finished", "finished_no_visit", "finished_at_most_one", "finished_visits")
COLUMNS = FIELDS + VISIT_FIELDS
FINISHED = (CaseStatus.DELIVERED, CaseStatus.REFUSED, CaseStatus.DENIED, CaseStatus.WITHDRAWN, CaseStatus.REVOKED)
Key = tuple[int, str, dt.date]


class VisitCounts:
    """The 最多跑一次 columns (``VISIT_FIELDS``) of the kept figures."""

    finished: Mapped[int] = mapped_column(Integer, default=0)
    finished_no_visit: Mapped[int] = mapped_column(Integer, default=0)
    finished_at_most_one: Mapped[int] = mapped_column(Integer, default=0)
    finished_visits: Mapped[int] = mapped_column(Integer, default=0)


class FigureCounts(VisitCounts):
    """Every counter column (``COLUMNS``) of the daily and the monthly figures."""

    received: Mapped[int] = mapped_column(Integer, default=0)
    decided: Mapped[int] = mapped_column(Integer, default=0)
    approved: Mapped[int] = mapped_column(Integer, default=0)
    denied: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    deemed_accepted: Mapped[int] = mapped_column(Integer, default=0)
    on_time_promised: Mapped[int] = mapped_column(Integer, default=0)
    on_time_statutory: Mapped[int] = mapped_column(Integer, default=0)
    with_limit: Mapped[int] = mapped_column(Integer, default=0)
    at_most_one_visit: Mapped[int] = mapped_column(Integer, default=0)
    ratings: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    poor_ratings: Mapped[int] = mapped_column(Integer, default=0)
    good_ratings: Mapped[int] = mapped_column(Integer, default=0)
    triggers: Mapped[int] = mapped_column(Integer, default=0)


class DailyFigures(FigureCounts, Base):
    """The figures of one town, one item code and one China date (see the module text)."""

    __tablename__ = "daily_figures"
    # The days of a period the monthly rows do not cover, for the towns in scope.
    __table_args__ = (Index("ix_daily_figures_town_day", "town_id", "day"),)

    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True, index=True)


class TownVisitTotals(VisitCounts, Base):
    """最多跑一次 of one town over all time: the sums of its daily figures' visit columns, kept beside them
    (in the same upsert) so that the supervision page reads a row per town, not every day of every item."""

    __tablename__ = "town_visit_totals"

    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), primary_key=True)


class MonthlyFigures(FigureCounts, Base):
    """The same figures summed per calendar month (``month`` is its first day), kept with the daily rows so
    that a long period reads its whole months from here and only its cut months day by day."""

    __tablename__ = "monthly_figures"

    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True, index=True)


class DailyRatingFigures(Base):
    """好差评 indicators (GB/T 39734) per town and China date, as ``evaluation.report.rating_indicators``
    counts them: ``name`` is ``mode:<way of handling>`` (ratings given that way), ``indicator:<code>``
    (``count`` ratings marking it, ``total`` their marks), ``poor`` (整体满意度 1–2) or ``tag:<reason>``
    (差评 giving that reason)."""

    __tablename__ = "daily_rating_figures"

    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)


CASE_COLUMNS = (Application.id, Application.town_id, Application.item_code, Application.status,
                Application.received_on, Application.deemed_accepted, Application.decided_at, Application.closed_at,
                Application.due_on, Application.statutory_due_on)


@dataclass(frozen=True)
class CaseState:
    """What a case's figures depend on."""

    town_id: int
    item_code: str
    status: CaseStatus
    received_on: dt.date | None
    deemed_accepted: bool
    decided_at: dt.datetime | None
    closed_at: dt.datetime | None
    due_on: dt.date | None
    statutory_due_on: dt.date | None
    visits: int

    @classmethod
    def of(cls, row: Any, visits: int) -> CaseState:
        return cls(town_id=row.town_id, item_code=row.item_code, status=CaseStatus(row.status),
                   received_on=row.received_on, deemed_accepted=bool(row.deemed_accepted), decided_at=row.decided_at,
                   closed_at=row.closed_at, due_on=row.due_on, statutory_due_on=row.statutory_due_on, visits=visits)


def case_contribution(state: CaseState) -> Iterator[tuple[Key, dict[str, int]]]:
    """The (town, item, day) rows a case adds to, with what it adds. Drafts are not applications."""
    if state.status is CaseStatus.DRAFT:
        return
    if state.received_on is not None:
        yield (state.town_id, state.item_code, state.received_on), {
            "received": 1, "deemed_accepted": int(state.deemed_accepted)}
    if state.decided_at is not None:
        decided = local_date(state.decided_at)
        denied = int(state.status is CaseStatus.DENIED)
        part = {"decided": 1, "denied": denied, "approved": 1 - denied, "at_most_one_visit": int(state.visits <= 1)}
        if state.due_on is not None and state.statutory_due_on is not None:
            part |= {"with_limit": 1, "on_time_promised": int(decided <= state.due_on),
                     "on_time_statutory": int(decided <= state.statutory_due_on)}
        yield (state.town_id, state.item_code, decided), part
    if state.status in FINISHED:
        day = state.received_on or local_date(state.closed_at or state.decided_at or dt.datetime.now(dt.UTC))
        yield (state.town_id, state.item_code, day), {
            "finished": 1, "finished_no_visit": int(state.visits == 0), "finished_at_most_one": int(state.visits <= 1),
            "finished_visits": state.visits}
    if state.closed_at is not None and state.status in {CaseStatus.REFUSED, CaseStatus.WITHDRAWN}:
        yield (state.town_id, state.item_code, local_date(state.closed_at)), {
            "refused": int(state.status is CaseStatus.REFUSED), "withdrawn": int(state.status is CaseStatus.WITHDRAWN)}


# A rating as the figures see it: town, rated at, score, revised score, appeal upheld.
RatingParts = tuple[int, dt.datetime, int, int | None, bool | None]


def rating_contribution(item_code: str, parts: RatingParts) -> tuple[Key, dict[str, int]]:
    """What one rating adds, as evaluation.report counts it: its final score (the revised one after a
    rectification), and nothing once an appeal against it was upheld."""
    town_id, rated_at, score, revised_score, appeal_upheld = parts
    key = (town_id, item_code, local_date(rated_at))
    if appeal_upheld:
        return key, {}
    final = revised_score if revised_score is not None else score
    return key, {"ratings": 1, "rating_sum": final, "poor_ratings": int(final <= 2), "good_ratings": int(final >= 4)}


def _rating_parts(rating: Any) -> RatingParts:
    return rating.town_id, rating.rated_at, rating.score, rating.revised_score, rating.appeal_upheld


# A rating as its indicators count: the parts above, then its way of handling, first and revised marks, reasons.
IndicatorParts = tuple[int, dt.datetime, int, int | None, bool | None, str, Any, Any, Any]
IndicatorKey = tuple[int, dt.date, str]


def _indicator_parts(rating: Any) -> IndicatorParts:
    return (*_rating_parts(rating), rating.mode, rating.indicators, rating.revised_indicators, rating.tags)


def indicator_contribution(parts: IndicatorParts) -> Iterator[tuple[IndicatorKey, tuple[int, int]]]:
    """What one rating adds to ``daily_rating_figures`` (see DailyRatingFigures): the marks of its latest
    version with 整体满意度 its final score, nothing once an appeal against it was upheld."""
    town_id, rated_at, score, revised_score, appeal_upheld, mode, first, revised, tags = parts
    if appeal_upheld:
        return
    day = local_date(rated_at)
    marks = dict(revised or first or {})
    marks["overall"] = revised_score if revised_score is not None else score
    yield (town_id, day, f"mode:{mode}"), (1, 0)
    for code, value in marks.items():
        yield (town_id, day, f"indicator:{code}"), (1, int(value))
    if marks["overall"] <= 2:
        yield (town_id, day, "poor"), (1, 0)
        for tag in tags or ():
            yield (town_id, day, f"tag:{tag}"), (1, 0)


class Deltas:
    """Changes to daily figures, summed per row before they are written."""

    def __init__(self) -> None:
        self.rows: dict[Key, Counter[str]] = defaultdict(Counter)
        self.indicators: Counter[tuple[IndicatorKey, str]] = Counter()

    def add(self, parts: Iterable[tuple[Key, dict[str, int]]], sign: int = 1) -> None:
        for key, part in parts:
            row = self.rows[key]
            for name, value in part.items():
                row[name] += sign * value

    def add_indicators(self, parts: Iterable[tuple[IndicatorKey, tuple[int, int]]], sign: int = 1) -> None:
        for key, (count, total) in parts:
            self.indicators[key, "count"] += sign * count
            self.indicators[key, "total"] += sign * total

    def write(self, session: Session) -> None:
        """Upsert the daily rows, the months they fall in, the towns' visit totals and the rating indicators."""
        months: dict[Key, Counter[str]] = defaultdict(Counter)
        for (town_id, code, day), c in self.rows.items():
            months[town_id, code, day.replace(day=1)].update(c)
        table: Any = DailyFigures.__table__
        monthly: Any = MonthlyFigures.__table__
        _upsert(session, table, ["town_id", "item_code", "day"], COLUMNS,
                [{"town_id": k[0], "item_code": k[1], "day": k[2], **{f: c.get(f, 0) for f in COLUMNS}}
                 for k, c in self.rows.items() if any(c.values())])
        _upsert(session, monthly, ["town_id", "item_code", "month"], COLUMNS,
                [{"town_id": k[0], "item_code": k[1], "month": k[2], **{f: c.get(f, 0) for f in COLUMNS}}
                 for k, c in months.items() if any(c.values())])
        towns: dict[int, Counter[str]] = defaultdict(Counter)
        for (town_id, _, _), change in self.rows.items():
            towns[town_id].update({f: change.get(f, 0) for f in VISIT_FIELDS})
        _upsert(session, TownVisitTotals.__table__, ["town_id"], VISIT_FIELDS,
                [{"town_id": town_id, **{f: c.get(f, 0) for f in VISIT_FIELDS}}
                 for town_id, c in sorted(towns.items()) if any(c.values())])
        keys = {key for key, _ in self.indicators}
        _upsert(session, DailyRatingFigures.__table__, ["town_id", "day", "name"], ("count", "total"),
                [{"town_id": k[0], "day": k[1], "name": k[2], "count": self.indicators[k, "count"],
                  "total": self.indicators[k, "total"]}
                 for k in keys if self.indicators[k, "count"] or self.indicators[k, "total"]])


def _upsert(session: Session, table: Any, keys: list[str], columns: Iterable[str], rows: list[dict[str, Any]]) -> None:
    """Add ``rows`` to ``table``'s counters (``ON CONFLICT … DO UPDATE SET n = n + excluded.n``)."""
    if not rows:
        return
    from sqlalchemy.dialects import postgresql, sqlite

    insert: Any = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table)
    session.execute(stmt.on_conflict_do_update(index_elements=keys,
                                               set_={f: table.c[f] + stmt.excluded[f] for f in columns}), rows)


def _visit_counts(session: Session, case_ids: Iterable[int]) -> dict[int, int]:
    ids = list(case_ids)
    if not ids:
        return {}
    return {int(cid): int(n) for cid, n in session.execute(
        select(Visit.application_id, func.count(Visit.id)).where(Visit.application_id.in_(ids))
        .group_by(Visit.application_id)) if cid is not None}


def _track(session: Session, flush_context: Any, instances: Any) -> None:
    """before_flush: the figures change of what this flush writes (see the module text)."""
    new_visits: Counter[int] = Counter()
    touched: dict[int, Application] = {}
    added: list[Application] = []
    removed: list[Application] = []
    deltas = Deltas()
    with session.no_autoflush:
        for obj in session.new:
            if isinstance(obj, Visit) and obj.application_id is not None:
                new_visits[obj.application_id] += 1
            elif isinstance(obj, Application):
                added.append(obj)
            elif isinstance(obj, Rating):
                case = session.get(Application, obj.application_id)
                if case is not None:
                    deltas.add([rating_contribution(case.item_code, _rating_parts(obj))])
                deltas.add_indicators(indicator_contribution(_indicator_parts(obj)))
            elif isinstance(obj, AccountabilityTrigger):
                case = session.get(Application, obj.application_id)
                if case is not None:
                    deltas.add([((obj.town_id, case.item_code, local_date(obj.raised_at)), {"triggers": 1})])
        for obj in session.dirty:
            if isinstance(obj, Application) and session.is_modified(obj, include_collections=False):
                touched[obj.id] = obj
            elif isinstance(obj, Rating) and session.is_modified(obj, include_collections=False):
                _rating_change(session, obj, deltas)
        for obj in session.deleted:
            if isinstance(obj, Application) and obj.id is not None:
                removed.append(obj)
        ids = set(touched) | {cid for cid in new_visits if cid not in touched} | {c.id for c in removed}
        if not ids and not added:
            deltas.write(session)
            return
        before = {row.id: row for row in session.execute(select(*CASE_COLUMNS).where(Application.id.in_(ids)))} \
            if ids else {}
        visits = _visit_counts(session, ids)
        for case_id in ids:
            row = before.get(case_id)
            if row is None:
                continue
            old = CaseState.of(row, visits.get(case_id, 0))
            deltas.add(case_contribution(old), -1)
            if any(c.id == case_id for c in removed):
                continue
            obj = touched.get(case_id) or session.get(Application, case_id)
            if obj is None:
                continue
            deltas.add(case_contribution(CaseState.of(obj, visits.get(case_id, 0) + new_visits[case_id])))
        for obj in added:
            deltas.add(case_contribution(CaseState.of(obj, 0)))
        deltas.write(session)


def _rating_change(session: Session, rating: Rating, deltas: Deltas) -> None:
    row = session.execute(select(Rating.town_id, Rating.rated_at, Rating.score, Rating.revised_score,
                                 Rating.appeal_upheld, Rating.mode, Rating.indicators, Rating.revised_indicators,
                                 Rating.tags, Application.item_code)
                          .join(Application, Application.id == Rating.application_id)
                          .where(Rating.id == rating.id)).one_or_none()
    if row is None or _indicator_parts(row) == _indicator_parts(rating):
        return
    deltas.add([rating_contribution(row.item_code, _rating_parts(row))], -1)
    deltas.add([rating_contribution(row.item_code, _rating_parts(rating))])
    deltas.add_indicators(indicator_contribution(_indicator_parts(row)), -1)
    deltas.add_indicators(indicator_contribution(_indicator_parts(rating)))


def install() -> None:
    """Keep the daily figures with every session's flushes (idempotent)."""
    if not event.contains(Session, "before_flush", _track):
        event.listen(Session, "before_flush", _track)


class china_date(FunctionElement[dt.date]):
    """The China date of a UTC timestamp column, in SQL (``local_date`` of ``cases.clock``): China keeps
    UTC+8 all year."""

    type = Date()
    inherit_cache = True


@compiles(china_date, "postgresql")
def _china_date_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Shanghai' AS DATE)"


@compiles(china_date, "sqlite")
def _china_date_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


class month_start(FunctionElement[dt.date]):
    """The first day of a date column's month, in SQL."""

    type = Date()
    inherit_cache = True


@compiles(month_start, "postgresql")
def _month_start_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


# ``indicator_contribution`` in SQL, for each database's JSON functions: the latest marks (the revised ones
# unless empty) as key/value rows, the reasons of a 差评 as rows.
_INDICATOR_SQL = {
    "postgresql": {"day": "CAST(r.rated_at AT TIME ZONE 'Asia/Shanghai' AS DATE)",
                   "marks": "json_each_text({marks}) AS e", "is_object": "json_typeof({marks}) = 'object'",
                   "tags": "json_array_elements_text(r.tags) AS t", "is_array": "json_typeof(r.tags) = 'array'"},
    "sqlite": {"day": "date(r.rated_at, '+8 hours')",
               "marks": "json_each({marks}) AS e", "is_object": "json_type({marks}) = 'object'",
               "tags": "json_each(r.tags) AS t", "is_array": "json_type(r.tags) = 'array'"},
}
_MARKS = ("CASE WHEN r.revised_indicators IS NOT NULL AND CAST(r.revised_indicators AS TEXT) NOT IN ('{}', 'null') "
          "THEN r.revised_indicators ELSE r.indicators END")


def _rebuild_indicators(session: Session) -> None:
    sql = _INDICATOR_SQL[session.get_bind().dialect.name]
    day, marks = sql["day"], _MARKS
    counted = "(r.appeal_upheld IS NULL OR r.appeal_upheld = FALSE)"
    final = "COALESCE(r.revised_score, r.score)"
    parts = [
        f"SELECT r.town_id, {day} AS day, 'mode:' || r.mode AS name, 1 AS n, 0 AS v FROM ratings r WHERE {counted}",
        f"SELECT r.town_id, {day}, 'indicator:overall', 1, {final} FROM ratings r WHERE {counted}",
        f"SELECT r.town_id, {day}, 'indicator:' || e.key, 1, CAST(e.value AS INTEGER) "
        f"FROM ratings r, {sql['marks'].format(marks=marks)} "
        f"WHERE {counted} AND {sql['is_object'].format(marks=marks)} AND e.key <> 'overall'",
        f"SELECT r.town_id, {day}, 'poor', 1, 0 FROM ratings r WHERE {counted} AND {final} <= 2",
        f"SELECT r.town_id, {day}, 'tag:' || t.value, 1, 0 FROM ratings r, {sql['tags']} "
        f"WHERE {counted} AND {final} <= 2 AND {sql['is_array']}",
    ]
    session.execute(text(
        "INSERT INTO daily_rating_figures (town_id, day, name, count, total) "
        f"SELECT town_id, day, name, SUM(n), SUM(v) FROM ({' UNION ALL '.join(parts)}) AS every "
        "GROUP BY town_id, day, name"))


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _parts(today: dt.date) -> list[Any]:
    """What ``case_contribution``, ``rating_contribution`` and the triggers add, as SELECTs of
    (town, item, day, every column), one row per contribution: the same definitions in SQL."""
    a = Application.__table__.c
    visit_counts = (select(Visit.application_id.label("case_id"), func.count(Visit.id).label("n"))
                    .where(Visit.application_id.is_not(None)).group_by(Visit.application_id).subquery())
    cases = (select(a.town_id, a.item_code, a.status, a.received_on, a.deemed_accepted, a.decided_at, a.closed_at,
                    a.due_on, a.statutory_due_on, func.coalesce(visit_counts.c.n, 0).label("visits"))
             .select_from(Application.__table__.outerjoin(visit_counts, visit_counts.c.case_id == a.id))
             .where(a.status != CaseStatus.DRAFT.value).subquery())
    c = cases.c
    decided_on = china_date(c.decided_at)
    with_limit = and_(c.due_on.is_not(None), c.statutory_due_on.is_not(None))
    denied = _flag(c.status == CaseStatus.DENIED.value)
    finished_day = func.coalesce(c.received_on, china_date(func.coalesce(c.closed_at, c.decided_at)), today)

    def part(source: Any, town: Any, item: Any, day: Any, where: Any, **values: Any) -> Any:
        columns = [values.get(name, literal(0)).label(name) for name in COLUMNS]
        return select(town.label("town_id"), item.label("item_code"), day.label("day"), *columns) \
            .select_from(source).where(where)

    final = func.coalesce(Rating.revised_score, Rating.score)
    counted = or_(Rating.appeal_upheld.is_(None), Rating.appeal_upheld.is_(False))
    return [
        part(cases, c.town_id, c.item_code, c.received_on, c.received_on.is_not(None),
             received=literal(1), deemed_accepted=_flag(c.deemed_accepted.is_(True))),
        part(cases, c.town_id, c.item_code, decided_on, c.decided_at.is_not(None),
             decided=literal(1), denied=denied, approved=1 - denied, at_most_one_visit=_flag(c.visits <= 1),
             with_limit=_flag(with_limit), on_time_promised=_flag(and_(with_limit, decided_on <= c.due_on)),
             on_time_statutory=_flag(and_(with_limit, decided_on <= c.statutory_due_on))),
        part(cases, c.town_id, c.item_code, finished_day, c.status.in_([s.value for s in FINISHED]),
             finished=literal(1), finished_no_visit=_flag(c.visits == 0), finished_at_most_one=_flag(c.visits <= 1),
             finished_visits=c.visits),
        part(cases, c.town_id, c.item_code, china_date(c.closed_at),
             and_(c.closed_at.is_not(None), c.status.in_([CaseStatus.REFUSED.value, CaseStatus.WITHDRAWN.value])),
             refused=_flag(c.status == CaseStatus.REFUSED.value),
             withdrawn=_flag(c.status == CaseStatus.WITHDRAWN.value)),
        part(Rating.__table__.join(Application.__table__, a.id == Rating.application_id), Rating.town_id,
             a.item_code, china_date(Rating.rated_at), counted,
             ratings=literal(1), rating_sum=final, poor_ratings=_flag(final <= 2), good_ratings=_flag(final >= 4)),
        part(AccountabilityTrigger.__table__.join(Application.__table__, a.id == AccountabilityTrigger.application_id),
             AccountabilityTrigger.town_id, a.item_code, china_date(AccountabilityTrigger.raised_at), true(),
             triggers=literal(1)),
    ]


def rebuild(session: Session) -> int:
    """Recompute the daily figures from the cases, visits, ratings and triggers in one set-based
    ``INSERT … SELECT … GROUP BY``, the months and the towns' visit totals from the days, the rating
    indicators from the ratings (in the caller's transaction; does not commit). Returns the number of
    daily rows written."""
    for model in (DailyFigures, MonthlyFigures, TownVisitTotals, DailyRatingFigures):
        session.execute(delete(model))
    every = union_all(*_parts(local_date(dt.datetime.now(dt.UTC)))).subquery()
    grouped = (select(every.c.town_id, every.c.item_code, every.c.day,
                      *[func.sum(every.c[name]) for name in COLUMNS])
               .group_by(every.c.town_id, every.c.item_code, every.c.day))
    table: Any = DailyFigures.__table__
    session.execute(table.insert().from_select(["town_id", "item_code", "day", *COLUMNS], grouped))
    month = month_start(table.c.day)
    monthly: Any = MonthlyFigures.__table__
    session.execute(monthly.insert().from_select(
        ["town_id", "item_code", "month", *COLUMNS],
        select(table.c.town_id, table.c.item_code, month, *[func.sum(table.c[name]) for name in COLUMNS])
        .group_by(table.c.town_id, table.c.item_code, month)))
    totals: Any = TownVisitTotals.__table__
    session.execute(totals.insert().from_select(
        ["town_id", *VISIT_FIELDS],
        select(table.c.town_id, *[func.sum(table.c[name]) for name in VISIT_FIELDS]).group_by(table.c.town_id)))
    _rebuild_indicators(session)
    return int(session.scalar(select(func.count()).select_from(table)) or 0)


install()
