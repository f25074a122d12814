"""Public pages are cacheable for anonymous visitors (docs/architecture.md, "Lists at scale"): public
max-age and an ETag, a 304 without a body on revalidation, a fresh page once the content changes; never
public for a signed-in user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import request, request_started, template_rendered
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from power_lists.models import PowerItem
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction
from service_hall.web.http_cache import PageCache
from tests.factories.database import is_postgres
from tests.factories.places import QINGSHAN
from tests.factories.web import login


def test_anonymous_catalog_pages_are_public_with_an_etag_and_revalidate_to_304(app, client, world):
    for page in ("/", "/catalog/", f"/catalog/towns/{QINGSHAN}", "/catalog/versions"):
        resp = client.get(page)
        assert resp.status_code == 200, page
        assert resp.headers["Cache-Control"] == "public, max-age=60", page
        assert "Cookie" in resp.headers["Vary"]
        etag = resp.headers["ETag"]
        again = client.get(page, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", page


def test_a_changed_page_gets_a_new_etag(app, client, world):
    page = f"/catalog/towns/{QINGSHAN}"
    etag = client.get(page).headers["ETag"]
    with app.app_context():
        town = db.session.query(Jurisdiction).filter_by(code=QINGSHAN).one()
        town.name = "青山新镇"
        db.session.commit()
    resp = client.get(page, headers={"If-None-Match": etag})
    assert resp.status_code == 200 and "青山新镇" in resp.get_data(as_text=True)
    assert resp.headers["ETag"] != etag


def test_signed_in_users_get_private_pages(app, client, world):
    login(client, "clerk1")
    resp = client.get(f"/catalog/towns/{QINGSHAN}")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "private, no-cache"
    assert "ETag" not in resp.headers


def test_staff_pages_and_errors_are_not_made_public(app, client, world):
    assert "public" not in client.get("/catalog/towns/000000000000").headers.get("Cache-Control", "")
    login(client, "clerk1")
    assert "public" not in client.get("/workbench/").headers.get("Cache-Control", "")


@contextmanager
def _watched(app) -> Iterator[dict[str, list[Any]]]:
    """What a request does inside the app: SQL statements, templates rendered, Flask request dispatches."""
    seen: dict[str, list[Any]] = {"sql": [], "rendered": [], "dispatched": []}

    def count(conn, cursor, statement, params, context, many):
        seen["sql"].append(statement)

    def rendered(sender, template, context, **extra):
        seen["rendered"].append(template.name)

    def dispatched(sender, **extra):
        seen["dispatched"].append(request.path)

    event.listen(Engine, "before_cursor_execute", count)
    template_rendered.connect(rendered, app)
    request_started.connect(dispatched, app)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)
        template_rendered.disconnect(rendered, app)
        request_started.disconnect(dispatched, app)


def _guide_page(app) -> str:
    with app.app_context():
        item_id = db.session.scalar(select(PowerItem.id).where(PowerItem.guide.is_not(None)).order_by(PowerItem.id))
    return f"/catalog/items/{item_id}"


def test_the_process_serves_a_rendered_anonymous_page_again_without_the_database(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", 30)
    app.extensions["public_page_cache"].clear()
    for page in ("/", "/catalog/", f"/catalog/towns/{QINGSHAN}", _guide_page(app)):
        first = client.get(page)
        assert first.status_code == 200, page
        with _watched(app) as seen:
            again = client.get(page)
            revalidated = client.get(page, headers={"If-None-Match": first.headers["ETag"]})
            head = client.head(page)
        assert again.status_code == 200 and again.data == first.data, page
        assert again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
        assert revalidated.status_code == 304 and revalidated.data == b""
        assert revalidated.headers["ETag"] == first.headers["ETag"] and "Content-Type" not in revalidated.headers
        assert head.status_code == 200 and head.data == b""
        # Answered in front of Flask: no statement, no template, not even a request dispatched.
        assert seen == {"sql": [], "rendered": [], "dispatched": []}, page
    login(client, "clerk1")  # a signed-in user always gets a fresh page
    with _watched(app) as seen:
        assert client.get(f"/catalog/towns/{QINGSHAN}").headers["Cache-Control"] == "private, no-cache"
    assert seen["rendered"] == ["catalog/town.html"]
    app.extensions["public_page_cache"].clear()


def test_anonymous_public_pages_set_no_cookie(app, client, world):
    for page in ("/", "/catalog/", f"/catalog/towns/{QINGSHAN}", _guide_page(app), "/healthz"):
        resp = client.get(page)
        assert resp.status_code == 200, page
        assert "Set-Cookie" not in resp.headers, page


def test_the_elder_mode_page_is_kept_apart(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", 30)
    app.extensions["public_page_cache"].clear()
    plain = client.get("/").data
    client.set_cookie("elder_mode", "1")
    elder = client.get("/").data
    assert elder != plain
    client.delete_cookie("elder_mode")
    assert client.get("/").data == plain
    app.extensions["public_page_cache"].clear()


def test_the_kept_pages_are_bounded():
    pages = PageCache(entries=3)
    for i in range(10):
        pages.put(f"/catalog/items/{i}", 30, b"page", [], '"etag"')
    assert len(pages) == 3
    assert pages.get("/catalog/items/0") is None and pages.get("/catalog/items/9") is not None


def test_a_town_catalog_reads_only_the_columns_it_prints(app, client, world):
    with _watched(app) as seen:
        resp = client.get(f"/catalog/towns/{QINGSHAN}")
    assert resp.status_code == 200
    items = [s for s in seen["sql"] if "FROM power_items" in s and "power_items.code" in s]
    assert items, seen["sql"]
    for column in ("setting_basis", "implementing_basis", "responsibilities", "accountability", "power_items.note"):
        assert not any(column in s for s in items), column
    assert "power_items.guide" in items[0]  # whether an item is open comes from its guide


def test_healthz_is_one_statement_and_no_transaction(app, client):
    client.get("/healthz")
    began: list[Any] = []

    def after_begin(session, transaction, connection):
        began.append(connection)

    event.listen(Session, "after_begin", after_begin)
    try:
        with _watched(app) as seen:
            resp = client.get("/healthz")
    finally:
        event.remove(Session, "after_begin", after_begin)
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok", "database": "ok"}
    # PostgreSQL: the pool's pre-ping of the checkout is the round trip (no statement); SQLite: SELECT 1.
    assert len(seen["sql"]) <= 1
    assert began == []


@pytest.mark.skipif(not is_postgres(), reason="the pool's pre-ping is configured for PostgreSQL")
@pytest.mark.postgres_only
@pytest.mark.committing  # the app's own engine and pool, not the suite's outer transaction
def test_healthz_on_postgresql_is_the_pool_ping_alone(app, client):
    client.get("/healthz")
    with app.app_context():
        engine = db.engine
    seen: list[str] = []
    began: list[Any] = []

    def count(conn, cursor, statement, params, context, many):
        seen.append(statement)

    def begin(conn):
        began.append(conn)

    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "begin", begin)
    try:
        resp = client.get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine, "begin", begin)
    assert resp.status_code == 200 and resp.get_json()["database"] == "ok"
    assert seen == [] and began == []
