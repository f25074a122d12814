"""The form designer over HTTP, on the example county's imported list: an imported item applies through the
form generated from its guide; legal affairs design a form step by step (every operation and its
refusals), a second person publishes it, an applicant applies through it, and applications keep the
version they were made with. Also the public forms API and the ``forms`` commands."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import select

from forms.models import FormDefinitionVersion, FormStatus
from power_lists.models import PowerItem
from service_hall.cases.models import Application
from service_hall.extensions import db
from tests.factories.accounts import valid_id
from tests.factories.files import PDF
from tests.factories.web import csrf_token, login, post_form
from tests.golive.conftest import SANXI
from tests.golive.support import go_live

REBUILD = "Z330188-B3D3803041"  # 农村村民宅基地审批（原址翻建住宅）: imported, guide complete, no form
DESIGN = f"/legal/forms/{REBUILD}"
APPLY = f"/portal/apply/{SANXI}/{REBUILD}"
APPLICANT_ID = valid_id("33018819800101001")


@pytest.fixture
def world(app, runner, factory, county):
    go_live(runner, factory)
    factory.applicant(mobile="13901889999", name="赵云岭", id_number=APPLICANT_ID)
    factory.staff("clerk-sanxi", "clerk", SANXI)
    return app


def _client(app, username):
    client = app.test_client()
    login(client, username)
    return client


def _post(client, action, data=None, page=DESIGN, **kwargs):
    return post_form(client, page, data or {}, action=action, **kwargs)


def _versions(app):
    with app.app_context():
        return [(v.version, v.status, v.drafted_by_id, v.published_by_id) for v in db.session.scalars(
            select(FormDefinitionVersion).where(FormDefinitionVersion.item_code == REBUILD)
            .order_by(FormDefinitionVersion.version))]


def _draft(app):
    with app.app_context():
        row = db.session.scalar(select(FormDefinitionVersion).where(
            FormDefinitionVersion.item_code == REBUILD, FormDefinitionVersion.status == FormStatus.DRAFT))
        return dict(row.definition) if row is not None else None


def _apply(client, **fields):
    body = client.get(APPLY).get_data(as_text=True)
    key = re.search(r'name="submission_key" value="([^"]+)"', body).group(1)
    data = {"csrf_token": csrf_token(client, APPLY), "submission_key": key, "applicant_name": "赵云岭",
            "applicant_id": APPLICANT_ID, "mobile": "13901889999", "pledge": "on",
            "material-M01": (io.BytesIO(PDF), "申请表.pdf"), **fields}
    return client.post(APPLY, content_type="multipart/form-data", data=data)


def _design_area_rule(legal):
    """legal-a: two number fields and the rule 建筑面积 ≤ 面积上限, on top of the generated form."""
    for name, label in (("building_area", "建筑面积"), ("area_limit", "面积上限")):
        resp = _post(legal, f"{DESIGN}/fields", {"type": "number", "name": name, "label": label})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        path = resp.headers["Location"].rsplit("/", 1)[1]
        resp = _post(legal, f"{DESIGN}/fields/{path}", {"type": "number", "name": name, "label": label,
                                                        "required": "1", "min": "1", "max": "500", "unit": "平方米"},
                     page=f"{DESIGN}/fields/{path}")
        assert resp.status_code == 302, resp.get_data(as_text=True)[:800]
    resp = _post(legal, f"{DESIGN}/rules/new", {"field": "building_area", "check": "building_area <= area_limit",
                                                "message": "建筑面积不能超过面积上限"}, page=f"{DESIGN}/rules/new")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:800]


def test_an_imported_item_applies_through_the_form_generated_from_its_guide(world):
    person = _client(world, "13901889999")
    page = person.get(APPLY).get_data(as_text=True)
    assert "申请人信息" in page and "本人（本单位）承诺" in page
    assert 'value="赵云岭"' in page  # the applicant block is prefilled from the account
    refused = _apply(person, pledge="")
    assert refused.status_code == 422 and "请勾选此项" in refused.get_data(as_text=True)
    resp = _apply(person)
    assert resp.status_code == 302, re.findall(r"<li>(.*?)</li>", resp.get_data(as_text=True))[:8]
    with world.app_context():
        case = db.session.scalars(select(Application)).one()
        assert case.form_definition_id is None and case.data["applicant_name"] == "赵云岭"
        assert case.data["pledge"] is True
        ref = case.ref
    shown = person.get(f"/portal/applications/{ref}").get_data(as_text=True)
    assert "无表单数据" not in shown and "申请人姓名" in shown and "赵云岭" in shown


def test_legal_affairs_design_a_second_person_publishes_and_the_applicant_applies(world):
    legal_a, legal_b = _client(world, "legal-a"), _client(world, "legal-b")
    with world.app_context():
        item = db.session.scalars(select(PowerItem).where(PowerItem.code == REBUILD)).first()
        version_id, item_pk = item.version_id, item.id
    assert f'href="{DESIGN}"' in legal_a.get(f"/legal/versions/{version_id}/items/{item_pk}").get_data(as_text=True)
    listing = legal_a.get("/legal/forms").get_data(as_text=True)
    assert REBUILD in listing and "默认表单（由办事指南生成）" in listing
    page = legal_a.get(DESIGN).get_data(as_text=True)
    assert "由办事指南生成的默认表单（尚未设计）" in page and "申请人姓名" in page
    _design_area_rule(legal_a)
    draft = _draft(world)
    assert [f["name"] for f in draft["fields"]][-2:] == ["building_area", "area_limit"]
    assert draft["rules"][0]["check"] == "building_area <= area_limit"

    # The preview checks like the applicant form, the rule included, and stores nothing.
    preview = _post(legal_a, f"{DESIGN}/preview", {"building_area": "180", "area_limit": "150"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 422 and "建筑面积不能超过面积上限" in text

    # The drafter cannot publish; another legal officer can.
    own = _post(legal_a, f"{DESIGN}/publish")
    assert own.status_code == 403 and "不能发布自己起草的表单" in own.get_data(as_text=True)
    assert _versions(world)[0][1] == FormStatus.DRAFT
    resp = _post(legal_b, f"{DESIGN}/publish")
    assert resp.status_code == 302
    [(number, status, drafted, published)] = _versions(world)
    assert (number, status) == (1, FormStatus.PUBLISHED) and drafted != published
    with world.app_context():
        from service_hall.audit.models import AuditRecord

        trail = [(r.action, r.actor_id, r.payload["version"]) for r in db.session.scalars(
            select(AuditRecord).where(AuditRecord.object_type == "form", AuditRecord.object_id == REBUILD)
            .order_by(AuditRecord.seq))]
    assert trail[-1] == ("form.publish", published, 1) and {a for a, _, _ in trail} == {"form.save_draft",
                                                                                        "form.publish"}

    person = _client(world, "13901889999")
    assert "建筑面积" in person.get(APPLY).get_data(as_text=True)
    refused = _apply(person, building_area="180", area_limit="150")
    assert refused.status_code == 422 and "建筑面积不能超过面积上限" in refused.get_data(as_text=True)
    resp = _apply(person, building_area="120", area_limit="150")
    assert resp.status_code == 302, re.findall(r"<li>(.*?)</li>", resp.get_data(as_text=True))[:8]

    # A later version does not change the application made with version 1.
    _post(legal_b, f"{DESIGN}/fields", {"type": "text", "name": "site_note", "label": "四至说明"})
    assert _post(legal_a, f"{DESIGN}/publish").status_code == 302
    with world.app_context():
        case = db.session.scalars(select(Application)).one()
        pinned = db.session.get(FormDefinitionVersion, case.form_definition_id)
        assert pinned.version == 1 and "site_note" not in json.dumps(pinned.definition)
        ref = case.ref
    shown = person.get(f"/portal/applications/{ref}").get_data(as_text=True)
    assert "建筑面积" in shown and "120 平方米" in shown


def test_fields_move_edit_and_go_and_versions_are_compared(world):
    legal = _client(world, "legal-a")
    _design_area_rule(legal)
    names = [f["name"] for f in _draft(world)["fields"]]
    last = len(names) - 1
    assert _post(legal, f"{DESIGN}/fields/{last}/move", {"direction": "up"}).status_code == 302
    assert [f["name"] for f in _draft(world)["fields"]][-2:] == ["area_limit", "building_area"]
    order = ",".join(str(i) for i in [*range(last - 1), last, last - 1])
    assert _post(legal, f"{DESIGN}/reorder", {"order": order}).status_code == 302
    assert [f["name"] for f in _draft(world)["fields"]][-2:] == ["building_area", "area_limit"]
    # A table with a column, a section, a choice with a condition.
    resp = _post(legal, f"{DESIGN}/fields", {"type": "table", "name": "members", "label": "家庭成员"})
    table = resp.headers["Location"].rsplit("/", 1)[1]
    assert _post(legal, f"{DESIGN}/fields", {"type": "id_number", "name": "member_id", "label": "身份证号码",
                                             "table": table}).status_code == 302
    assert _post(legal, f"{DESIGN}/fields/{table}", {"type": "table", "name": "members", "label": "家庭成员",
                                                     "min_rows": "1", "max_rows": "8"},
                 page=f"{DESIGN}/fields/{table}").status_code == 302
    members = _draft(world)["fields"][int(table)]
    assert [c["name"] for c in members["fields"]] == ["content", "member_id"] and members["max_rows"] == 8
    assert _post(legal, f"{DESIGN}/fields/{table}.0/delete").status_code == 302
    assert [c["name"] for c in _draft(world)["fields"][int(table)]["fields"]] == ["member_id"]
    resp = _post(legal, f"{DESIGN}/fields", {"type": "choice", "name": "marital", "label": "婚姻状况"})
    choice = resp.headers["Location"].rsplit("/", 1)[1]
    assert _post(legal, f"{DESIGN}/fields/{choice}", {
        "type": "choice", "name": "marital", "label": "婚姻状况", "options": "single=未婚\nmarried=已婚",
        "help": "按户口簿填写"}, page=f"{DESIGN}/fields/{choice}").status_code == 302
    resp = _post(legal, f"{DESIGN}/fields", {"type": "text", "name": "spouse_name", "label": "配偶姓名"})
    spouse = resp.headers["Location"].rsplit("/", 1)[1]
    assert _post(legal, f"{DESIGN}/fields/{spouse}", {
        "type": "text", "name": "spouse_name", "label": "配偶姓名", "required": "1", "show_if_field": "marital",
        "show_if_values": "married"}, page=f"{DESIGN}/fields/{spouse}").status_code == 302
    assert _draft(world)["fields"][int(spouse)]["show_if"] == {"field": "marital", "equals": "married"}
    page = legal.get(DESIGN).get_data(as_text=True)
    assert "仅当「婚姻状况」为「已婚」时填写" in page  # the preview, rendered like the applicant form
    assert _post(legal, f"{DESIGN}/meta", {"title": "宅基地翻建申请表", "description": "原址翻建"}).status_code == 302
    assert _draft(world)["title"] == "宅基地翻建申请表"
    assert _post(legal, f"{DESIGN}/rules/0/delete").status_code == 302
    assert "rules" not in _draft(world)
    assert _post(legal, f"{DESIGN}/fields/{spouse}/delete").status_code == 302

    assert _post(_client(world, "legal-b"), f"{DESIGN}/publish").status_code == 302
    diff = legal.get(f"{DESIGN}/diff?old=generated&new=1").get_data(as_text=True)
    assert "新增" in diff and "字段「建筑面积」（building_area）" in diff and "表单标题" in diff
    assert "「家庭成员」" in diff


@pytest.mark.parametrize(("data", "message"), [
    ({"type": "text", "name": "applicant_name", "label": "重名"}, "字段名「applicant_name」与 fields[1] 重复</p>"),
    ({"type": "text", "name": "Bad Name", "label": "坏名"}, "字段名只能由小写字母"),
    ({"type": "", "name": "x", "label": "x"}, "请选择字段类型"),
])
def test_adding_a_bad_field_is_refused_with_its_place(world, data, message):
    legal = _client(world, "legal-a")
    resp = _post(legal, f"{DESIGN}/fields", data)
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert _versions(world) == []  # nothing stored


def test_a_field_edit_is_refused_next_to_its_input(world):
    legal = _client(world, "legal-a")
    _design_area_rule(legal)
    fields = _draft(world)["fields"]
    path = str(len(fields) - 1)
    edit = f"{DESIGN}/fields/{path}"
    for data, message in (
        ({"type": "number", "name": "area_limit", "label": "面积上限", "min": "9", "max": "1"}, "最小值不能大于最大值"),
        ({"type": "number", "name": "area_limit", "label": "面积上限", "max_length": "abc"}, ""),
        ({"type": "number", "name": "area_limit", "label": "面积上限", "show_if_field": "ghost",
          "show_if_values": "x"}, "引用了不存在的字段「ghost」"),
        ({"type": "number", "name": "applicant_name", "label": "面积上限"}, "重复"),
        ({"type": "text", "name": "area_limit", "label": "面积上限"}, "不能比较数字与文本"),
    ):
        resp = _post(legal, edit, data, page=edit)
        text = resp.get_data(as_text=True)
        if not message:  # a key the type does not take is simply dropped: saved
            assert resp.status_code == 302
            continue
        assert resp.status_code == 422 and message in text, (data, re.findall(r'class="error"[^>]*>(.*?)<', text))
    assert _draft(world)["fields"][-1]["type"] == "number"


def test_removing_or_moving_a_field_that_others_need_is_refused(world):
    legal = _client(world, "legal-a")
    _design_area_rule(legal)
    before = _draft(world)
    limit = len(before["fields"]) - 1
    resp = _post(legal, f"{DESIGN}/fields/{limit}/delete")
    assert resp.status_code == 422 and "引用了不存在的字段「area_limit」" in resp.get_data(as_text=True)
    # The generated applicant_kind? No: a person-only item. Make a condition, then move its controller below.
    resp = _post(legal, f"{DESIGN}/fields", {"type": "boolean", "name": "has_spouse", "label": "已婚"})
    controller = int(resp.headers["Location"].rsplit("/", 1)[1])
    resp = _post(legal, f"{DESIGN}/fields", {"type": "text", "name": "spouse_name", "label": "配偶姓名"})
    dependent = resp.headers["Location"].rsplit("/", 1)[1]
    _post(legal, f"{DESIGN}/fields/{dependent}", {"type": "text", "name": "spouse_name", "label": "配偶姓名",
                                                  "show_if_field": "has_spouse", "show_if_values": "是"},
          page=f"{DESIGN}/fields/{dependent}")
    saved = _draft(world)
    resp = _post(legal, f"{DESIGN}/fields/{controller}/move", {"direction": "down"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "只能引用排在前面的字段" in text and "（配偶姓名）" in text
    assert _draft(world) == saved


@pytest.mark.parametrize(("data", "message"), [
    ({"check": "building_area <=", "message": "m", "field": "building_area"}, "第17个字符处：表达式不完整"),
    ({"check": "floor_area <= 1", "message": "m"}, "引用了不存在的字段「floor_area」"),
    ({"check": "exec('x')", "message": "m"}, "未知函数「exec」"),
    ({"check": "true", "message": ""}, "应为1到200个字符"),
])
def test_a_bad_rule_is_refused_at_its_input(world, data, message):
    legal = _client(world, "legal-a")
    _design_area_rule(legal)
    saved = _draft(world)
    resp = _post(legal, f"{DESIGN}/rules/new", data, page=f"{DESIGN}/rules/new")
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert _draft(world) == saved


def test_export_and_import_json_on_the_page(world):
    legal = _client(world, "legal-a")
    _design_area_rule(legal)
    exported = legal.get(f"{DESIGN}/export")
    assert exported.headers["Content-Type"].startswith("application/json")
    document = json.loads(exported.get_data(as_text=True))
    assert document["item_code"] == REBUILD and document["definition"]["rules"]
    _post(legal, f"{DESIGN}/discard")
    assert _draft(world) is None
    resp = _post(legal, f"{DESIGN}/import", {"definition_json": json.dumps(document, ensure_ascii=False)})
    assert resp.status_code == 302 and _draft(world) == document["definition"]
    # Uploaded as a file too.
    resp = _post(legal, f"{DESIGN}/import", {"file": (io.BytesIO(json.dumps(document).encode()), "form.json")},
                 content_type="multipart/form-data")
    assert resp.status_code == 302

    broken = json.loads(json.dumps(document))
    broken["definition"]["fields"].append({"name": "applicant_name", "label": "重名", "type": "text"})
    broken["definition"]["rules"].append({"check": "1 +", "message": "m"})
    for payload, message in (
        (json.dumps(broken), "与 fields[1] 重复"),
        ("{not json", "不是有效的 JSON"),
        (json.dumps({"item_code": "OTHER-1", "definition": document["definition"]}), "不是 " + REBUILD),
        ("[1, 2]", "应为表单定义对象"),
        ("[" * 100000 + "]" * 100000, "JSON 嵌套过深"),
    ):
        resp = _post(legal, f"{DESIGN}/import", {"definition_json": payload})
        assert resp.status_code == 422 and message in resp.get_data(as_text=True), payload
    assert _draft(world) == document["definition"]


def test_designer_access(world, factory):
    assert _client(world, "13901889999").get(DESIGN).status_code == 403
    assert _client(world, "clerk-sanxi").get("/legal/forms").status_code == 403
    factory.demo_jurisdictions()
    factory.staff("legal-elsewhere", "legal", "330199000000")
    assert _client(world, "legal-elsewhere").get(DESIGN).status_code == 404  # another county's item
    assert _client(world, "legal-a").get("/legal/forms/NO-SUCH-ITEM").status_code == 404
    assert _client(world, "legal-a").get(f"{DESIGN}/fields/99").status_code == 404
    assert _client(world, "legal-a").get(f"{DESIGN}/rules/5").status_code == 404
    assert _client(world, "legal-a").get(f"{DESIGN}/diff?old=7&new=8").status_code == 404


def test_rules_are_edited_and_the_other_steps_refuse_bad_input(world):
    legal = _client(world, "legal-a")
    _design_area_rule(legal)
    page = legal.get(f"{DESIGN}/rules/0").get_data(as_text=True)
    assert 'value="building_area &lt;= area_limit"' in page
    resp = _post(legal, f"{DESIGN}/rules/0", {"field": "building_area", "when": "present(area_limit)",
                                              "check": "building_area <= area_limit * 1.2",
                                              "message": "建筑面积不能超过面积上限的1.2倍"}, page=f"{DESIGN}/rules/0")
    assert resp.status_code == 302
    assert _draft(world)["rules"] == [{"field": "building_area", "when": "present(area_limit)",
                                       "check": "building_area <= area_limit * 1.2",
                                       "message": "建筑面积不能超过面积上限的1.2倍"}]
    resp = _post(legal, f"{DESIGN}/rules/0", {"field": "nowhere", "check": "true", "message": "m"},
                 page=f"{DESIGN}/rules/0")
    assert resp.status_code == 422 and "引用了不存在的字段「nowhere」" in resp.get_data(as_text=True)
    saved = _draft(world)
    assert _post(legal, f"{DESIGN}/reorder", {"order": "0,0,1"}).status_code == 422
    assert _post(legal, f"{DESIGN}/reorder", {"order": "a,b"}).status_code == 422
    resp = _post(legal, f"{DESIGN}/meta", {"title": "", "description": ""})
    assert resp.status_code == 422 and "应为1到100个字符" in resp.get_data(as_text=True)
    assert _post(legal, f"{DESIGN}/rules/3/delete").status_code == 404
    assert _draft(world) == saved
    ok = _post(legal, f"{DESIGN}/preview", {"applicant_name": "赵云岭", "applicant_id": APPLICANT_ID,
                                            "mobile": "13901889999", "pledge": "on", "building_area": "100",
                                            "area_limit": "90"})
    assert ok.status_code == 200 and 'id="preview-ok"' in ok.get_data(as_text=True)
    assert _draft(world) == saved  # the preview stores nothing
    assert _post(legal, f"{DESIGN}/discard").status_code == 302
    assert _post(legal, f"{DESIGN}/discard").status_code == 404


def test_publishing_without_a_draft_is_refused(world):
    resp = _post(_client(world, "legal-b"), f"{DESIGN}/publish")
    assert resp.status_code == 404 and "没有待发布的表单草稿" in resp.get_data(as_text=True)


# --- the public API ------------------------------------------------------------------------------------


def test_the_api_gives_the_generated_form_then_the_designed_one(world, client):
    resp = client.get(f"/api/v1/forms/{REBUILD}")
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"item_code", "version", "definition", "generated"}
    assert body["item_code"] == REBUILD and body["version"] is None and body["generated"] is True
    assert [m["code"] for m in body["definition"]["materials"]] == ["M01"]
    _design_area_rule(_client(world, "legal-a"))
    assert client.get(f"/api/v1/forms/{REBUILD}").get_json()["generated"] is True  # a draft is not in force
    _post(_client(world, "legal-b"), f"{DESIGN}/publish")
    body = client.get(f"/api/v1/forms/{REBUILD}").get_json()
    assert set(body) == {"item_code", "version", "definition"} and body["version"] == 1
    assert body["definition"]["rules"][0]["check"] == "building_area <= area_limit"


def test_an_api_submission_is_checked_by_the_designed_rules(world):
    from tests.factories.web import api_token

    _design_area_rule(_client(world, "legal-a"))
    _post(_client(world, "legal-b"), f"{DESIGN}/publish")
    client = world.test_client()
    headers = api_token(client, "13901889999")
    uploaded = client.post("/api/v1/files", headers=headers, content_type="multipart/form-data",
                           data={"material_name": "申请表", "file": (io.BytesIO(PDF), "申请表.pdf")})
    assert uploaded.status_code == 201, uploaded.get_json()
    body = {"town_code": SANXI, "item_code": REBUILD, "submission_key": "api-key-0001",
            "materials": {"M01": uploaded.get_json()["id"]},
            "data": {"applicant_name": "赵云岭", "applicant_id": APPLICANT_ID, "mobile": "13901889999",
                     "pledge": True, "building_area": 180, "area_limit": 150}}
    resp = client.post("/api/v1/applications", headers=headers, json=body)
    assert resp.status_code == 422 and resp.get_json()["errors"] == {"building_area": "建筑面积不能超过面积上限"}
    body["data"]["building_area"] = 120
    resp = client.post("/api/v1/applications", headers=headers, json=body)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["data"]["building_area"] == "120"


def test_the_api_refuses_an_unknown_item_in_chinese(world, client):
    resp = client.get("/api/v1/forms/NO-SUCH-ITEM")
    assert resp.status_code == 404 and "未找到编码为 NO-SUCH-ITEM 的申请类事项" in resp.get_json()["message"]
    spec = client.get("/api/openapi.json").get_json()
    assert "/api/v1/forms/{item_code}" in spec["paths"]


# --- the commands --------------------------------------------------------------------------------------


def test_forms_export_and_import_round_trip_rules_and_keep_four_eyes(world, runner, tmp_path):
    out = runner.invoke(args=["forms", "export", REBUILD])
    assert out.exit_code == 0 and json.loads(out.output)["generated"] is True
    _design_area_rule(_client(world, "legal-a"))
    _post(_client(world, "legal-b"), f"{DESIGN}/publish")
    path = tmp_path / "form.json"
    out = runner.invoke(args=["forms", "export", REBUILD, "-o", str(path)])
    assert out.exit_code == 0, out.output
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported["version"] == 1 and exported["definition"]["rules"]

    same = runner.invoke(args=["forms", "import", str(path), "--as", "legal-a", "--review-by", "legal-a"])
    assert same.exit_code == 1 and "不能发布自己起草的表单" in same.output
    assert runner.invoke(args=["forms", "import", str(path), "--as", "legal-a"]).exit_code == 2
    draft = runner.invoke(args=["forms", "import", str(path)])
    assert draft.exit_code == 0 and "草稿（第2版）" in draft.output
    assert _versions(world)[-1][:2] == (2, FormStatus.DRAFT)
    published = runner.invoke(args=["forms", "import", str(path), "--as", "legal-a", "--review-by", "legal-b"])
    assert published.exit_code == 0 and "已发布" in published.output
    with world.app_context():
        latest = db.session.scalar(select(FormDefinitionVersion).where(FormDefinitionVersion.item_code == REBUILD)
                                   .order_by(FormDefinitionVersion.version.desc()))
        assert latest.definition == exported["definition"] and latest.status == FormStatus.PUBLISHED

    bad = json.loads(json.dumps(exported))
    bad["definition"]["rules"] = [{"check": "ghost > 1", "message": "m"}]
    bad_path = tmp_path / "bad.json"
    bad_path.write_text(json.dumps(bad), encoding="utf-8")
    good = json.loads(json.dumps(exported))
    good["definition"]["title"] = "改过的标题"
    path.write_text(json.dumps(good), encoding="utf-8")
    refused = runner.invoke(args=["forms", "import", str(path), str(bad_path), "--as", "legal-a",
                                  "--review-by", "legal-b"])
    assert refused.exit_code == 1 and "rules[0].check" in refused.output and "ghost" in refused.output
    assert len(_versions(world)) == 2  # nothing published half: not even the good file
