"""材料核验 at the window: the guide's materials beside the uploaded files, one tick each; the unticked
ones become the 一次性告知 in one click."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from service_hall.cases.models import Application, CaseStatus
from service_hall.cases.schemas import UNTICKED_MATERIAL
from service_hall.extensions import db
from tests.factories.clock import at
from tests.factories.files import PDF, PNG
from tests.factories.forms import form_data
from tests.factories.places import QINGSHAN
from tests.factories.power_list import ITEM
from tests.factories.web import csrf_token, login, post_form

APPLY = f"/portal/apply/{QINGSHAN}/{ITEM}"
KEY_RE = re.compile(r'name="submission_key" value="([^"]+)"')


def _submitted_case(app, client) -> Application:
    app.config["FIXED_NOW"] = at("2026-11-23")
    applicant = app.test_client()
    login(applicant, "13900000001")
    token = csrf_token(applicant, APPLY)
    key = KEY_RE.search(applicant.get(APPLY).get_data(as_text=True)).group(1)
    payload = {**form_data(), "csrf_token": token, "submission_key": key,
               "material-M01": (io.BytesIO(PDF), "申请表.pdf"), "material-M02": (io.BytesIO(PNG), "身份证.png")}
    assert applicant.post(APPLY, data=payload, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        case = db.session.scalars(select(Application)).one()
        db.session.expunge(case)
        return case


def test_checklist_shows_materials_beside_the_guide_with_previews(app, client, world):
    case = _submitted_case(app, client)
    login(client, "clerk1")
    page = client.get(f"/workbench/cases/{case.id}").get_data(as_text=True)
    assert "申请材料核验" in page
    for code in ("M01", "M02", "M03"):
        assert f'id="c-ok-{code}"' in page
    assert 'id="c-ok-M03" name="ok" value="M03" checked' in page  # optional and not uploaded
    assert 'class="material-preview"' in page  # the ID photo is shown inline
    with app.app_context():
        found = db.session.get(Application, case.id).materials
        png = next(m for m in found if m.material_code == "M02")
        pdf = next(m for m in found if m.material_code == "M01")
        png_id, pdf_id = png.id, pdf.id
    inline = client.get(f"/workbench/cases/{case.id}/materials/{png_id}?inline=1")
    assert inline.status_code == 200 and inline.headers["Content-Disposition"].startswith("inline")
    assert client.get(f"/workbench/cases/{case.id}/materials/{pdf_id}?inline=1").headers[
        "Content-Disposition"].startswith("inline")
    assert client.get(f"/workbench/cases/{case.id}/materials/{png_id}").headers[
        "Content-Disposition"].startswith("attachment")


def test_unticked_materials_become_the_correction_notice(app, client, world):
    case = _submitted_case(app, client)
    login(client, "clerk1")
    page = f"/workbench/cases/{case.id}"
    resp = post_form(client, page, {
        "row_version": case.row_version, "checklist": ["M01", "M02", "M03"], "ok": ["M01", "M03"],
        "note-M01": "", "note-M02": "身份证复印件不清晰", "note-M03": "",
        "target": [""], "problem": [""], "respond_days": "10"}, action=f"{page}/correction")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:1000]
    with app.app_context():
        c = db.session.get(Application, case.id)
        assert c.status is CaseStatus.CORRECTION_REQUESTED
        assert c.corrections[0].items == [{"target": "M02", "name": "申请人身份证明", "problem": "身份证复印件不清晰"}]


def test_unticked_material_without_a_note_gets_the_standard_text_and_info_rows_join(app, client, world):
    case = _submitted_case(app, client)
    login(client, "clerk1")
    page = f"/workbench/cases/{case.id}"
    resp = post_form(client, page, {
        "row_version": case.row_version, "checklist": ["M01", "M02", "M03"], "ok": ["M02", "M03"],
        "target": [""], "problem": ["申请面积与户口人数不符"], "respond_days": "10"}, action=f"{page}/correction")
    assert resp.status_code == 302
    with app.app_context():
        items = db.session.get(Application, case.id).corrections[0].items
        assert items == [{"target": "", "name": "申请信息", "problem": "申请面积与户口人数不符"},
                         {"target": "M01", "name": "农村宅基地和建房（规划许可）申请表", "problem": UNTICKED_MATERIAL}]


def test_everything_ticked_is_not_a_correction(app, client, world):
    case = _submitted_case(app, client)
    login(client, "clerk1")
    page = f"/workbench/cases/{case.id}"
    resp = post_form(client, page, {
        "row_version": case.row_version, "checklist": ["M01", "M02", "M03"], "ok": ["M01", "M02", "M03"],
        "target": [""], "problem": [""], "respond_days": "10"}, action=f"{page}/correction")
    assert resp.status_code == 422
    assert "请至少列出一项需要补正的材料或信息" in resp.get_data(as_text=True)
