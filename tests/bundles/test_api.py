"""一件事 through the JSON API: the bundles in force (by town) and one bundle's combined guide, public;
an applicant submits one with one set of values and uploads, once."""

from __future__ import annotations

import io

import pytest

from service_hall.bundles import versions
from service_hall.extensions import db
from tests.factories.accounts import user
from tests.factories.bundles import HOMESTEAD, PLANNING, RURAL_MATERIALS, demo_world, rural_housing, rural_values
from tests.factories.clock import NOW
from tests.factories.files import PDF
from tests.factories.places import BAISHA, COUNTY, QINGSHAN, jurisdiction
from tests.factories.web import api_token

APPLICANT = "13800000001"


@pytest.fixture
def published(app):
    demo_world(app)
    with app.app_context():
        draft = versions.save_draft(db.session, jurisdiction(COUNTY), rural_housing(), actor=user("legal"), now=NOW)
        versions.publish(db.session, draft, actor=user("legal2"), now=NOW)
        db.session.commit()


def test_the_bundles_of_a_town_and_one_combined_guide(app, published):
    client = app.test_client()
    listed = client.get(f"/api/v1/bundles?town={QINGSHAN}")
    assert listed.status_code == 200
    [bundle] = listed.get_json()
    assert (bundle["code"], bundle["name"], bundle["theme_label"]) == ("rural-housing", "农村建房一件事", "农村建房")
    assert bundle["items"] == [{"code": HOMESTEAD, "after": []}, {"code": PLANNING, "after": [HOMESTEAD]}]
    assert client.get(f"/api/v1/bundles?town={BAISHA}").get_json() == []  # 白沙镇 does not offer it
    assert [b["code"] for b in client.get("/api/v1/bundles").get_json()] == ["rural-housing"]

    detail = client.get(f"/api/v1/bundles/rural-housing?town={QINGSHAN}")
    assert detail.status_code == 200
    body = detail.get_json()
    guide = body["guide"]
    assert body["town"] == QINGSHAN
    assert [i["code"] for i in guide["items"]] == [HOMESTEAD, PLANNING]
    assert guide["items"][1]["after"] == [HOMESTEAD]
    # Materials once: the 身份证 listed a single time, for both items.
    id_cards = [m for m in guide["materials"] if m["name"] == "居民身份证"]
    assert len(id_cards) == 1 and id_cards[0]["shared"] and len(id_cards[0]["items"]) == 2
    names = {i["code"]: i for i in guide["items"]}
    # The planning permit waits for the homestead decision: the critical path is both in a row.
    assert guide["promised_days"] == names[HOMESTEAD]["promised_days"] + names[PLANNING]["promised_days"]
    assert guide["critical_path"] == [names[HOMESTEAD]["name"], names[PLANNING]["name"]]
    assert guide["visits"] == max(i["visits"] for i in guide["items"])


def test_unknown_bundles_and_towns_are_a_404_in_chinese(app, published):
    client = app.test_client()
    for path, message in ((f"/api/v1/bundles/nothing?town={QINGSHAN}", "未找到该一件事"),
                          (f"/api/v1/bundles/rural-housing?town={BAISHA}", "该乡镇（街道）不办理此一件事"),
                          ("/api/v1/bundles?town=999999999999", "区划不存在"),
                          (f"/api/v1/bundles?town={COUNTY}", "未找到该乡镇（街道）")):
        resp = client.get(path)
        assert resp.status_code == 404, path
        assert message in resp.get_data(as_text=True), path


def test_an_applicant_submits_a_bundle_through_the_api_once(app, published):
    client = app.test_client()
    me = api_token(client, APPLICANT)
    files = {}
    for n, code in enumerate(RURAL_MATERIALS):
        up = client.post("/api/v1/files", headers=me, content_type="multipart/form-data",
                         data={"material_name": code, "file": (io.BytesIO(PDF + bytes([n])), f"{code}.pdf")})
        assert up.status_code == 201, up.get_json()
        files[code] = up.get_json()["id"]
    body = {"town_code": QINGSHAN, "values": rural_values(), "materials": files, "submission_key": "api-bundle-1"}
    resp = client.post("/api/v1/bundles/rural-housing/applications", json=body, headers=me)
    assert resp.status_code == 201, resp.get_json()
    made = resp.get_json()
    assert (made["bundle_code"], made["town_code"], made["delivery"]) == ("rural-housing", QINGSHAN, "together")
    assert [c["item_code"] for c in made["cases"]] == [HOMESTEAD, PLANNING]
    assert [c["status_label"] for c in made["cases"]] == ["已提交，待受理", "等待前置事项办结"]
    # Each item case is the applicant's own, as any application.
    one = client.get(f"/api/v1/applications/{made['cases'][0]['ref']}", headers=me)
    assert one.status_code == 200 and one.get_json()["case_number"] == made["cases"][0]["case_number"]
    again = client.post("/api/v1/bundles/rural-housing/applications", json=body, headers=me)
    assert again.status_code == 200 and again.get_json()["number"] == made["number"]  # a retry, not a second one


def test_a_bad_bundle_application_is_refused_with_every_reason_in_chinese(app, published):
    client = app.test_client()
    me = api_token(client, APPLICANT)
    resp = client.post("/api/v1/bundles/rural-housing/applications", headers=me, json={
        "town_code": QINGSHAN, "values": rural_values(s_applicant_id="12345"), "materials": {"S-id_card": 999999},
        "submission_key": "api-bundle-2"})
    assert resp.status_code == 422
    assert "所选材料不存在" in resp.get_data(as_text=True)
    wrong_town = client.post("/api/v1/bundles/rural-housing/applications", headers=me, json={
        "town_code": BAISHA, "values": rural_values(), "materials": {}, "submission_key": "api-bundle-3"})
    assert wrong_town.status_code == 404
    bad = client.post("/api/v1/bundles/rural-housing/applications", headers=me, json={
        "town_code": QINGSHAN, "delivery": "later", "submission_key": "api-bundle-4"})
    assert bad.status_code == 422 and "出件方式不正确" in bad.get_data(as_text=True)
    anonymous = app.test_client().post("/api/v1/bundles/rural-housing/applications", json={})
    assert anonymous.status_code == 401
