"""Figures from aggregates (docs/architecture.md, "Figures from aggregates"): the evaluation report, the
public statistics and the supervision pages read the daily figures maintained with every case change, and
the numbers are those of the definitions — the report computed by scanning the cases gives the same."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from service_hall.cases.figures import (
    COLUMNS,
    FIELDS,
    VISIT_FIELDS,
    DailyFigures,
    DailyRatingFigures,
    MonthlyFigures,
    TownVisitTotals,
    rebuild,
)
from service_hall.cases.metrics import visit_figures
from service_hall.cases.models import Application
from service_hall.evaluation.report import (
    EvaluationReport,
    Figures,
    IndicatorFigures,
    IndicatorReport,
    Period,
    evaluate,
    rating_indicators,
)
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel
from tests.factories.cases import approved_case, drive, new_case, raise_trigger, rate, record_visit
from tests.factories.clock import at
from tests.factories.database import is_postgres

PERIODS = [Period(dt.date(2024, 1, 1), dt.date.today()), Period(dt.date(2026, 1, 1), dt.date(2026, 11, 30)),
           Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))]


def _numbers(report: EvaluationReport) -> dict[str, Any]:
    return {
        "total": dataclasses.asdict(report.total),
        "towns": {t.town.code: (dataclasses.asdict(t.figures), sorted(p.code for p in t.unused)) for t in report.towns},
        "powers": {p.code: dataclasses.asdict(p.figures) for p in report.powers},
        "months": [(m.start, dataclasses.asdict(f)) for m, f in report.months],
    }


def _towns() -> list[Jurisdiction]:
    return list(db.session.query(Jurisdiction).filter_by(level=JurisdictionLevel.TOWN).order_by(Jurisdiction.id))


def _assert_same(app: Any) -> Figures:
    with app.app_context():
        towns = _towns()
        for period in PERIODS:
            for scope in (towns, towns[:1]):
                kept = evaluate(db.session, scope, period)
                scanned = evaluate(db.session, scope, period, source="scan")
                assert _numbers(kept) == _numbers(scanned), period
            for scope in (towns, towns[:1]):
                kept_marks = rating_indicators(db.session, scope, period)
                scanned_marks = rating_indicators(db.session, scope, period, source="scan")
                assert _marks(kept_marks) == _marks(scanned_marks), period
        scanned_visits = visit_figures(db.session, towns, source="scan")
        assert visit_figures(db.session, towns) == visit_figures(db.session, towns, source="daily") == scanned_visits
        return evaluate(db.session, towns, PERIODS[0]).total


def _marks(report: IndicatorReport) -> list[Any]:
    def plain(f: IndicatorFigures) -> dict[str, Any]:
        return {"ratings": f.ratings, "poor": f.poor, **{k: {n: v for n, v in getattr(f, k).items() if v}
                                                          for k in ("by_mode", "sums", "counts", "tags")}}

    return [(m.start, plain(f)) for m, f in report.months] + [plain(report.total)]


def _tables() -> dict[str, dict[Any, Any]]:
    """Every aggregate table's rows that count something, by key."""
    return {
        "daily": {(r.town_id, r.item_code, r.day): _row(r) for r in db.session.query(DailyFigures)
                  if any(_row(r).values())},
        "monthly": {(r.town_id, r.item_code, r.month): _row(r) for r in db.session.query(MonthlyFigures)
                    if any(_row(r).values())},
        "indicators": {(r.town_id, r.day, r.name): (r.count, r.total) for r in db.session.query(DailyRatingFigures)
                       if r.count or r.total},
        "visits": {r.town_id: {f: getattr(r, f) for f in VISIT_FIELDS} for r in db.session.query(TownVisitTotals)
                   if any(getattr(r, f) for f in VISIT_FIELDS)},
    }


def test_the_flow_keeps_the_daily_figures_equal_to_the_definitions(app, cworld):
    """Cases submitted, decided, delivered, refused, withdrawn, visited, rated and triggered through the
    domain operations: every flush keeps the figures, and the set-based rebuild from scratch gives the same
    table."""
    assert set(FIELDS) == set(Figures.__dataclass_fields__)
    new_case(app, day="2026-11-10")
    approved = approved_case(app, day="2026-11-12")
    refused = new_case(app, day="2026-11-13")
    drive(app, refused, "refuse", day="2026-11-16")
    withdrawn = new_case(app, day="2026-10-30")
    drive(app, withdrawn, "withdraw", day="2026-11-02")
    total = _assert_same(app)
    assert (total.received, total.decided, total.refused, total.withdrawn) == (4, 1, 1, 1)
    assert total.at_most_one_visit == 1
    with app.app_context():  # two visits after the decision: no longer 最多跑一次
        case = db.session.get(Application, approved)
        record_visit(case, now=at("2026-11-13"))
        record_visit(case, now=at("2026-11-16"), purpose="领取证照")
        db.session.commit()
    drive(app, approved, "deliver", day="2026-11-16")
    with app.app_context():
        rate(db.session.get(Application, approved), now=at("2026-11-17"), score=2, comment="等太久",
             indicators={"efficiency": 1}, tags=["overdue", "repeated_trips"])
        db.session.commit()
        # A trigger raised late at night UTC (the next China day), a second, good rating on the
        # refused case: rebuilt in SQL, each must land on the China date the flow gave it.
        raise_trigger(db.session.get(Application, approved), "late_decision", now=at("2026-11-18")
                      .replace(hour=23, minute=30), detail="超期")
        rate(db.session.get(Application, refused), now=at("2026-11-18").replace(hour=17), score=5, stage="accepted",
             indicators={"efficiency": 4, "convenience": 5})
        db.session.commit()
    total = _assert_same(app)
    assert total.at_most_one_visit == 0 and (total.ratings, total.poor_ratings, total.good_ratings) == (2, 1, 1)
    assert total.triggers == 1
    with app.app_context():
        kept = _tables()
        kept_visits = visit_figures(db.session, _towns())
        assert rebuild(db.session) > 0
        rebuilt = _tables()
        assert visit_figures(db.session, _towns()) == kept_visits
        db.session.rollback()
    assert kept == rebuilt
    assert kept["indicators"] and kept["monthly"]


def _row(r: DailyFigures | MonthlyFigures) -> dict[str, int]:
    return {name: getattr(r, name) for name in COLUMNS}


@pytest.mark.skipif(not is_postgres(), reason="the generator writes with PostgreSQL COPY")
@pytest.mark.postgres_only
def test_generated_county_figures_from_aggregates_equal_a_scan_of_the_cases(app, rworld):
    from bench.generate import generate

    with app.app_context():
        conn = db.session.connection()
        generate(conn.connection.driver_connection, cases=3000, seed=5, today=dt.date(2026, 11, 30))
        assert rebuild(db.session) > 0
        db.session.commit()
    total = _assert_same(app)
    assert total.received > 1000 and total.decided > 500 and total.ratings > 100
