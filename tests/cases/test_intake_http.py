"""Intake journeys through the HTTP interface (pages and API)."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from service_hall.audit.models import AuditRecord
from service_hall.cases.models import Application, CaseStatus, PauseKind, Visit
from service_hall.extensions import db
from tests.factories.accounts import valid_id
from tests.factories.cases import only_case
from tests.factories.clock import at
from tests.factories.database import count_rows
from tests.factories.files import PDF, PNG
from tests.factories.forms import form_data
from tests.factories.places import BAISHA, QINGSHAN
from tests.factories.power_list import ENFORCEMENT_ITEM, ITEM
from tests.factories.web import (
    APPLY,
    KEY_RE,
    api_token,
    apply_online,
    apply_page,
    csrf_token,
    login,
    open_decisions,
    post_form,
)


def test_applicant_applies_online_and_sees_the_case(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    login(client, "13900000001")
    page = client.get(APPLY).get_data(as_text=True)
    assert "农村村民宅基地审批" in page and "承诺办结时限" in page and "申请人身份证明" in page
    resp = apply_online(client)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    case = only_case(app)
    assert case.status == CaseStatus.SUBMITTED
    assert case.case_number.startswith("3301991012026")
    assert case.received_on.isoformat() == "2026-11-23"
    assert case.intake_due_on.isoformat() == "2026-11-30"  # 5 working days, the starting day not counted
    assert case.data["site"]["village"] == "330199101001" and case.data["site"]["detail"] == "青山村3组12号"
    detail = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert case.case_number in detail and "已提交，待受理" in detail and "2026-11-30" in detail


def test_double_submit_creates_one_application(app, client, world):
    login(client, "13900000001")
    token, key = apply_page(client)
    first = apply_online(client, key=key, token=token)
    second = apply_online(client, key=key, token=token)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count_rows(app, Application) == 1


def test_bad_form_keeps_input_and_stores_no_application(app, client, world):
    login(client, "13900000001")
    wrong_id = valid_id()[:17] + ("0" if valid_id()[17] != "0" else "1")
    resp = apply_online(client, data=form_data(applicant_id=wrong_id, area="", period_start="2027-05-01",
                                          period_end="2027-01-01"))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "身份证号码校验位错误" in body
    assert "必填" in body  # area
    assert "结束日期不能早于开始日期" in body
    assert "青山村3组12号" in body  # typed input kept
    assert count_rows(app, Application) == 0
    # The uploads that passed were kept and are offered again, so nothing is uploaded twice.
    assert "申请表.pdf" in body and "身份证.png" in body


def test_uploads_are_checked_by_content(app, client, world):
    login(client, "13900000001")
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
    resp = apply_online(client, files={"material-M01": (exe, "申请表.pdf"), "material-M02": (b"", "空.pdf")})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "请勿仅修改扩展名" in body
    assert "文件为空" in body
    assert count_rows(app, Application) == 0


def test_oversized_upload_is_refused(app, client, world):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    try:
        login(client, "13900000001")
        resp = apply_online(client, files={"material-M01": (PDF + b"0" * 70 * 1024, "大.pdf")})
        assert resp.status_code == 413
        assert "上传的文件过大" in resp.get_data(as_text=True)
        assert count_rows(app, Application) == 0
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024


def test_missing_required_material_is_named(app, client, world):
    login(client, "13900000001")
    resp = apply_online(client, files={"material-M02": (PNG, "身份证.png")})
    assert resp.status_code == 422
    assert "请上传“农村宅基地和建房（规划许可）申请表”" in resp.get_data(as_text=True)


def test_same_content_is_stored_once_and_reusable(app, client, world):
    from service_hall.files.models import ApplicantFile, StoredBlob

    login(client, "13900000001")
    apply_online(client, files={"material-M01": (PDF, "a.pdf"), "material-M02": (PDF, "b.pdf")})
    assert count_rows(app, StoredBlob) == 1
    assert count_rows(app, ApplicantFile) == 2
    with app.app_context():
        file_id = db.session.scalars(select(ApplicantFile.id)).first()
    token, key = apply_page(client)
    resp = client.post(APPLY, data={**form_data(), "csrf_token": token, "submission_key": key,
                                    "reuse-M01": str(file_id), "reuse-M02": str(file_id)})
    assert resp.status_code == 302
    assert count_rows(app, Application) == 2 and count_rows(app, StoredBlob) == 1


def test_a_town_without_the_power_has_no_form(client, world):
    login(client, "13900000001")
    assert client.get(f"/portal/apply/{BAISHA}/{ITEM}").status_code == 404
    assert client.get(f"/portal/apply/{QINGSHAN}/{ENFORCEMENT_ITEM}").status_code == 404


def test_correction_once_then_resubmit_then_accept(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    applicant = app.test_client()
    login(applicant, "13900000001")
    apply_online(applicant)
    case = only_case(app)
    clerk = client
    login(clerk, "clerk1")
    page = clerk.get(f"/workbench/cases/{case.id}").get_data(as_text=True)
    assert "本环节责任事项" in page and "一次性告知需补正的全部内容" in page
    app.config["FIXED_NOW"] = at("2026-11-24")
    resp = post_form(clerk, f"/workbench/cases/{case.id}", {
        "row_version": case.row_version, "target": ["M02", "", ""],
        "problem": ["身份证复印件不清晰", "申请面积与户口人数不符", ""],
        "respond_days": "10"}, action=f"/workbench/cases/{case.id}/correction")
    assert resp.status_code == 302
    case = only_case(app)
    assert case.status == CaseStatus.CORRECTION_REQUESTED
    with app.app_context():
        c = db.session.get(Application, case.id)
        assert [p.kind for p in c.pauses] == [PauseKind.CORRECTION] and c.pauses[0].ended_on is None
        assert len(c.corrections[0].items) == 2
    view = applicant.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "身份证复印件不清晰" in view and "申请面积与户口人数不符" in view
    # The same clerk (or anyone) may not ask a second time.
    resp = post_form(clerk, f"/workbench/cases/{case.id}", {"target": ["M01"], "problem": ["再补"],
                                                            "respond_days": "5"},
                     action=f"/workbench/cases/{case.id}/correction")
    assert resp.status_code == 409
    app.config["FIXED_NOW"] = at("2026-11-26")
    token = csrf_token(applicant, f"/portal/applications/{case.ref}")
    resp = applicant.post(f"/portal/applications/{case.ref}/correction",
                          data={"csrf_token": token, "material-M02": (io.BytesIO(PNG + b"clear"), "清晰.png")},
                          content_type="multipart/form-data")
    assert resp.status_code == 302
    case = only_case(app)
    assert case.status == CaseStatus.SUBMITTED
    assert case.received_on.isoformat() == "2026-11-26"
    resp = post_form(clerk, f"/workbench/cases/{case.id}", {"row_version": case.row_version},
                     action=f"/workbench/cases/{case.id}/accept")
    assert resp.status_code == 302
    case = only_case(app)
    assert case.status == CaseStatus.ACCEPTED and case.accepted_on.isoformat() == "2026-11-26"
    assert case.due_on.isoformat() == "2026-12-10"  # 10 working days
    assert case.statutory_due_on.isoformat() == "2026-12-24"  # 20 working days
    with app.app_context():
        duties = [r.duty for r in db.session.scalars(select(AuditRecord).where(AuditRecord.action == "case.accept"))]
        assert duties and "一次性告知" in duties[0]
        assert len(db.session.get(Application, case.id).notices) == 2  # 补正告知书 + 受理通知书


def test_refusal_names_the_competent_office_and_the_remedies(app, client, world):
    applicant = app.test_client()
    login(applicant, "13900000001")
    apply_online(applicant)
    case = only_case(app)
    login(client, "clerk1")
    resp = post_form(client, f"/workbench/cases/{case.id}", {"reason": ""},
                     action=f"/workbench/cases/{case.id}/refuse")
    assert resp.status_code == 422 and "请写明不予受理的理由" in resp.get_data(as_text=True)
    resp = post_form(client, f"/workbench/cases/{case.id}", {"reason": "申请事项属于县自然资源局职权",
                                                             "competent_office": "清溪县自然资源和规划局"},
                     action=f"/workbench/cases/{case.id}/refuse")
    assert resp.status_code == 302
    view = applicant.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "您有一份决定文书待查收" in view and "不予受理决定书" not in view  # shown once opened (电子送达)
    open_decisions(applicant, case.ref)
    view = applicant.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "不予受理决定书" in view and "清溪县自然资源和规划局" in view and "行政复议" in view


def test_acceptance_with_pledge_for_a_deferrable_material(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    applicant = app.test_client()
    login(applicant, "13900000001")
    apply_online(applicant, files={"material-M01": (PDF, "申请表.pdf")})
    case = only_case(app)
    login(client, "clerk1")
    resp = post_form(client, f"/workbench/cases/{case.id}", {"missing": ["M01"], "pledge_days": "5"},
                     action=f"/workbench/cases/{case.id}/pledge")
    assert resp.status_code == 422  # M01 is essential and was supplied anyway
    resp = post_form(client, f"/workbench/cases/{case.id}", {"missing": ["M02"], "pledge_days": "5",
                     "pledge_signed": "1"},
                     action=f"/workbench/cases/{case.id}/pledge")
    assert resp.status_code == 302
    case = only_case(app)
    assert case.status == CaseStatus.ACCEPTED and case.pledge_materials == ["M02"]
    assert case.pledge_due_on.isoformat() == "2026-11-30"


def test_the_applicant_supplies_the_deferred_material_from_the_case_page(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    applicant = app.test_client()
    login(applicant, "13900000001")
    apply_online(applicant, files={"material-M01": (PDF, "申请表.pdf")})
    case = only_case(app)
    login(client, "clerk1")
    post_form(client, f"/workbench/cases/{case.id}", {"missing": ["M02"], "pledge_days": "5", "pledge_signed": "1"},
              action=f"/workbench/cases/{case.id}/pledge")
    page = f"/portal/applications/{case.ref}"
    view = applicant.get(page).get_data(as_text=True)
    assert "补交容缺材料" in view and "前补交：申请人身份证明" in view  # the name, not the code
    url = f"/portal/applications/{case.ref}/deferred-materials"
    resp = post_form(applicant, page, {}, action=url)
    assert resp.status_code == 422 and "请选择要补交的材料" in resp.get_data(as_text=True)
    resp = post_form(applicant, page, {"material-M02": (io.BytesIO(PNG), "身份证.png")}, action=url,
                     content_type="multipart/form-data")
    assert resp.status_code == 302
    with app.app_context():
        case = db.session.get(Application, case.id)
        assert case.pledge_materials == [] and {m.material_code for m in case.materials} == {"M01", "M02"}
    assert "补交容缺材料" not in applicant.get(page).get_data(as_text=True)
    # Nothing is left to supply.
    resp = post_form(applicant, page, {}, action=url)
    assert resp.status_code == 409 and "没有待补交的容缺材料" in resp.get_data(as_text=True)


def test_state_that_does_not_allow_the_action_is_refused(app, client, world):
    applicant = app.test_client()
    login(applicant, "13900000001")
    apply_online(applicant)
    case = only_case(app)
    login(client, "clerk1")
    post_form(client, f"/workbench/cases/{case.id}", {}, action=f"/workbench/cases/{case.id}/accept")
    resp = post_form(client, f"/workbench/cases/{case.id}", {"reason": "晚了"},
                     action=f"/workbench/cases/{case.id}/refuse")
    assert resp.status_code == 409
    assert "当前状态（已受理，审查中）不能执行“不予受理”" in resp.get_data(as_text=True)


def test_stale_page_is_told_the_case_changed(app, client, world):
    applicant = app.test_client()
    login(applicant, "13900000001")
    apply_online(applicant)
    case = only_case(app)
    login(client, "clerk1")
    other = app.test_client()
    login(other, "clerk2")
    post_form(other, f"/workbench/cases/{case.id}", {"row_version": case.row_version},
              action=f"/workbench/cases/{case.id}/accept")
    resp = post_form(client, f"/workbench/cases/{case.id}", {"row_version": case.row_version, "reason": "x"},
                     action=f"/workbench/cases/{case.id}/refuse")
    assert resp.status_code == 409 and "已被他人处理" in resp.get_data(as_text=True)


def test_another_towns_clerk_cannot_see_or_act(app, client, world):
    applicant = app.test_client()
    login(applicant, "13900000001")
    apply_online(applicant)
    case = only_case(app)
    login(client, "clerk.baisha")
    assert client.get(f"/workbench/cases/{case.id}").status_code == 404
    resp = post_form(client, "/workbench/", {}, action=f"/workbench/cases/{case.id}/accept")
    assert resp.status_code == 404
    assert case.case_number not in client.get("/workbench/").get_data(as_text=True)
    assert only_case(app).status == CaseStatus.SUBMITTED


def test_another_applicant_cannot_see_the_case(app, client, world):
    applicant = app.test_client()
    login(applicant, "13900000001")
    apply_online(applicant)
    case = only_case(app)
    login(client, "13900000002")
    assert client.get(f"/portal/applications/{case.ref}").status_code == 404
    resp = post_form(client, "/portal/", {}, action=f"/portal/applications/{case.ref}/withdraw")
    assert resp.status_code == 404


def test_applicant_withdraws_before_decision(app, client, world):
    login(client, "13900000001")
    apply_online(client)
    case = only_case(app)
    resp = post_form(client, f"/portal/applications/{case.ref}", {"reason": "不建了"},
                     action=f"/portal/applications/{case.ref}/withdraw")
    assert resp.status_code == 422 and "确认撤回本申请" in resp.get_data(as_text=True)  # one click withdraws nothing
    assert only_case(app).status == CaseStatus.SUBMITTED
    resp = post_form(client, f"/portal/applications/{case.ref}", {"reason": "不建了", "confirm": "1"},
                     action=f"/portal/applications/{case.ref}/withdraw")
    assert resp.status_code == 302
    assert only_case(app).status == CaseStatus.WITHDRAWN
    resp = post_form(client, f"/portal/applications/{case.ref}", {"confirm": "1"},
                     action=f"/portal/applications/{case.ref}/withdraw")
    assert resp.status_code == 409


def test_clerk_files_for_a_walk_in_applicant_and_records_the_visit(app, client, world):
    login(client, "clerk1")
    resp = post_form(client, "/workbench/file", {
        "mobile": "13700000003", "register": "1", "applicant_type": "person", "real_name": "王龑",
        "id_number": valid_id("33012719700101003"), "password": "Walk-in-2026", "password_confirm": "Walk-in-2026",
        "town_code": QINGSHAN, "item_code": ITEM})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    apply_url = resp.headers["Location"]
    body = client.get(apply_url).get_data(as_text=True)
    assert "代办申请人：王龑" in body
    key = KEY_RE.search(body).group(1)
    resp = client.post(apply_url, data={
        **form_data(applicant_name="王龑", applicant_id=valid_id("33012719700101003"), phone="13700000003"),
        "csrf_token": csrf_token(client, apply_url), "submission_key": key,
        "material-M01": (io.BytesIO(PDF), "申请表.pdf"), "material-M02": (io.BytesIO(PNG), "身份证.png")},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    case = only_case(app)
    with app.app_context():
        c = db.session.get(Application, case.id)
        assert c.applicant.real_name == "王龑" and c.filed_by.username == "clerk1"
    resp = post_form(client, f"/workbench/cases/{case.id}", {"visitor_name": "王龑", "purpose": "窗口代办"},
                     action=f"/workbench/cases/{case.id}/visits")
    assert resp.status_code == 302
    assert count_rows(app, Visit) == 1
    assert "本件已登记来访 1 次" in client.get(f"/workbench/cases/{case.id}").get_data(as_text=True)
    # The walk-in applicant can sign in and follow the case.
    applicant = app.test_client()
    login(applicant, "13700000003", "Walk-in-2026")
    assert case.case_number in applicant.get("/portal/").get_data(as_text=True)


def test_queue_is_sorted_by_deadline(app, client, world):
    applicant = app.test_client()
    login(applicant, "13900000001")
    app.config["FIXED_NOW"] = at("2026-11-25")
    apply_online(applicant)
    app.config["FIXED_NOW"] = at("2026-11-23")
    apply_online(applicant)
    login(client, "clerk1")
    app.config["FIXED_NOW"] = at("2026-11-27")
    body = client.get("/workbench/").get_data(as_text=True)
    with app.app_context():
        numbers = [c.case_number for c in db.session.scalars(select(Application).order_by(Application.received_on))]
    assert body.index(numbers[0]) < body.index(numbers[1])
    assert "deadline-yellow" in body  # the older one is due within 2 working days


def test_api_applicant_and_clerk_follow_the_same_rules(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    me = api_token(client, "13900000001")
    up = client.post("/api/v1/files", data={"material_name": "申请表", "file": (io.BytesIO(PDF), "a.pdf")},
                     headers=me, content_type="multipart/form-data")
    assert up.status_code == 201, up.get_json()
    fake = client.post("/api/v1/files", data={"material_name": "申请表", "file": (io.BytesIO(b"MZ\x90\x00" * 20),
                                                                                  "x.pdf")},
                       headers=me, content_type="multipart/form-data")
    assert fake.status_code == 422 and "请勿仅修改扩展名" in str(fake.get_json())
    body = {"town_code": QINGSHAN, "item_code": ITEM, "submission_key": "api-key-000001",
            "materials": {"M01": up.get_json()["id"], "M02": up.get_json()["id"]},
            "data": {"applicant_name": "李堃", "applicant_id": valid_id(), "phone": "13900000001",
                     "site": {"village": "330199101002", "detail": "石桥村"}, "area": 90}}
    bad = client.post("/api/v1/applications", json={**body, "data": {**body["data"], "area": 999}}, headers=me)
    assert bad.status_code == 422 and "area" in bad.get_json()["errors"]
    created = client.post("/api/v1/applications", json=body, headers=me)
    assert created.status_code == 201, created.get_json()
    again = client.post("/api/v1/applications", json=body, headers=me)
    assert again.status_code == 200 and again.get_json()["ref"] == created.get_json()["ref"]
    case = created.get_json()
    assert case["status"] == "submitted" and case["intake_due_on"] == "2026-11-30"
    clerk = api_token(client, "clerk1")
    queue = client.get("/api/v1/cases", headers=clerk).get_json()
    assert [c["case_number"] for c in queue] == [case["case_number"]]
    foreign = api_token(client, "clerk.baisha")
    assert client.get(f"/api/v1/cases/{case['id']}", headers=foreign).status_code == 404
    resp = client.post(f"/api/v1/cases/{case['id']}/correction", headers=clerk,
                       json={"items": [{"target": "M02", "problem": "请提供身份证正反面"}], "respond_days": 5,
                             "row_version": case["row_version"]})
    assert resp.status_code == 200 and resp.get_json()["status"] == "correction_requested"
    resp = client.post(f"/api/v1/applications/{case['ref']}/correction", headers=me,
                       json={"materials": {"M02": up.get_json()["id"]}})
    assert resp.status_code == 200 and resp.get_json()["status"] == "submitted"
    stale = client.post(f"/api/v1/cases/{case['id']}/accept", headers=clerk, json={"row_version": 1})
    assert stale.status_code == 409
    fresh = client.get(f"/api/v1/cases/{case['id']}", headers=clerk).get_json()
    resp = client.post(f"/api/v1/cases/{case['id']}/accept", headers=clerk, json={"row_version": fresh["row_version"]})
    assert resp.status_code == 200 and resp.get_json()["status"] == "accepted"
    assert client.post("/api/v1/applications", json=body, headers=clerk).status_code == 403


def test_draft_is_saved_and_resumed_then_submitted_once(app, client, world):
    login(client, "13900000001")
    token, key = apply_page(client)
    resp = client.post(APPLY, data={"applicant_name": "李堃", "site_detail": "青山村3组", "area": "abc",
                                    "csrf_token": token, "submission_key": key, "save_draft": "1",
                                    "material-M01": (io.BytesIO(PDF), "申请表.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302 and "draft=" in resp.headers["Location"]
    case = only_case(app)
    assert case.status == CaseStatus.DRAFT and case.case_number is None and case.received_on is None
    index = client.get("/portal/").get_data(as_text=True)
    assert "草稿：继续填写" in index
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'value="abc"' in page and "青山村3组" in page and key in page  # resumed as typed
    # Another applicant cannot open it.
    other = app.test_client()
    login(other, "13900000002")
    assert other.get(resp.headers["Location"]).status_code == 404
    with app.app_context():
        draft_file = db.session.get(Application, case.id).materials[0].file_id
    assert f'value="{draft_file}" selected' in page  # the draft's upload is preselected for reuse
    resp = client.post(APPLY, data={**form_data(), "csrf_token": csrf_token(client, APPLY), "submission_key": key,
                                    "reuse-M01": str(draft_file), "material-M02": (io.BytesIO(PNG), "身份证.png")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    case = only_case(app)
    assert case.status == CaseStatus.SUBMITTED and case.case_number and count_rows(app, Application) == 1


def test_case_page_shows_labels_not_field_names(app, client, world):
    applicant = app.test_client()
    login(applicant, "13900000001")
    apply_online(applicant)
    case = only_case(app)
    login(client, "clerk1")
    page = client.get(f"/workbench/cases/{case.id}").get_data(as_text=True)
    assert "申请面积（平方米）" in page and "青山村 青山村3组12号" in page and "2026-12-01 至 2027-03-01" in page
    assert "applicant_name" not in page and "site_village" not in page
    mine = applicant.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "拟建地址" in mine and "青山村3组12号" in mine


def test_the_error_summary_names_each_field_and_links_to_it(app, world):
    applicant = app.test_client()
    login(applicant, "13900000001")
    resp = apply_online(applicant, data={"applicant_name": ""}, files={})
    assert resp.status_code == 422
    summary = resp.get_data(as_text=True).split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert '<a href="#f-applicant_name">申请人姓名：必填项</a>' in summary
    assert "拟建地址：" in summary and "农村宅基地和建房（规划许可）申请表：" in summary
    assert "<li><a href=\"#f-phone\">必填项</a></li>" not in summary


def test_the_applicant_block_is_prefilled_from_the_account(app, world):
    applicant = app.test_client()
    login(applicant, "13900000001")
    page = applicant.get(APPLY).get_data(as_text=True)
    assert re.search(r'name="applicant_name"[^>]*value="李堃"', page)
    assert re.search(r'name="phone"[^>]*value="13900000001"', page)


def test_a_correction_of_application_data_opens_only_the_named_fields(app, client, world):
    applicant = app.test_client()
    login(applicant, "13900000001")
    apply_online(applicant)
    case = only_case(app)
    login(client, "clerk1")
    page = client.get(f"/workbench/cases/{case.id}").get_data(as_text=True)
    assert '<option value="field:4">申请面积（平方米）</option>' in page
    resp = post_form(client, f"/workbench/cases/{case.id}", {
        "target": ["field:4", "M02"], "problem": ["申请面积与宅基地标准不符", "身份证照片不清晰"],
        "respond_days": "10"}, action=f"/workbench/cases/{case.id}/correction")
    assert resp.status_code == 302
    view = applicant.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "申请信息：申请面积（平方米）" in view and 'name="area"' in view and 'name="applicant_name"' not in view
    url = f"/portal/applications/{case.ref}/correction"
    bad = post_form(applicant, f"/portal/applications/{case.ref}", {
        "area": "999", "material-M02": (io.BytesIO(PNG), "身份证.png")}, action=url,
        content_type="multipart/form-data")
    assert bad.status_code == 422 and str(only_case(app).data["area"]) == "120"
    resp = post_form(applicant, f"/portal/applications/{case.ref}", {
        "area": "95", "applicant_name": "别人", "material-M02": (io.BytesIO(PNG), "身份证.png")}, action=url,
        content_type="multipart/form-data")
    assert resp.status_code == 302
    answered = only_case(app)
    assert answered.status == CaseStatus.SUBMITTED
    assert str(answered.data["area"]) == "95" and answered.data["applicant_name"] == "李堃"  # only the named field
    page = client.get(f"/workbench/cases/{case.id}").get_data(as_text=True)
    assert "更正前：120；更正后：95" in page
