"""Public pages are cacheable for anonymous visitors (docs/architecture.md, "Lists at scale"): public
max-age and an ETag, a 304 without a body on revalidation, a fresh page once the content changes; never
public for a signed-in user."""

from __future__ import annotations

from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction
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


def test_the_process_serves_a_rendered_anonymous_page_again_without_the_database(app, client, world, monkeypatch):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", 30)
    app.extensions["public_page_cache"].clear()
    page = f"/catalog/towns/{QINGSHAN}"
    first = client.get(page)
    seen: list[str] = []

    def count(conn, cursor, statement, params, context, many):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        again = client.get(page)
        revalidated = client.get(page, headers={"If-None-Match": first.headers["ETag"]})
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert revalidated.status_code == 304
    assert seen == []
    login(client, "clerk1")  # a signed-in user always gets a fresh page
    assert client.get(page).headers["Cache-Control"] == "private, no-cache"
    app.extensions["public_page_cache"].clear()
