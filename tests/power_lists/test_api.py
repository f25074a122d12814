"""The power list JSON API: public reads on the demo list, legal-affairs writes with bearer tokens."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from power_lists.demo import demo_document
from power_lists.files import write_xlsx
from power_lists.models import PowerItem, PowerListVersion
from service_hall.extensions import db
from tests.factories.places import QINGSHAN
from tests.factories.power_list import document, sample_item
from tests.factories.web import api_token


def test_public_reads(app, client, demo_list, fixed_now):
    versions = client.get("/api/v1/power-lists/versions").get_json()
    assert [v["number"] for v in versions] == [1] and versions[0]["status"] == "published"
    assert versions[0]["effective_from"] == "2026-01-01" and versions[0]["item_count"] >= 40
    full = client.get(f"/api/v1/power-lists/versions/{versions[0]['id']}").get_json()
    assert full["format_version"] == 1 and len(full["items"]) == versions[0]["item_count"]
    town = client.get(f"/api/v1/power-lists/towns/{QINGSHAN}/items?on=2026-05-01").get_json()
    codes = [i["code"] for i in town["items"]]
    assert "330199-XK-001" in codes and "330199-XK-004" not in codes and "330199-XK-006" not in codes
    later = client.get(f"/api/v1/power-lists/towns/{QINGSHAN}/items?on=2026-07-01").get_json()
    assert "330199-XK-006" in [i["code"] for i in later["items"]]  # 青山镇 receives it from 2026-07-01
    homestead = next(i for i in town["items"] if i["code"] == "330199-XK-001")
    item = client.get(f"/api/v1/power-lists/items/{homestead['id']}").get_json()
    assert item["guide"]["statutory_days"] == 20 and item["opens_application"] is True
    assert client.get("/api/v1/power-lists/items/999999").status_code == 404
    assert client.get("/api/v1/power-lists/towns/330199999000/items").get_json()["message"] == "区划不存在"
    diff = client.get("/api/v1/power-lists/diff?from=1&to=1").get_json()
    assert diff == {"old_label": "第1版", "new_label": "第1版", "added": [], "revoked": [], "changed": []}
    spec = client.get("/api/openapi.json").get_json()
    assert "/api/v1/power-lists/imports" in spec["paths"]
    assert "/api/v1/power-lists/towns/{code}/items" in spec["paths"]


def test_import_submit_publish_with_tokens(app, client, demo_list, legal, fixed_now):
    drafter = api_token(client, "fz1")
    reviewer = api_token(client, "fz2")
    bad = document(sample_item("A"), sample_item("A", power_type="unknown"))
    resp = client.post("/api/v1/power-lists/imports", json=bad, headers=drafter)
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]
    assert any("与第1项重复" in e for e in errors) and any("power_type" in e for e in errors)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PowerListVersion)) == 1
    doc = demo_document()
    doc["items"] = doc["items"][:10]
    resp = client.post("/api/v1/power-lists/imports", headers=drafter, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(write_xlsx(doc)), "list.xlsx")})
    assert resp.status_code == 201, resp.get_json()
    version = resp.get_json()
    assert version["status"] == "draft" and version["item_count"] == 10
    again = client.post("/api/v1/power-lists/imports", json=document(sample_item()), headers=drafter)
    assert again.status_code == 409 and "已有未发布的第2版" in again.get_json()["message"]
    url = f"/api/v1/power-lists/versions/{version['id']}"
    assert client.post(url + "/submit", json={}, headers=drafter).get_json()["status"] == "in_review"
    own = client.post(url + "/publish", json={"effective_from": "2027-01-01"}, headers=drafter)
    assert own.status_code == 403 and "不能审核发布自己起草或提交的清单" in own.get_json()["message"]
    missing = client.post(url + "/publish", json={}, headers=reviewer)
    assert missing.status_code == 422
    ok = client.post(url + "/publish", json={"effective_from": "2027-01-01"}, headers=reviewer)
    assert ok.status_code == 200 and ok.get_json()["status"] == "published"
    diff = client.get("/api/v1/power-lists/diff?from=1&to=2").get_json()
    assert len(diff["revoked"]) == len(demo_document()["items"]) - 10
    # Published: submitting again is a conflict.
    assert client.post(url + "/submit", json={}, headers=drafter).status_code == 409


def test_writes_need_the_legal_role(app, client, demo_list, factory):
    factory.staff("clerk9", "clerk", QINGSHAN)
    headers = api_token(client, "clerk9")
    resp = client.post("/api/v1/power-lists/imports", data=json.dumps(document(sample_item())),
                       content_type="application/json", headers=headers)
    assert resp.status_code == 403
    assert client.post("/api/v1/power-lists/imports", json=document(sample_item())).status_code == 401
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PowerItem)) == len(demo_document()["items"])
