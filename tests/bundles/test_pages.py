"""一件事 through the pages: legal affairs design and publish it, the public reads its one guide, an
applicant applies with one form and one upload of the 身份证, the window sends one combined correction
notice, the applicant answers it once; other towns and other applicants see nothing."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from service_hall.bundles.models import BundleCase
from service_hall.cases.models import CaseStatus
from service_hall.extensions import db
from tests.factories.bundles import HOMESTEAD, PLANNING, demo_world, rural_form
from tests.factories.files import PNG
from tests.factories.pdf import pdf_text
from tests.factories.places import QINGSHAN
from tests.factories.web import KEY_RE, csrf_token, login, post_form

APPLY = f"/portal/bundles/apply/{QINGSHAN}/rural-housing"


@pytest.fixture
def demo(app):
    demo_world(app)


def _client(app, username):
    client = app.test_client()
    login(client, username)
    return client


def _design_and_publish(app) -> None:
    legal = _client(app, "legal")
    resp = post_form(legal, "/legal/bundles/new", {
        "code": "rural-housing", "name": "农村建房一件事", "theme": "rural_housing", "towns": [QINGSHAN],
        "item-0": HOMESTEAD, "item-1": PLANNING, "after-1": [HOMESTEAD]})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    page = resp.headers["Location"]
    body = legal.get(page).get_data(as_text=True)
    # Where each field goes, and the conflict to resolve before publishing.
    assert "共同信息（只填一次）" in body and "申请人姓名（未处理，不能发布）" in body
    assert "长度上限不同（农村村民宅基地审批：30；乡村建设规划许可证核发：100）" in body
    legal2 = _client(app, "legal2")
    refused = post_form(legal2, page, {}, action=page + "/publish")
    assert refused.status_code == 422 and "尚未处理" in refused.get_data(as_text=True)
    saved = post_form(legal, page, {"name": "农村建房一件事", "theme": "rural_housing", "towns": [QINGSHAN],
                                    "item-0": HOMESTEAD, "item-1": PLANNING, "after-1": [HOMESTEAD],
                                    "resolve|applicant_name": HOMESTEAD})
    assert saved.status_code == 302
    assert post_form(legal, page, {}, action=page + "/publish").status_code == 403  # the editor may not
    assert post_form(legal2, page, {}, action=page + "/publish").status_code == 302


def test_the_whole_bundle_through_the_pages(app, demo):
    _design_and_publish(app)
    public = app.test_client()
    guide = public.get("/catalog/bundles/rural-housing").get_data(as_text=True)
    assert "居民身份证（必需） — 一次提交，用于：农村村民宅基地审批、乡村建设规划许可证核发" in guide
    assert "20 个工作日" in guide
    assert "农村建房一件事" in public.get("/catalog/bundles/").get_data(as_text=True)

    applicant = _client(app, "13800000001")
    page = applicant.get(APPLY).get_data(as_text=True)
    assert page.count('name="material-S-id_card"') == 1 and "共同信息（只需填写一次）" in page
    key = KEY_RE.search(page).group(1)
    bad = rural_form(csrf_token(applicant, APPLY), key)
    bad["s_applicant_id"] = "330127197805160031"
    del bad["material-2-M04"]
    refused = applicant.post(APPLY, data=bad, content_type="multipart/form-data")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "申请人身份证号码" in text and "建设工程设计方案（含总平面图）" in text
    resp = applicant.post(APPLY, data=rural_form(csrf_token(applicant, APPLY), key), content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    progress = resp.headers["Location"]
    body = applicant.get(progress).get_data(as_text=True)
    assert "农村村民宅基地审批" in body and "乡村建设规划许可证核发" in body and "已提交，待受理" in body
    assert "等待“农村村民宅基地审批”办结，办结后本事项开始办理，办理期限自那时起算" in body

    with app.app_context():
        bundle_case = db.session.query(BundleCase).one()
        case_ids = [c.id for c in bundle_case.cases]
        staff_page = f"/workbench/bundles/{bundle_case.id}"
    clerk = _client(app, "clerk")
    assert "农村建房一件事" in clerk.get("/workbench/bundles/").get_data(as_text=True)
    sent = post_form(clerk, staff_page, {
        f"missing-{case_ids[0]}": "M02", f"problem-{case_ids[0]}-M02": "身份证复印件不清晰",
        f"missing-{case_ids[1]}": "M02", f"problem-{case_ids[1]}-M02": "身份证复印件不清晰",
        "respond_days": "10"}, action=staff_page + "/correction")
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    notice = applicant.get(progress).get_data(as_text=True)
    assert "一次性告知：请补正以下内容" in notice
    assert notice.count("身份证复印件不清晰") == 2 and notice.count('name="material-S-id_card"') == 1
    ref = progress.rsplit("/", 1)[1]
    answer = applicant.post(f"/portal/bundles/cases/{ref}/correction", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(applicant, progress),
        "material-S-id_card": (io.BytesIO(PNG + b"\x01"), "新身份证.png")})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    with app.app_context():
        bundle_case = db.session.query(BundleCase).one()
        assert [c.status for c in bundle_case.cases] == [CaseStatus.SUBMITTED, CaseStatus.AWAITING_PREREQUISITE]
        files = {next(m for m in c.materials if m.material_code == "M02").file.filename for c in bundle_case.cases}
        assert files == {"新身份证.png"}

    # Other towns and other applicants find nothing.
    foreign = _client(app, "clerk.baisha")
    assert foreign.get(staff_page).status_code == 404
    assert bundle_case.number not in foreign.get("/workbench/bundles/").get_data(as_text=True)
    other = _client(app, "13800000002")
    assert other.get(progress).status_code == 404
    assert re.search(r"/portal/bundles/cases/", other.get("/portal/bundles/").get_data(as_text=True)) is None

    # The supervisor's evaluation report counts the bundle.
    report = _client(app, "supervisor").get("/supervision/evaluation?from=2026-01-01")
    text = report.get_data(as_text=True)
    assert report.status_code == 200, text[text.find("<main"):][:1500]
    assert "<caption>一件事</caption>" in text
    assert re.search(r'农村建房一件事</th><td class="num">1</td><td class="num">0</td>', text)
    # … and so do its spreadsheet and its PDF.
    sheet = load_workbook(io.BytesIO(_client(app, "supervisor").get(
        "/supervision/evaluation.xlsx?from=2026-01-01").data))["一件事"]
    assert [c.value for c in sheet[3]] == ["一件事", "收件", "已办结", "全程用时（自然日，平均）",
                                           "各事项用时之和（自然日，平均）", "到现场次数（每件）"]
    assert next(sheet.iter_rows(min_row=4, values_only=True))[:3] == ("农村建房一件事", 1, 0)
    pdf = pdf_text(_client(app, "supervisor").get("/supervision/evaluation.pdf?from=2026-01-01").data)
    assert "五、一件事" in pdf and "农村建房一件事" in pdf
