"""一件事 in the search: indexed when published, replaced when superseded, ranked beside the items on the
page, in the API and from the workbench's search box (docs/search.md, "Bundles")."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from service_hall.extensions import db
from service_hall.search.models import SearchDocument
from service_hall.search.query import Filters, search
from tests.factories.accounts import user
from tests.factories.bundles import demo_world
from tests.factories.clock import NOW
from tests.factories.web import signed_in
from tests.search.conftest import CHENGDONG, COUNTY, QINGSHAN

TODAY = NOW.date()
LATER = NOW + dt.timedelta(hours=1)
BAD = ['"建房"*', "建房:NEAR", "NEAR(建房 开店)", "建房 OR", '开店"', "开店*", "(开店)", "开店 NOT 建房",
       "建房" + "饭" * 300, "建房" + "a" * 300, "开店８０", "ｋａｉｄｉａｎ开店", "建房🏠", "' OR 1=1 -- 建房"]


@pytest.fixture
def demo_bundles(app):
    """The demo county, list, forms and aliases, and its three 一件事 published at NOW."""
    from service_hall.bundles.demo import load_demo_bundles

    demo_world(app)
    app.config["FIXED_NOW"] = NOW
    with app.app_context():
        assert len(load_demo_bundles(db.session, now=NOW)) == 3
        db.session.commit()


def _top(outcome, n=3):
    return [(h.kind, h.code) for h in outcome.hits[:n]]


@pytest.mark.parametrize(("query", "kind", "code"), [
    ("饭店", "item", "330199-XK-007"),
    ("小饭馆", "item", "330199-XK-007"),
    ("养狗", "item", "330199-QT-001"),
    ("老人 80", "item", "330199-GF-004"),
    ("建房", "bundle", "rural-housing"),
    ("开店", "bundle", "open-shop"),
    ("开店", "item", "330199-XK-007"),
    ("农村建房一件事", "bundle", "rural-housing"),
    ("高龄老人", "bundle", "senior"),
    ("开个小饭馆", "bundle", "open-shop"),  # the aliases of its items are the bundle's too
    ("gtgshkyyjs", "bundle", "open-shop"),  # pinyin initials of its name
])
def test_the_done_when_table_with_bundles(app, demo_bundles, query, kind, code):
    with app.app_context():
        outcome = search(db.session, query, on=TODAY)
        assert (kind, code) in _top(outcome), (query, [(h.kind, h.code, h.name, h.score) for h in outcome.hits[:5]])


def test_a_bundle_is_found_only_where_a_town_offers_it_and_not_by_power_type(app, demo_bundles):
    from service_hall.jurisdictions.operations import by_code

    with app.app_context():
        urban, rural = by_code(db.session, CHENGDONG), by_code(db.session, QINGSHAN)
        county_id = urban.county.id
        assert ("bundle", "open-shop") in _top(search(db.session, "开店", on=TODAY,
                                                      filters=Filters(town=urban, county_id=county_id)))
        in_rural = search(db.session, "开店", on=TODAY, filters=Filters(town=rural, county_id=county_id))
        assert "open-shop" not in [h.code for h in in_rural.hits]
        licensing = search(db.session, "开店", on=TODAY, filters=search_filters("licensing"))
        assert licensing.hits and all(h.kind == "item" for h in licensing.hits)


def search_filters(power_type):
    from service_hall.search.query import filters_from

    return filters_from(db.session, power_type=power_type)


def test_a_new_version_replaces_the_old_one_in_the_index_and_rebuild_keeps_bundles(app, demo_bundles):
    from service_hall.bundles import versions
    from service_hall.bundles.demo import DEMO_BUNDLES
    from service_hall.jurisdictions.operations import by_code
    from service_hall.search.index import rebuild

    with app.app_context():
        raw = {**next(b for b in DEMO_BUNDLES if b["code"] == "rural-housing"), "name": "农村翻建住房一件事"}
        draft = versions.save_draft(db.session, by_code(db.session, COUNTY), raw, actor=user("legal"), now=LATER)
        db.session.commit()
        assert search(db.session, "翻建住房", on=TODAY).hits[0].kind == "item"  # a draft is not found
        versions.publish(db.session, draft, actor=user("legal2"), now=LATER)
        db.session.commit()
        hits = [(h.kind, h.code, h.name) for h in search(db.session, "建房", on=TODAY).hits if h.kind == "bundle"]
        assert hits == [("bundle", "rural-housing", "农村翻建住房一件事")]
        count = select(func.count()).select_from(SearchDocument).where(SearchDocument.kind == "bundle")
        assert db.session.scalar(count) == 3
        rebuild(db.session)
        db.session.commit()
        assert db.session.scalar(count) == 3
        assert ("bundle", "rural-housing") in _top(search(db.session, "建房", on=TODAY))


def test_the_rebuild_command_counts_the_bundles(runner, app, demo_bundles):
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "45 个事项、3 个一件事" in result.output


def test_an_alias_added_to_an_item_finds_its_bundles(app, demo_bundles):
    from service_hall.jurisdictions.operations import by_code
    from service_hall.search.aliases import add_alias

    with app.app_context():
        assert not [h for h in search(db.session, "起新屋", on=TODAY).hits if h.kind == "bundle"]
        add_alias(db.session, by_code(db.session, COUNTY), "330199-XK-002", "起新屋", actor=user("legal"), now=LATER)
        db.session.commit()
        assert ("bundle", "rural-housing") in _top(search(db.session, "起新屋", on=TODAY))


def test_api_gives_bundles_in_the_exact_shape(client, demo_bundles):
    results = client.get("/api/v1/search", query_string={"q": "建房"}).get_json()["results"]
    bundle = next(r for r in results if r["kind"] == "bundle")
    assert bundle == {"kind": "bundle", "code": "rural-housing", "name": "农村建房一件事", "town": None,
                      "score": bundle["score"]}
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    by_town = client.get("/api/v1/search", query_string={"q": "开店", "town": CHENGDONG}).get_json()["results"]
    assert {"kind": "bundle", "code": "open-shop", "name": "个体工商户开业一件事", "town": CHENGDONG,
            "score": next(r["score"] for r in by_town if r["kind"] == "bundle")} in by_town


def test_the_page_links_a_bundle_to_its_combined_guide(client, demo_bundles):
    page = client.get("/catalog/search", query_string={"q": "建房"}).get_data(as_text=True)
    assert 'href="/catalog/bundles/rural-housing"' in page and "一件事" in page
    guide = client.get("/catalog/bundles/rural-housing")
    assert guide.status_code == 200 and "农村建房一件事" in guide.get_data(as_text=True)
    in_town = client.get("/catalog/search", query_string={"q": "开店", "town": CHENGDONG}).get_data(as_text=True)
    assert f'href="/catalog/bundles/open-shop?town={CHENGDONG}"' in in_town


@pytest.mark.parametrize("query", BAD)
def test_bad_input_still_finds_bundles_or_nothing(app, client, demo_bundles, query):
    resp = client.get("/api/v1/search", query_string={"q": query})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    codes = [r["code"] for r in resp.get_json()["results"] if r["kind"] == "bundle"]
    assert set(codes) <= {"rural-housing", "open-shop", "senior"}
    if "建房" in query or "开店" in query:
        assert codes, query
    page = client.get("/catalog/search", query_string={"q": query})
    assert page.status_code == 200 and "搜索要办的事" in page.get_data(as_text=True)


def test_the_clerk_searches_for_a_walk_in_from_the_workbench_and_sees_bundles(app, demo_bundles):
    clerk = signed_in(app, "clerk")
    bench = clerk.get("/workbench/").get_data(as_text=True)
    assert 'action="/catalog/search"' in bench and 'id="site-q"' in bench
    page = clerk.get("/catalog/search", query_string={"q": "建房", "town": QINGSHAN}).get_data(as_text=True)
    assert f'href="/catalog/bundles/rural-housing?town={QINGSHAN}"' in page
