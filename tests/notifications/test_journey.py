"""The applicant's inbox fills as the case moves; opening a notice is its electronic delivery (电子送达);
the case thread between applicant and hall; channel choices."""

from __future__ import annotations

import re

from sqlalchemy import select

from service_hall.audit.models import AuditRecord
from service_hall.extensions import db
from service_hall.notifications.models import ChannelName, InboxItem, MessageStatus, NoticeReceipt
from tests.factories.clock import at
from tests.factories.web import csrf_token, post_form
from tests.notifications.support import act, inbox_titles, outbox, staff_client, submit_case


def test_the_inbox_fills_as_the_case_moves(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    assert inbox_titles(app, world["applicant"]) == ["申请已提交：农村村民宅基地审批"]
    # The town's window clerks are told a new application waits; reviewers are not.
    assert inbox_titles(app, world["clerk"]) == [f"新申请待受理：{case.case_number}"]
    assert inbox_titles(app, world["reviewer"]) == []
    assert inbox_titles(app, world["foreign_clerk"]) == []
    page = client.get("/portal/").get_data(as_text=True)
    assert re.search(r'消息 <span class="unread-count" aria-label="1 条未读">1</span>', page)

    clerk = staff_client(app, "clerk1")
    act(clerk, case, "correction", {"target": ["M02"], "problem": ["身份证复印件不清晰"], "respond_days": "10"})
    assert inbox_titles(app, world["applicant"])[-1] == "需补正材料：农村村民宅基地审批"
    with app.app_context():
        item = db.session.scalars(select(InboxItem).where(InboxItem.user_id == world["applicant"])
                                  .order_by(InboxItem.id.desc())).first()
        assert "请在 2026-12-07 前查看补正材料告知书" in item.body
        assert f"/portal/applications/{case.ref}" in item.body
    # Every message went through the outbox and is marked sent.
    assert {m.status for m in outbox(app)} == {MessageStatus.SENT}
    assert {m.channel for m in outbox(app)} == {ChannelName.INBOX}  # no email or SMS configured here

    inbox = client.get("/inbox").get_data(as_text=True)
    assert "需补正材料" in inbox and "申请已提交" in inbox and inbox.count("未读</span>") == 2


def test_opening_a_notice_in_the_inbox_is_its_delivery(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    clerk = staff_client(app, "clerk1")
    assert act(clerk, case, "accept").status_code == 302
    with app.app_context():
        item = db.session.scalars(select(InboxItem).where(InboxItem.user_id == world["applicant"],
                                                          InboxItem.notice_id.is_not(None))).one()
        item_id, notice_id = item.id, item.notice_id
    assert "已受理" in item.title
    # Staff opening the notice deliver nothing.
    clerk.get(f"/workbench/cases/{case.id}/documents/notices/{notice_id}.pdf")
    with app.app_context():
        assert db.session.scalar(select(NoticeReceipt)) is None
    app.config["FIXED_NOW"] = at("2026-11-24", 15)
    page = client.get(f"/inbox/{item_id}").get_data(as_text=True)
    assert "已于 2026-11-23 受理" in page and "查阅时间即为电子送达时间" in page
    app.config["FIXED_NOW"] = at("2026-11-25")
    client.get(f"/inbox/{item_id}")  # the first opening counts
    with app.app_context():
        receipt = db.session.scalars(select(NoticeReceipt)).one()
        assert receipt.opened_at == at("2026-11-24", 15) and receipt.channel == "inbox"
        assert db.session.scalar(select(AuditRecord).where(AuditRecord.action == "notice.open")) is not None
    staff_page = clerk.get(f"/workbench/cases/{case.id}").get_data(as_text=True)
    assert "2026-11-24 15:00 经站内消息查阅，视为送达" in staff_page
    assert "消息通知发送情况" in staff_page and "已送达" in staff_page
    # Nobody else can open the applicant's item.
    other = staff_client(app, "13900000002")
    assert other.get(f"/inbox/{item_id}").status_code == 404


def test_downloading_a_notice_on_the_case_page_is_its_delivery_too(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    act(staff_client(app, "clerk1"), case, "accept")
    with app.app_context():
        notice_id = db.session.scalars(select(InboxItem.notice_id).where(InboxItem.notice_id.is_not(None))).one()
    resp = client.get(f"/portal/applications/{case.ref}/documents/notices/{notice_id}.pdf")
    assert resp.status_code == 200
    with app.app_context():
        assert db.session.scalars(select(NoticeReceipt)).one().channel == "portal"
    page = client.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "经网上办事大厅办件页查阅，视为送达" in page


def test_a_refused_action_writes_no_message(app, client, world):
    """The outbox is written in the action's transaction: a refused action leaves nothing to send."""
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    before = len(outbox(app))
    reviewer = staff_client(app, "rev1")
    assert act(reviewer, case, "accept").status_code == 403
    stale = act(staff_client(app, "clerk1"), case, "accept", {"row_version": case.row_version - 1})
    assert stale.status_code == 409
    assert len(outbox(app)) == before


def test_the_case_thread_between_applicant_and_hall(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    page = f"/portal/applications/{case.ref}"
    resp = post_form(client, page, {"body": "请问身份证复印件需要正反面吗？"},
                     action=f"/portal/applications/{case.ref}/messages")
    assert resp.status_code == 302
    assert inbox_titles(app, world["clerk"])[-1] == f"申请人留言：{case.case_number}"
    clerk = staff_client(app, "clerk1")
    staff_page = clerk.get(f"/workbench/cases/{case.id}").get_data(as_text=True)
    assert "请问身份证复印件需要正反面吗？" in staff_page and "1 条新留言" in staff_page
    assert "1 条新留言" not in clerk.get(f"/workbench/cases/{case.id}").get_data(as_text=True)  # now read
    post_form(clerk, f"/workbench/cases/{case.id}", {"body": "申请人态度很好", "internal": "1"},
              action=f"/workbench/cases/{case.id}/messages")
    post_form(clerk, f"/workbench/cases/{case.id}", {"body": "需要正反面，复印在同一页即可。"},
              action=f"/workbench/cases/{case.id}/messages")
    view = client.get(page).get_data(as_text=True)
    assert "需要正反面，复印在同一页即可。" in view and "申请人态度很好" not in view
    assert "1 条新留言" in view
    assert inbox_titles(app, world["applicant"])[-1] == "办件留言：农村村民宅基地审批"
    with app.app_context():
        posts = list(db.session.scalars(select(AuditRecord).where(AuditRecord.action == "message.post")))
        assert [p.payload["internal"] for p in posts] == [False, True, False]
    # An empty message is refused with a clear message, and the applicant cannot write an internal note.
    resp = post_form(client, page, {"body": "  "}, action=f"/portal/applications/{case.ref}/messages",
                     follow_redirects=True)
    assert "请填写留言内容" in resp.get_data(as_text=True)
    post_form(client, page, {"body": "谢谢", "internal": "1"}, action=f"/portal/applications/{case.ref}/messages")
    assert "谢谢" in clerk.get(f"/workbench/cases/{case.id}").get_data(as_text=True)
    with app.app_context():
        from service_hall.notifications.models import CaseMessage

        assert db.session.scalars(select(CaseMessage).order_by(CaseMessage.id.desc())).first().internal is False
    # Another applicant cannot post in this thread.
    stranger = staff_client(app, "13900000002")
    token = csrf_token(stranger, "/portal/")
    resp = stranger.post(f"/portal/applications/{case.ref}/messages", data={"csrf_token": token, "body": "x"})
    assert resp.status_code == 404


def test_channel_choices_on_the_account_page(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    submit_case(app, client)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "本系统目前只提供站内消息通知" in page  # neither SMTP nor an SMS gateway is configured
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"
    try:
        resp = post_form(client, "/account/notifications", {"email": "不是邮箱", "email_enabled": "1"})
        assert resp.status_code == 422 and "请填写有效的电子邮箱地址" in resp.get_data(as_text=True)
        resp = post_form(client, "/account/notifications", {"email": "", "email_enabled": "1"})
        assert resp.status_code == 422 and "选择邮件通知须填写电子邮箱地址" in resp.get_data(as_text=True)
        resp = post_form(client, "/account/notifications", {"email": "likun@example.cn", "email_enabled": "1"})
        assert resp.status_code == 302
        assert 'value="likun@example.cn"' in client.get("/account/notifications").get_data(as_text=True)
    finally:
        app.config["SMTP_URL"] = None


def test_attachments_in_the_thread_are_checked_like_uploads(app, client, world, monkeypatch):
    import io

    from service_hall.notifications import operations
    from tests.factories.files import PDF, PNG

    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    page = f"/portal/applications/{case.ref}"
    action = f"/portal/applications/{case.ref}/messages"

    def send(who, url, body, content, name, **extra):
        token = csrf_token(who, url)
        return who.post(action if who is client else url + "/messages",
                        data={"csrf_token": token, "body": body, "file": (io.BytesIO(content), name), **extra},
                        content_type="multipart/form-data", follow_redirects=True)

    resp = send(client, page, "户口簿首页", PNG, "户口簿.png")
    assert "留言已发送" in resp.get_data(as_text=True)
    resp = send(client, page, "程序", b"MZ\x90\x00" + b"\x00" * 200, "说明.pdf")
    assert "文件内容不是允许的类型（PDF、JPG、PNG），请勿仅修改扩展名" in resp.get_data(as_text=True)
    monkeypatch.setattr(operations, "ATTACHMENT_MAX_BYTES", 1024 * 1024)  # 10 MB in production
    resp = send(client, page, "太大", PDF + b"0" * (1024 * 1024), "大.pdf")
    assert "文件超过 1 MB 上限" in resp.get_data(as_text=True)
    # Over the request limit (a 30 MB file): refused before it is read. A raw body, so the test client
    # does not spool it to a temporary file of its own.
    resp = client.post(action, data=b"0" * (30 * 1024 * 1024), content_type="multipart/form-data; boundary=x")
    assert resp.status_code == 413 and "上传的文件过大" in resp.get_data(as_text=True)
    clerk = staff_client(app, "clerk1")
    staff_page = f"/workbench/cases/{case.id}"
    send(clerk, staff_page, "内部：已核对", PDF, "核对.pdf", internal="1")
    from service_hall.notifications.models import CaseMessage

    with app.app_context():
        messages = list(db.session.scalars(select(CaseMessage).order_by(CaseMessage.id)))
        assert [m.body for m in messages] == ["户口簿首页", "内部：已核对"]  # refused ones were not kept
        first, note = messages[0].id, messages[1].id
    got = clerk.get(f"/workbench/cases/{case.id}/messages/{first}/file")
    assert got.status_code == 200 and got.data == PNG and got.mimetype == "image/png"
    assert client.get(f"/portal/applications/{case.ref}/messages/{first}/file").data == PNG
    assert client.get(f"/portal/applications/{case.ref}/messages/{note}/file").status_code == 404
