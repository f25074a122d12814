"""Every case list is read from an index: at a generated size where the planner has the choice (ANALYZE'd,
thousands of cases, a few percent open), EXPLAIN of each statement a list page sends shows no sequential
scan of applications or audit records (docs/architecture.md, "Lists at scale"). PostgreSQL only."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.generate import BENCH_PASSWORD, HEAVY_APPLICANT, generate
from service_hall.extensions import db
from tests.factories.database import is_postgres
from tests.factories.web import api_token, login

pytestmark = [pytest.mark.skipif(not is_postgres(), reason="query plans are proven on PostgreSQL (TEST_DATABASE_URL)"),
              pytest.mark.postgres_only]

WATCHED = ("applications", "audit_records")
CASES = 6000


@pytest.fixture
def generated(app: Any, rworld: dict[str, int]) -> dict[str, int]:
    with app.app_context():
        conn = db.session.connection()
        counts = generate(conn.connection.driver_connection, cases=CASES, seed=11)
        conn.exec_driver_sql("ANALYZE")
        db.session.commit()
    return counts


class Statements:
    def __init__(self) -> None:
        self.seen: list[tuple[Any, str, Any]] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        # Lists only: a figure (GROUP BY over the town's finished cases, the 最多跑一次 table) is not a list.
        if "GROUP BY" in statement:
            return
        if statement.lstrip().upper().startswith("SELECT") and any(t in statement for t in WATCHED):
            self.seen.append((conn, statement, params))


@pytest.fixture
def statements() -> Iterator[Statements]:
    seen = Statements()
    event.listen(Engine, "before_cursor_execute", seen)
    yield seen
    event.remove(Engine, "before_cursor_execute", seen)


def _seq_scans(plan: dict[str, Any]) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in WATCHED:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += _seq_scans(child)
    return found


def _assert_indexed(app: Any, statements: Statements, page: str) -> None:
    assert statements.seen, f"{page} read no case"
    for conn, statement, params in statements.seen:
        with app.app_context():
            rows = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, params).all()
        plan = rows[0][0] if not isinstance(rows[0][0], str) else json.loads(rows[0][0])
        assert _seq_scans(plan[0]["Plan"]) == [], f"{page}: sequential scan in\n{statement}\n{json.dumps(plan)[:2000]}"
    statements.seen.clear()


def _walk(app: Any, client: Any, statements: Statements, first: str, pages: int = 3) -> str:
    """Open ``first`` and follow its 下一页 link ``pages - 1`` times, checking each page's plans."""
    url, body = first, ""
    for _ in range(pages):
        resp = client.get(url)
        assert resp.status_code == 200, url
        body = resp.get_data(as_text=True)
        _assert_indexed(app, statements, url)
        found = re.search(r'<a rel="next" href="([^"]+)">下一页</a>', body)
        if not found:
            break
        url = found.group(1).replace("&amp;", "&")
    return body


def test_clerk_queue_and_its_filters_read_the_open_case_indexes(app, client, generated, statements):
    login(client, "clerk1")
    statements.seen.clear()
    body = _walk(app, client, statements, "/workbench/")
    assert "上一页" in body
    for url in ("/workbench/?status=accepted", "/workbench/?sort=number", "/workbench/?status=submitted"):
        _walk(app, client, statements, url, pages=2)


def test_supervisor_list_reads_the_clock_index(app, client, generated, statements):
    login(client, "super")
    statements.seen.clear()
    _walk(app, client, statements, "/supervision/", pages=2)
    for kind in ("delivery", "pledge"):
        _walk(app, client, statements, f"/supervision/deadlines?kind={kind}&size=20", pages=2)


def test_applicant_portal_with_a_thousand_cases_reads_the_applicant_index(app, client, generated, statements):
    login(client, HEAVY_APPLICANT, BENCH_PASSWORD)
    statements.seen.clear()
    body = _walk(app, client, statements, "/portal/")
    assert "上一页" in body and "下一页" in body


def test_case_page_reads_its_audit_records_by_index(app, client, generated, statements):
    login(client, "clerk1")
    with app.app_context():
        case_id = db.session.connection().exec_driver_sql(
            "SELECT a.id FROM applications a JOIN jurisdictions j ON j.id = a.town_id "
            "WHERE j.code = '330199101000' AND a.status = 'delivered' ORDER BY a.id DESC LIMIT 1").scalar()
    statements.seen.clear()
    resp = client.get(f"/workbench/cases/{case_id}")
    assert resp.status_code == 200
    _assert_indexed(app, statements, f"/workbench/cases/{case_id}")


def test_api_case_list_pages_by_cursor_from_the_index(app, client, generated, statements):
    headers = api_token(client, "clerk1")
    statements.seen.clear()
    resp = client.get("/api/v1/cases?size=20", headers=headers)
    assert resp.status_code == 200 and len(resp.get_json()) == 20
    cursor = resp.headers["X-Next-Cursor"]
    assert 'rel="next"' in resp.headers["Link"]
    _assert_indexed(app, statements, "/api/v1/cases")
    second = client.get(f"/api/v1/cases?size=20&cursor={cursor}", headers=headers)
    assert second.status_code == 200
    _assert_indexed(app, statements, "/api/v1/cases?cursor=")
    assert {c["id"] for c in second.get_json()}.isdisjoint({c["id"] for c in resp.get_json()})


def test_a_sweep_round_reads_due_cases_from_indexes(app, generated, statements):
    """Each statement of a sweep round that reads cases uses an index, and the 容缺 check reads only the cases
    whose pledge date has passed, from its partial index (migration 0029), not every clock-running case."""
    from service_hall.cases.sweep import run_sweep
    from service_hall.core.base import utcnow

    with app.app_context():
        statements.seen.clear()
        run_sweep(db.session, now=utcnow())
        conn = db.session.connection()
        pledge = [s for _, s, p in statements.seen if "applications.pledge_due_on <" in s]
        plans = [conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + s, p).scalar() for _, s, p in statements.seen]
        db.session.rollback()
    assert len(pledge) == 1 and len(plans) >= 4
    for (_, statement, _), plan in zip(statements.seen, plans, strict=True):
        plan = plan if not isinstance(plan, str) else json.loads(plan)
        assert _seq_scans(plan[0]["Plan"]) == [], f"sweep: sequential scan in\n{statement}"
        if statement in pledge:
            assert "ix_applications_clock_pledge" in json.dumps(plan), json.dumps(plan)[:2000]
