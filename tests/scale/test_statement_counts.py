"""The list pages (clerk queue, supervision, portal) read with the same number of SQL statements however
many rows, items, towns and applicants they show, and the case page with a bounded number
(docs/architecture.md, "Lists at scale"): counted with SQLAlchemy's cursor events, not timed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.factories.cases import drive, load, new_case
from tests.factories.clock import at
from tests.factories.places import BAISHA
from tests.factories.power_list import ITEM, PLEDGE, QUICK, TWO
from tests.factories.web import signed_in

# What the staff case page reads today (one statement per table it shows, the signed-in user and the
# calendar): a statement more means a new per-row or repeated read. 38 since the page shows which of the
# case's materials are reused certificates (免提交, one read of reused_materials).
CASE_PAGE_STATEMENTS = 38


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
