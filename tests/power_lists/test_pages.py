"""Legal-affairs pages and public pages, through HTTP like a browser (CSRF tokens, no JavaScript)."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import select

from power_lists.demo import demo_document
from power_lists.files import write_csv, write_xlsx
from power_lists.models import PendingImport, PowerItem, PowerListVersion, VersionStatus
from service_hall.extensions import db
from tests.factories.database import count_rows
from tests.factories.jobs import follow_job
from tests.factories.places import QINGSHAN
from tests.factories.power_list import document, sample_item
from tests.factories.web import csrf_token, login, post_form


def _upload(client, name: str, data: bytes):
    """Upload a list file and follow its import job to the preview (a redirect) or the errors (422)."""
    token = csrf_token(client, "/legal/import")
    resp = client.post("/legal/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")
    assert resp.status_code == 302 and "/legal/import/jobs/" in resp.headers["Location"]
    return follow_job(client, resp.headers["Location"])


def _version_id(app, number: int) -> int:
    with app.app_context():
        return db.session.scalar(select(PowerListVersion.id).where(PowerListVersion.number == number))


@pytest.mark.committing
def test_import_preview_confirm_review_publish(app, client, demo_list, legal, fixed_now):
    login(client, "fz1")
    changed = demo_document()
    changed["items"] = changed["items"][1:]  # revoke the first
    changed["items"][0]["name"] = "乡村建设规划许可证核发（修订）"
    changed["items"].append(json.loads(json.dumps(document(sample_item("330199-XK-950"))["items"][0])))
    changed["items"][-1].update({"sub_item": "", "implementing_basis": [], "responsibilities": {},
                                 "accepts_applications": False, "two_reviewers": False, "separate_decider": False,
                                 "note": ""})
    resp = _upload(client, "新清单.xlsx", write_xlsx(changed_canonical(changed)))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    preview_url = resp.headers["Location"]
    cookie = client.get_cookie("session", domain="localhost")
    assert cookie is not None and len(cookie.value) < 400  # the parsed file is kept server-side
    assert "/legal/import/" in preview_url
    page = client.get(preview_url).get_data(as_text=True)
    assert "新增 1 项，取消 1 项，变更 1 项" in page
    assert "乡村建设规划许可证核发（修订）" in page and "农村村民宅基地审批" in page
    assert count_rows(app, PowerListVersion) == 1  # nothing imported before confirming
    token = preview_url.rsplit("/", 1)[-1]
    with app.app_context():
        assert db.session.scalar(select(PendingImport.filename).where(PendingImport.token == token)) == "新清单.xlsx"
    resp = post_form(client, preview_url, {}, action=f"/legal/import/{token}/confirm")
    assert resp.status_code == 302
    v2 = _version_id(app, 2)
    assert count_rows(app, PendingImport) == 0
    resp = post_form(client, f"/legal/versions/{v2}", {}, action=f"/legal/versions/{v2}/submit")
    assert resp.status_code == 302
    # The drafter cannot approve their own draft.
    resp = post_form(client, f"/legal/versions/{v2}/review", {"decision": "publish", "effective_from": "2027-01-01"})
    assert resp.status_code == 403
    assert "不能审核发布自己起草或提交的清单" in resp.get_data(as_text=True)
    other = app.test_client()
    login(other, "fz2")
    review_page = other.get(f"/legal/versions/{v2}/review").get_data(as_text=True)
    assert "新增 1 项，取消 1 项，变更 1 项" in review_page
    resp = post_form(other, f"/legal/versions/{v2}/review", {"decision": "publish", "effective_from": "2026-01-01"})
    assert resp.status_code == 422 and "生效日期" in resp.get_data(as_text=True)
    resp = post_form(other, f"/legal/versions/{v2}/review", {"decision": "publish", "effective_from": "2027-01-01"})
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(PowerListVersion, v2).status is VersionStatus.PUBLISHED
    # Published: editing is refused with 409.
    with app.app_context():
        item_id = db.session.scalar(select(PowerItem.id).where(PowerItem.version_id == v2).limit(1))
    resp = post_form(client, f"/legal/versions/{v2}", {"reason": "x"},
                     action=f"/legal/versions/{v2}/items/{item_id}/revoke")
    assert resp.status_code == 409 and "已发布的清单版本不可修改" in resp.get_data(as_text=True)
    assert client.get(f"/legal/versions/{v2}/items/{item_id}/edit").status_code == 409
    diff_page = client.get(f"/legal/diff?old={_version_id(app, 1)}&new={v2}").get_data(as_text=True)
    assert "取消（收回）事项" in diff_page


def changed_canonical(doc):
    from power_lists.document import validate_document

    return validate_document(doc)


@pytest.mark.committing
def test_bad_upload_lists_every_problem_and_changes_nothing(app, client, demo_list, legal, fixed_now):
    login(client, "fz1")
    doc = demo_document()
    doc["items"][1]["code"] = doc["items"][0]["code"]
    doc["items"][2]["guide"]["promised_days"] = 99
    doc["items"][3]["delegations"][0]["town"] = "330199999000"
    data = write_csv(doc).decode("utf-8-sig").replace(",行政处罚,", ",行政惩罚,", 1).encode("gbk")
    before = (count_rows(app, PowerListVersion), count_rows(app, PowerItem), count_rows(app, PendingImport))
    resp = _upload(client, "清单.csv", data)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "第3行" in page and "与第2行重复" in page
    assert "承诺办结时限（99个工作日）不得超过法定办结时限" in page
    assert "区划代码 330199999000 不是本县的乡镇（街道）" in page
    assert "未知的职权类型“行政惩罚”" in page
    assert (count_rows(app, PowerListVersion), count_rows(app, PowerItem), count_rows(app, PendingImport)) == before
    resp = _upload(client, "清单.xlsx", b"\x89PNG\r\n\x1a\nxxxxxxxx")
    assert resp.status_code == 422 and "PNG 图片" in resp.get_data(as_text=True)


def test_edit_a_draft_with_the_item_form(app, client, demo_list, legal, fixed_now):
    login(client, "fz1")
    resp = post_form(client, "/legal/", {}, action="/legal/versions")
    assert resp.status_code == 302
    v2 = _version_id(app, 2)
    form = {"name": "新增的许可事项", "code": "330199-XK-960", "power_type": "licensing",
            "delegation_mode": "entrusted", "original_department": "清溪县住房和城乡建设局",
            "receiving_body": "乡镇人民政府", "setting_basis": "《城市道路管理条例》第三十一条",
            "delegations": f"{QINGSHAN} 青山镇（2027-03-01至）\n白沙镇",
            "accountability": "late_decision：逾期未作出决定的",
            "accountability_basis": "late_decision：《中华人民共和国行政许可法》第七十四条",
            "has_guide": "1", "guide.case_type": "promised", "guide.statutory_days": "20", "guide.promised_days": "30",
            "guide.materials": "M01｜申请书", "guide.visits": "0", "guide.online_depth": "4"}
    page = f"/legal/versions/{v2}/items/new"
    resp = post_form(client, page, form)
    assert resp.status_code == 422
    assert "承诺办结时限（30个工作日）不得超过法定办结时限（20个工作日）" in resp.get_data(as_text=True)
    resp = post_form(client, page, {**form, "guide.promised_days": "5"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[-3000:]
    item_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    edit = f"/legal/versions/{v2}/items/{item_id}/edit"
    html = client.get(edit).get_data(as_text=True)
    assert "330199101000 青山镇（2027-03-01至）" in html
    assert re.search(r'<option value="entrusted" selected>', html)
    resp = post_form(client, edit, {**form, "guide.promised_days": "5", "name": "改过的名称"})
    assert resp.status_code == 302
    with app.app_context():
        item = db.session.get(PowerItem, item_id)
        assert item.name == "改过的名称"
        assert {d.town.code: d.valid_from.isoformat() if d.valid_from else None for d in item.delegations} == {
            QINGSHAN: "2027-03-01", "330199102000": None}
    resp = post_form(client, f"/legal/versions/{v2}", {"reason": "上级收回"},
                     action=f"/legal/versions/{v2}/items/{item_id}/revoke")
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(PowerItem, item_id) is None
        assert db.session.get(PowerListVersion, v2).revocations[-1]["reason"] == "上级收回"
    listing = client.get(f"/legal/versions/{v2}?q=宅基地").get_data(as_text=True)
    assert "农村村民宅基地审批" in listing and "临时救助" not in listing


def test_export_downloads(app, client, demo_list, legal):
    login(client, "fz1")
    v1 = _version_id(app, 1)
    for fmt, mime in (("json", "application/json"), ("csv", "text/csv"), ("xlsx", "spreadsheetml")):
        resp = client.get(f"/legal/versions/{v1}/export/{fmt}")
        assert resp.status_code == 200 and mime in resp.headers["Content-Type"]
    assert client.get(f"/legal/versions/{v1}/export/pdf").status_code == 404


def test_the_csv_export_states_its_charset_once(app, client, demo_list, legal):
    login(client, "fz1")
    resp = client.get(f"/legal/versions/{_version_id(app, 1)}/export/csv")
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_town_staff_cannot_reach_legal_pages(app, client, demo_list, factory):
    factory.staff("clerk9", "clerk", QINGSHAN)
    login(client, "clerk9")
    assert client.get("/legal/").status_code == 403


def test_public_pages_on_the_demo_list(app, client, demo_list, fixed_now):
    home = client.get("/").get_data(as_text=True)
    assert f'href="/catalog/towns/{QINGSHAN}"' in home
    town = client.get(f"/catalog/towns/{QINGSHAN}").get_data(as_text=True)
    assert "青山镇承接的行政权力事项" in town
    assert town.index("行政许可（") < town.index("行政处罚（") < town.index("行政检查（")
    assert "农村村民宅基地审批" in town and "大型户外广告设置审批" not in town  # 城区 only
    assert "青山镇人民政府" in town and "清溪县住房和城乡建设局" in town  # acting authority by mode
    before = client.get(f"/catalog/towns/{QINGSHAN}?on=2025-12-31").get_data(as_text=True)
    assert "尚无生效的清单" in before
    with app.app_context():
        item_id = db.session.scalar(select(PowerItem.id).where(PowerItem.code == "330199-XK-001"))
    guide = client.get(f"/catalog/items/{item_id}").get_data(as_text=True)
    for text in ("办事指南", "农村宅基地和建房（规划许可）申请表", "20 个工作日", "10 个工作日", "不收费",
                 "《中华人民共和国土地管理法》第六十二条"):
        assert text in guide
    history = client.get("/catalog/versions").get_data(as_text=True)
    assert "第1版" in history
    v1 = _version_id(app, 1)
    changes = client.get(f"/catalog/versions/{v1}").get_data(as_text=True)
    assert "新增事项" in changes and "农村村民宅基地审批" in changes
    entrust = client.get("/catalog/entrustments").get_data(as_text=True)
    assert "委托机关：清溪县住房和城乡建设局" in entrust and "不得再委托" in entrust
    schema = client.get("/power-lists/schema.json")
    assert schema.status_code == 200 and schema.get_json()["properties"]["format_version"]["enum"] == [1]


def test_draft_items_are_not_public(app, client, demo_list, legal, fixed_now):
    login(client, "fz1")
    post_form(client, "/legal/", {}, action="/legal/versions")
    with app.app_context():
        draft_item = db.session.scalar(select(PowerItem.id).join(PowerListVersion)
                                       .where(PowerListVersion.number == 2).limit(1))
    anonymous = app.test_client()
    assert anonymous.get(f"/catalog/items/{draft_item}").status_code == 404
    assert anonymous.get(f"/catalog/versions/{_version_id(app, 2)}").status_code == 404


def test_supervisor_reads_but_cannot_edit(app, client, demo_list, factory):
    factory.staff("jd1", "supervisor", "330199000000")
    login(client, "jd1")
    index = client.get("/legal/").get_data(as_text=True)
    assert "第1版" in index and "基于现行版本新建草稿" not in index
    page = client.get(f"/legal/versions/{_version_id(app, 1)}").get_data(as_text=True)
    assert "农村村民宅基地审批" in page and "提交法制审核" not in page and "委托事项公告" in page
    assert post_form(client, "/legal/", {}, action="/legal/versions").status_code == 403


def test_every_input_is_labelled_and_no_inline_script_or_style(app, client, demo_list, legal, fixed_now):
    login(client, "fz1")
    post_form(client, "/legal/", {}, action="/legal/versions")
    v1, v2 = _version_id(app, 1), _version_id(app, 2)
    with app.app_context():
        draft_item = db.session.scalar(select(PowerItem.id).where(PowerItem.version_id == v2).limit(1))
        public_item = db.session.scalar(select(PowerItem.id).where(PowerItem.version_id == v1).limit(1))
    pages = ["/legal/", f"/legal/versions/{v2}", f"/legal/versions/{v2}/items/new", "/legal/import",
             f"/legal/diff?old={v1}&new={v2}", f"/legal/versions/{v2}/items/{draft_item}/edit",
             f"/legal/versions/{v2}/items/{draft_item}", "/catalog/", f"/catalog/towns/{QINGSHAN}",
             "/catalog/entrustments", "/catalog/versions", f"/catalog/versions/{v1}", f"/catalog/items/{public_item}"]
    control = re.compile(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*>')
    for page in pages:
        resp = client.get(page)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, page
        # Scripts come from static files only (the CSP allows no inline script), styles from the stylesheets.
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "style=" not in html, page
        for tag in control.findall(html):
            found = re.search(r'\sid="([^"]+)"', tag)
            assert found and f'for="{found.group(1)}"' in html, (page, tag)
    assert client.get(f"/legal/versions/{v2}/items/{public_item}/edit").status_code == 404  # other version's item


def test_a_first_version_is_not_compared_with_nothing_and_its_title_names_the_edition_once(app, client, demo_list,
                                                                                         legal):
    page = client.get(f"/catalog/versions/{_version_id(app, 1)}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "本版本为首次发布" in body
    assert "与（无）相比" not in body and "（第1版）（第1版）" not in body
