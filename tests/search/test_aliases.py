"""Legal affairs keep the everyday words; the search follows at once."""

from __future__ import annotations

from sqlalchemy import select

from service_hall.extensions import db
from service_hall.search.models import SearchAlias
from tests.factories.web import login, post_form
from tests.search.conftest import COUNTY


def _top(client, q):
    results = client.get("/api/v1/search", query_string={"q": q}).get_json()["results"]
    return [r["code"] for r in results[:3]]


def test_legal_officer_adds_and_removes_an_alias(client, app, factory, demo_search):
    factory.staff("fz1", "legal", COUNTY)
    assert "330199-GF-006" not in _top(client, "住院押金")
    login(client, "fz1")
    page = client.get("/legal/aliases").get_data(as_text=True)
    assert "养狗" in page and "330199-QT-001" in page
    resp = post_form(client, "/legal/aliases", {"item_code": "330199-GF-006", "alias": "住院押金"})
    assert resp.status_code == 302
    assert _top(client, "住院押金")[0] == "330199-GF-006"
    with app.app_context():
        alias_id = db.session.scalar(select(SearchAlias.id).where(SearchAlias.alias == "住院押金"))
    resp = post_form(client, "/legal/aliases", {"alias_id": str(alias_id)}, action="/legal/aliases/delete")
    assert resp.status_code == 302
    assert "330199-GF-006" not in _top(client, "住院押金")


def test_alias_errors_are_shown_in_chinese(client, factory, demo_search):
    factory.staff("fz1", "legal", COUNTY)
    login(client, "fz1")
    for data, message in [({"item_code": "330199-QT-001", "alias": "  "}, "请填写常用说法"),
                          ({"item_code": "330199-QT-001", "alias": "狗" * 41}, "不超过 40 个字"),
                          ({"item_code": "330199-QT-001", "alias": "养狗"}, "已有常用说法“养狗”"),
                          ({"item_code": "NOPE", "alias": "随便"}, "没有编码为 NOPE 的事项")]:
        resp = post_form(client, "/legal/aliases", data)
        assert resp.status_code == 422 and message in resp.get_data(as_text=True), data
    resp = post_form(client, "/legal/aliases", {"alias_id": "x"}, action="/legal/aliases/delete")
    assert resp.status_code == 404


def test_misses_page_for_legal_affairs(client, factory, demo_search):
    factory.staff("fz1", "legal", COUNTY)
    client.get("/catalog/search", query_string={"q": "办护照"})
    login(client, "fz1")
    html = client.get("/legal/search-misses").get_data(as_text=True)
    assert "护照" in html and "1 次" in html and "添加为常用说法" in html


def test_alias_pages_need_legal_permissions(client, factory, demo_search):
    factory.staff("clerk1", "clerk", "330199101000")
    assert client.get("/legal/aliases").status_code == 302  # to the login page
    login(client, "clerk1")
    assert client.get("/legal/aliases").status_code == 403
    assert client.get("/legal/search-misses").status_code == 403


def test_aliases_carry_over_to_a_new_version(app, demo_search, factory):
    """A new published version is indexed with the aliases kept per item code."""
    import datetime as dt

    from power_lists import versions
    from power_lists.models import PowerItem
    from service_hall.jurisdictions.operations import by_code
    from service_hall.search.query import search
    from tests.factories.clock import NOW

    a, b = factory.staff("fz1", "legal", COUNTY), factory.staff("fz2", "legal", COUNTY)
    with app.app_context():
        from service_hall.accounts.models import User

        county = by_code(db.session, COUNTY)
        draft = versions.create_draft(db.session, county, actor=db.session.get(User, a), now=NOW)
        versions.submit_for_review(db.session, draft, actor=db.session.get(User, a), now=NOW)
        versions.publish(db.session, draft, dt.date(2026, 12, 1), actor=db.session.get(User, b), now=NOW)
        db.session.commit()
        hits = search(db.session, "养狗", on=dt.date(2026, 12, 2)).hits
        assert hits[0].code == "330199-QT-001"
        assert db.session.get(PowerItem, hits[0].item_id).version_id == draft.id
