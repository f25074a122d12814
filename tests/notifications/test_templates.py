"""Message templates an administrator edits with a preview: the saved text is what is sent (SMS at the
loopback gateway, the inbox), errors are located and in Chinese, SMS never carries an identity number and
always the 【签名】, and a template can be reset to the built-in one."""

from __future__ import annotations

from sqlalchemy import select

from service_hall.extensions import db
from service_hall.notifications.models import MessageTemplate
from tests.factories.accounts import valid_id
from tests.factories.clock import at
from tests.factories.web import post_form
from tests.notifications.support import act, dispatch, inbox_titles, staff_client, submit_case

COUNTY = "330199000000"
SMS_URL = "/admin/notification-templates/notice.correction/sms"


def _admin(app, factory):
    factory.staff("admin1", "admin", COUNTY)
    return staff_client(app, "admin1")


def _stored(app):
    with app.app_context():
        return list(db.session.scalars(select(MessageTemplate)))


def _correction(app, client):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    act(staff_client(app, "clerk1"), case, "correction",
        {"target": ["M02"], "problem": ["身份证复印件不清晰"], "respond_days": "10"})
    dispatch(app)
    return case


def test_an_edited_sms_template_is_previewed_then_sent(app, client, factory, world, sms_gateway):
    admin = _admin(app, factory)
    listing = admin.get("/admin/notification-templates/").get_data(as_text=True)
    assert "申请人：补正材料告知书" in listing and SMS_URL in listing
    page = admin.get(SMS_URL).get_data(as_text=True)
    assert "{{ signature }}您申请的{{ item_name }}需补正材料" in page  # the built-in text to start from
    assert "<code>respond_by</code>" in page and "补正期限" in page  # the documented variables
    text = "{{ signature }}{{ item_name }}（{{ case_number }}）需补正，请于{{ respond_by }}前登录网上办事大厅提交。"
    shown = post_form(admin, SMS_URL, {"text": text, "do": "preview"})
    body = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "【清溪县政务服务】农村村民宅基地和建房（规划许可）审批（QX-2026-000123）需补正，请于2026-12-16前" in body
    assert "共 71 字，按 2 条短信计" in body  # longer than 70: parts of 67
    assert _stored(app) == []  # a preview saves nothing
    saved = post_form(admin, SMS_URL, {"text": text, "do": "save"})
    assert saved.status_code == 302
    case = _correction(app, client)
    [sms] = sms_gateway.requests
    assert sms.json()["text"] == (f"【清溪县政务服务】农村村民宅基地审批（{case.case_number}）需补正，"
                                  "请于2026-12-07前登录网上办事大厅提交。")
    # Back to the built-in text.
    post_form(admin, SMS_URL, {}, action=SMS_URL + "/reset")
    assert _stored(app) == []
    assert "{{ signature }}您申请的{{ item_name }}需补正材料" in admin.get(SMS_URL).get_data(as_text=True)


def test_template_errors_are_located_and_nothing_is_saved(app, factory, world):
    admin = _admin(app, factory)
    cases = {
        "{{ signature }}您好\n{{ applicant_name }}请补正": "第2行使用了未说明的变量“applicant_name”",
        "{{ signature }}第一行\n第二行{% if respond_by %}请补正": "第2行模板语法有误",
        "您申请的{{ item_name }}需补正": "短信须以 {{ signature }} 开头",
        "{{ signature }}请" + valid_id() + "补正": "短信不得含有身份证号码",
        "{{ signature }}{{ item_name.__class__ }}": "第1行访问了变量的属性",
        "": "请填写短信内容",
    }
    for text, error in cases.items():
        for do in ("preview", "save"):
            resp = post_form(admin, SMS_URL, {"text": text, "do": do})
            body = resp.get_data(as_text=True)
            assert resp.status_code == 422, (text, do)
            assert error in body.replace("&#34;", '"').replace("&#39;", "'"), (text, body[:2000])
            assert 'href="#f-text"' in body  # the summary links to the field
    assert _stored(app) == []


def test_email_html_may_not_track_and_inbox_text_is_editable(app, client, factory, world):
    admin = _admin(app, factory)
    url = "/admin/notification-templates/notice.correction/email"
    resp = post_form(admin, url, {"subject": "补正：{{ item_name }}", "text": "请补正",
                                  "html": '<p>请补正</p><img src="https://t.example/p.gif">', "do": "save"})
    assert resp.status_code == 422 and "HTML 正文不能包含图片" in resp.get_data(as_text=True)
    inbox_url = "/admin/notification-templates/notice.correction/inbox"
    saved = post_form(admin, inbox_url, {"title": "请补正材料：{{ item_name }}",
                                         "body": "请于 {{ respond_by }} 前补正。", "do": "save"})
    assert saved.status_code == 302
    _correction(app, client)
    assert "请补正材料：农村村民宅基地审批" in inbox_titles(app, world["applicant"])


def test_only_administrators_edit_templates(app, factory, world):
    clerk = staff_client(app, "clerk1")
    assert clerk.get("/admin/notification-templates/").status_code == 403
    resp = post_form(clerk, "/workbench/", {"text": "{{ signature }}x", "do": "save"}, action=SMS_URL)
    assert resp.status_code == 403
    admin = _admin(app, factory)
    assert admin.get("/admin/notification-templates/applicant.submitted/sms").status_code == 404  # no SMS for it
    assert admin.get("/admin/notification-templates/nothing.here/inbox").status_code == 404
