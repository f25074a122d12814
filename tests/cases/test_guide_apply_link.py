"""The catalog's guide page of an item that takes online applications links to 在线申请 in each town that
holds it today; an item that takes none (行政处罚) links nowhere."""

from __future__ import annotations

from sqlalchemy import select

from power_lists.models import PowerItem
from service_hall.extensions import db
from tests.factories.clock import at
from tests.factories.power_list import ENFORCEMENT_ITEM, ITEM

QINGSHAN = "330199101000"


def _item_id(app, code):
    with app.app_context():
        return db.session.scalar(select(PowerItem.id).where(PowerItem.code == code))


def test_the_guide_page_links_to_the_online_application(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    guide = client.get(f"/catalog/items/{_item_id(app, ITEM)}").get_data(as_text=True)
    link = f'href="/portal/apply/{QINGSHAN}/{ITEM}"'
    assert link in guide and "在线申请" in guide
    assert client.get(f"/portal/apply/{QINGSHAN}/{ITEM}").status_code == 302  # to the sign-in, then the form
    enforcement = client.get(f"/catalog/items/{_item_id(app, ENFORCEMENT_ITEM)}").get_data(as_text=True)
    assert "/portal/apply/" not in enforcement and "在线申请" not in enforcement
