"""The list pages (clerk queue, supervision, portal) read with the same number of SQL statements however
many rows, items, towns and applicants they show, and the case page with a bounded number
(docs/architecture.md, "Lists at scale"): counted with SQLAlchemy's cursor events, not timed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from service_hall.cases.models import Application
from service_hall.extensions import db
from tests.factories.cases import drive, load, new_case, rate
from tests.factories.clock import at
from tests.factories.places import BAISHA
from tests.factories.power_list import ITEM, PLEDGE, QUICK, TWO
from tests.factories.web import api_token, signed_in

# What the case pages read (counted with the test's SAVEPOINT and RELEASE): the signed-in session with its
# user, the case, one statement telling which of its collections have rows and one per collection that has,
# the calendar, the history with its actors in one read, the tables the page shows, and which materials are
# reused certificates (免提交, one read of reused_materials). A statement more means a new per-row or repeated
# read (the staff page made 37, reading the form twice and each outbox message's user).
CASE_PAGE_STATEMENTS = 23
PORTAL_CASE_PAGE_STATEMENTS = 19  # with the reused certificates' read, as the staff page


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, params, context, many):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def _overdue(app, n: int, town: str | None = None) -> list[int]:
    ids = []
    for i in range(n):
        kwargs = {"town": town} if town else {}
        case_id = new_case(app, applicant=f"1390000000{1 + i % 2}", day="2026-10-26", **kwargs)
        drive(app, case_id, "accept", day="2026-10-26")
        ids.append(case_id)
    return ids


def _count(client, url: str) -> int:
    client.get(url)  # the first request of a client runs the sweep and warms caches
    with statements() as seen:
        resp = client.get(url)
    assert resp.status_code == 200, url
    return len(seen)


def test_the_supervision_page_does_not_read_per_row(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    _overdue(app, 2)
    supervisor = signed_in(app)
    few = _count(supervisor, "/supervision/")
    more = _overdue(app, 4, town=BAISHA)
    many = _count(supervisor, "/supervision/")
    page = supervisor.get("/supervision/").get_data(as_text=True)
    assert all(load(app, case_id).case_number in page for case_id in more)
    assert many == few


def test_the_case_page_reads_with_a_bounded_number_of_statements(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = _overdue(app, 1)[0]
    clerk = signed_in(app, "clerk1")
    n = _count(clerk, f"/workbench/cases/{case_id}")
    assert n <= CASE_PAGE_STATEMENTS, f"the case page read with {n} statements"


def _approved(app, n: int, item: str = ITEM, town: str | None = None) -> list[int]:
    """Cases decided and awaiting delivery, each by a different applicant's hand-in day."""
    ids = []
    for _ in range(n):
        kwargs = {"town": town} if town else {}
        case_id = new_case(app, item, applicant="13900000001", day="2026-11-02", **kwargs)
        drive(app, case_id, "accept", "opinion1", "complete", day="2026-11-02")
        drive(app, case_id, "approve", day="2026-11-05")
        ids.append(case_id)
    return ids


def test_the_clerk_queue_does_not_read_per_row(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    new_case(app, ITEM, applicant="13900000001", day="2026-11-20")
    clerk = signed_in(app, "clerk1")
    few = _count(clerk, "/workbench/")
    more = [new_case(app, item, applicant=applicant, day="2026-11-20")
            for item in (TWO, QUICK, PLEDGE) for applicant in ("13900000001", "13900000002")]
    many = _count(clerk, "/workbench/")
    page = clerk.get("/workbench/").get_data(as_text=True)
    assert all(load(app, case_id).case_number in page for case_id in more)
    assert many == few


def test_the_portal_does_not_read_per_row(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    _approved(app, 1)
    applicant = signed_in(app, "13900000001")
    few = _count(applicant, "/portal/")
    more = _approved(app, 3, town=BAISHA)
    many = _count(applicant, "/portal/")
    page = applicant.get("/portal/").get_data(as_text=True)
    assert page.count("已作出决定，待查收") == 4
    assert all(load(app, case_id).case_number in page for case_id in more)
    assert many == few


def test_the_supervision_page_reads_deliveries_due_without_reading_per_row(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    _overdue(app, 1)
    _approved(app, 1)
    supervisor = signed_in(app)
    few = _count(supervisor, "/supervision/")
    more = _approved(app, 3, town=BAISHA)
    many = _count(supervisor, "/supervision/")
    page = supervisor.get("/supervision/").get_data(as_text=True)
    assert page.count("送达期限") >= 4
    assert all(load(app, case_id).case_number in page for case_id in more)
    assert many == few


def test_the_applicants_case_page_reads_with_a_bounded_number_of_statements(app, rworld):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case_id = _overdue(app, 1)[0]
    applicant = signed_in(app, "13900000001")
    n = _count(applicant, f"/portal/applications/{load(app, case_id).ref}")
    assert n <= PORTAL_CASE_PAGE_STATEMENTS, f"the applicant's case page read with {n} statements"


def _tables_read(client, url: str) -> tuple[int, str]:
    client.get(url)
    with statements() as seen:
        resp = client.get(url)
    assert resp.status_code == 200, url
    return len(seen), " ".join(seen).lower()


def test_the_evaluation_and_the_public_statistics_read_aggregates_only(app, rworld):
    """However many cases and ratings a year holds, the report and a town's statistics read the kept
    figures (daily, monthly, rating indicators) and never a case, rating, visit or trigger row
    (docs/architecture.md, "Figures from aggregates")."""
    app.config["FIXED_NOW"] = at("2026-11-23")
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 0
    first = _overdue(app, 2)[0]
    with app.app_context():
        rate(db.session.get(Application, first), now=at("2026-11-21"), score=4, stage="accepted")
        db.session.commit()
    supervisor = signed_in(app)
    pages = ["/supervision/evaluation?from=2025-12-02&to=2026-11-23", f"/catalog/towns/{BAISHA}/statistics?year=2026"]
    counts = {}
    for url in pages:
        client = supervisor if url.startswith("/supervision") else app.test_client()
        counts[url], sql = _tables_read(client, url)
        for table in ("applications", "ratings", "visits", "accountability_triggers"):
            assert f"from {table} " not in sql and f"join {table} " not in sql, (url, table)
    _overdue(app, 4, town=BAISHA)
    for url in pages:
        client = supervisor if url.startswith("/supervision") else app.test_client()
        assert _tables_read(client, url)[0] == counts[url], url


def _api_count(client, url: str, headers: dict[str, str]) -> tuple[int, list]:
    client.get(url, headers=headers)
    with statements() as seen:
        resp = client.get(url, headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return len(seen), resp.get_json()


def test_the_json_case_list_does_not_read_per_row(app, rworld, client):
    """``GET /api/v1/cases`` prints each case whole (form values, materials, notices, pauses, deliveries):
    loaded with the page, a statement per collection, not per case."""
    app.config["FIXED_NOW"] = at("2026-11-23")
    _overdue(app, 1)
    _approved(app, 1)
    headers = api_token(client, "clerk1")
    few, _ = _api_count(client, "/api/v1/cases", headers)
    _overdue(app, 3)
    _approved(app, 3)
    many, rows = _api_count(client, "/api/v1/cases", headers)
    assert len(rows) == 8 and all(r["data"] is not None and r["materials"] is not None for r in rows)
    assert any(r["notices"] for r in rows)
    assert many == few


def test_the_applicants_json_list_does_not_read_per_row(app, rworld, client):
    app.config["FIXED_NOW"] = at("2026-11-23")
    _approved(app, 1)
    headers = api_token(client, "13900000001")
    few, _ = _api_count(client, "/api/v1/applications", headers)
    _approved(app, 3, town=BAISHA)
    _overdue(app, 2)
    many, rows = _api_count(client, "/api/v1/applications", headers)
    assert len(rows) == 5 and sum(1 for r in rows if r["pending_decisions"]) == 4
    assert many == few
