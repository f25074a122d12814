"""Benchmark: the evaluation report of a county-year — 21 towns holding the generated 1,200-item list,
24,000 cases over eleven months (a busy county), with ratings and visits — computed, and exported as
XLSX and as PDF (SQLite).

Run standalone (``python bench/evaluation.py``) to print JSON, or call :func:`run` from the bench runner.
The cases are inserted in bulk (they are the data being reported on, not what is measured).

- ``evaluation_report_seconds``: ``evaluate`` over all towns for 2026-01-01 … 2026-11-23.
- ``evaluation_xlsx_seconds`` / ``evaluation_pdf_seconds``: the same report exported.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The repository first, even under PYTHONPATH: bench/power_lists.py would shadow the package.
if sys.path[:1] != [str(ROOT)]:
    sys.path.insert(0, str(ROOT))

CASES = 24_000
START = dt.date(2026, 1, 1)
END = dt.date(2026, 11, 23)


def _list_bench() -> Any:
    """The power-list benchmark module (its generated list, county and app set-up are reused)."""
    spec = importlib.util.spec_from_file_location("bench_power_lists", HERE / "power_lists.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _publish(session: Any, county: Any, document: dict[str, Any]) -> None:
    from power_lists.versions import import_draft, publish, submit_for_review

    now = dt.datetime(2025, 12, 20, 2, tzinfo=dt.UTC)
    version = import_draft(session, county, document, actor=None, now=now, filename="list.json")
    submit_for_review(session, version, actor=None, now=now)
    publish(session, version, dt.date(2025, 12, 31), actor=None, now=now)
    session.commit()


def _cases(session: Any, rng: random.Random) -> int:
    """Bulk-insert the county-year's cases, decisions, ratings and visits; returns the applicant's id."""
    from sqlalchemy import insert, select

    from power_lists.models import ItemDelegation, PowerItem
    from service_hall.accounts.operations import register_applicant
    from service_hall.cases.models import Application, CaseStatus, Rating, Visit

    applicant = register_applicant(session, {
        "applicant_type": "person", "real_name": "李堃", "mobile": "13900000001", "id_number": "330127198503120011",
        "password": "Bench2026pw", "password_confirm": "Bench2026pw"}, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    session.flush()
    held: dict[int, list[tuple[int, str, str]]] = {}
    for item, town_id in session.execute(select(PowerItem, ItemDelegation.town_id).join(ItemDelegation)):
        if item.opens_application:
            held.setdefault(town_id, []).append((item.id, item.code, item.name))
    towns = sorted(held)
    days = (END - START).days + 1
    applications, ratings, visits = [], [], []
    outcomes = [CaseStatus.DELIVERED] * 6 + [CaseStatus.DENIED, CaseStatus.REFUSED, CaseStatus.WITHDRAWN,
                                             CaseStatus.ACCEPTED]
    for n in range(1, CASES + 1):
        town_id = rng.choice(towns)
        item_id, code, name = rng.choice(held[town_id][: max(1, len(held[town_id]) * 2 // 3)])  # some never used
        received = START + dt.timedelta(days=rng.randrange(days))
        status = rng.choice(outcomes)
        at = dt.datetime.combine(received, dt.time(2), dt.UTC)
        decided = received + dt.timedelta(days=rng.randint(1, 30)) if status in {
            CaseStatus.DELIVERED, CaseStatus.DENIED} else None
        if decided is not None and decided > END:
            decided, status = None, CaseStatus.ACCEPTED
        decided_at = dt.datetime.combine(decided, dt.time(3), dt.UTC) if decided else None
        closed_at = decided_at or (at + dt.timedelta(days=2) if status in {CaseStatus.REFUSED,
                                                                          CaseStatus.WITHDRAWN} else None)
        applications.append({
            "id": n, "case_number": f"B{n:08d}", "ref": f"bench-{n:08d}", "status": status,
            "applicant_id": applicant.id, "town_id": town_id, "power_item_id": item_id, "item_code": code,
            "item_name": name, "data": {}, "submission_key": f"k{n}", "submitted_at": at, "received_on": received,
            "intake_due_on": received + dt.timedelta(days=7), "accepted_on": received,
            "deemed_accepted": n % 97 == 0, "promised_days": 10, "statutory_days": 20,
            "due_on": received + dt.timedelta(days=14), "statutory_due_on": received + dt.timedelta(days=28),
            "decided_at": decided_at, "closed_at": closed_at, "created_at": at, "updated_at": at, "row_version": 1})
        if status is CaseStatus.DELIVERED and n % 3 == 0:
            ratings.append({"application_id": n, "town_id": town_id, "applicant_id": applicant.id,
                            "score": rng.choice([5, 5, 5, 4, 4, 3, 2, 1]), "comment": "",
                            "rated_at": (decided_at or at) + dt.timedelta(days=1)})
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            visits.append({"application_id": n, "applicant_id": applicant.id, "town_id": town_id,
                           "visitor_name": "李堃", "purpose": "提交材料", "at": at, "recorded_by_id": applicant.id})
    session.execute(insert(Application), applications)
    session.execute(insert(Rating), ratings)
    session.execute(insert(Visit), visits)
    session.commit()
    return applicant.id


def run() -> dict[str, Any]:
    return _list_bench().in_own_instance(_run)


def _run() -> dict[str, Any]:
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    lists = _list_bench()
    app = lists._app()
    from power_lists.document import validate_document
    from service_hall.cases.figures import rebuild as rebuild_figures
    from service_hall.evaluation.export import to_pdf, to_xlsx
    from service_hall.evaluation.report import Period, evaluate
    from service_hall.extensions import db
    from service_hall.jurisdictions.operations import towns

    results: dict[str, Any] = {"evaluation_cases": CASES}
    with app.app_context():
        county = lists._county(db.session)
        _publish(db.session, county, validate_document(lists.generate_document()))
        _cases(db.session, random.Random(2026))
        # The bulk insert bypasses the flush that keeps the daily figures; build them as `stats rebuild` does.
        rebuild_figures(db.session)
        db.session.commit()
        db.session.expire_all()
        places = towns(db.session)
        start = time.perf_counter()
        report = evaluate(db.session, places, Period(START, END))
        results["evaluation_report_seconds"] = round(time.perf_counter() - start, 3)
        assert report.total.received == CASES, report.total.received
        results["evaluation_unused_powers"] = report.unused_total
        start = time.perf_counter()
        xlsx = to_xlsx(report, scope="基准县")
        results["evaluation_xlsx_seconds"] = round(time.perf_counter() - start, 3)
        start = time.perf_counter()
        pdf = to_pdf(report, scope="基准县")
        results["evaluation_pdf_seconds"] = round(time.perf_counter() - start, 3)
        results["evaluation_pdf_bytes"] = len(pdf)
        assert xlsx and pdf.startswith(b"%PDF")
        db.session.remove()
        db.engine.dispose()
    return results


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=2))
