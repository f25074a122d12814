"""A 一件事 published before one of its items was revoked (or taken back from a town) stops being offered
there the day the new list takes effect: not in the catalog, the API, the search or the apply page, and
a submission is refused with the reason; before that day nothing changes (docs/bundles.md, "Offered")."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_hall.bundles import versions
from service_hall.extensions import db
from service_hall.search.query import Filters, search
from tests.factories.accounts import user
from tests.factories.bundles import PLANNING, demo_world, rural_housing
from tests.factories.clock import NOW
from tests.factories.places import COUNTY, QINGSHAN, jurisdiction
from tests.factories.web import login

TODAY = NOW.date()


@pytest.fixture
def published(app):
    demo_world(app)
    app.config["FIXED_NOW"] = NOW
    with app.app_context():
        draft = versions.save_draft(db.session, jurisdiction(COUNTY), rural_housing(), actor=user("legal"), now=NOW)
        versions.publish(db.session, draft, actor=user("legal2"), now=NOW)
        db.session.commit()


def _revoke_planning(app, effective_from: dt.date) -> None:
    from power_lists import versions as lists
    from power_lists.models import PowerItem

    with app.app_context():
        new_list = lists.create_draft(db.session, jurisdiction(COUNTY), actor=user("legal"), now=NOW, title="第二版")
        planning = db.session.scalar(select(PowerItem).where(PowerItem.version_id == new_list.id,
                                                             PowerItem.code == PLANNING))
        lists.revoke_item(db.session, planning, "收回县级行使", actor=user("legal"), now=NOW)
        lists.submit_for_review(db.session, new_list, actor=user("legal"), now=NOW)
        lists.publish(db.session, new_list, effective_from, actor=user("legal2"), now=NOW)
        db.session.commit()


def _offered(app) -> dict[str, object]:
    client = app.test_client()
    applicant = app.test_client()
    login(applicant, "13800000001")
    with app.app_context():
        found = search(db.session, "建房", on=TODAY, filters=Filters(town=jurisdiction(QINGSHAN),
                                                                   county_id=jurisdiction(COUNTY).id))
        hits = [h.code for h in found.hits if h.kind == "bundle"]
        anywhere = [h.code for h in search(db.session, "农村建房一件事", on=TODAY).hits if h.kind == "bundle"]
    return {
        "api_town": [b["code"] for b in client.get(f"/api/v1/bundles?town={QINGSHAN}").get_json()],
        "api_detail": client.get(f"/api/v1/bundles/rural-housing?town={QINGSHAN}").status_code,
        "portal_town": "农村建房一件事" in applicant.get(f"/portal/towns/{QINGSHAN}").get_data(as_text=True),
        "public_page": QINGSHAN in client.get("/catalog/bundles/rural-housing").get_data(as_text=True),
        "search_town": hits,
        "search_anywhere": anywhere,
    }


def test_before_the_new_list_takes_effect_the_bundle_is_still_offered(app, published):
    _revoke_planning(app, TODAY + dt.timedelta(days=7))
    assert _offered(app) == {"api_town": ["rural-housing"], "api_detail": 200, "portal_town": True, "public_page": True,
                             "search_town": ["rural-housing"], "search_anywhere": ["rural-housing"]}


def test_once_an_item_is_revoked_the_bundle_is_offered_nowhere_and_says_why(app, published):
    _revoke_planning(app, TODAY)
    assert _offered(app) == {"api_town": [], "api_detail": 404, "portal_town": False, "public_page": False,
                             "search_town": [], "search_anywhere": []}
    client = app.test_client()
    login(client, "13800000001")
    page = client.get(f"/portal/bundles/apply/{QINGSHAN}/rural-housing")
    assert page.status_code == 404
    assert "暂停办理" in page.get_data(as_text=True)
    with app.app_context():
        bundle = versions.bundle_in_force(db.session, jurisdiction(COUNTY), "rural-housing", NOW)
        assert versions.offering_towns(db.session, bundle, NOW) == []
        assert "不在现行清单中" in versions.suspension(db.session, bundle, jurisdiction(QINGSHAN), NOW)
