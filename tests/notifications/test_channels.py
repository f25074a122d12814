"""Email arrives at a real SMTP server on loopback and SMS at a real HTTP gateway on loopback, with the
right text; failures of either never fail or slow the request and leave a clear state on the message."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import hmac
import json
import socket
import time

import pytest
from sqlalchemy import select

from service_hall.accounts.models import User
from service_hall.extensions import db
from service_hall.notifications import channels as ch
from service_hall.notifications.dispatch import BACKOFF, MAX_ATTEMPTS
from service_hall.notifications.models import ChannelName, MessageStatus, Preference
from tests.factories.accounts import valid_id
from tests.factories.clock import at
from tests.factories.web import post_form
from tests.notifications.support import act, dispatch, outbox, staff_client, submit_case


def _choose_email(app, client, address="likun@example.cn"):
    resp = post_form(client, "/account/notifications", {"email": address, "email_enabled": "1", "sms_enabled": "1"})
    assert resp.status_code == 302


def test_email_arrives_with_text_and_html_parts(app, client, world, smtp_server):
    box, _ = smtp_server
    app.config["FIXED_NOW"] = at("2026-11-23")
    from tests.factories.web import login

    login(client, "13900000001")
    _choose_email(app, client)
    case = submit_case(app, client)
    act(staff_client(app, "clerk1"), case, "accept")
    dispatch(app)
    assert [e.rcpt_tos for e in box.envelopes] == [["likun@example.cn"]] * 3  # submitted, accepted, rate 受理
    mails = [email.message_from_bytes(e.content, policy=email.policy.default) for e in box.envelopes]
    subjects = sorted(m["Subject"] for m in mails[1:])
    assert subjects == ["已受理：农村村民宅基地审批", "请评价受理服务：农村村民宅基地审批"]
    mail = next(m for m in mails if m["Subject"] == "已受理：农村村民宅基地审批")
    assert mail["From"] == "便民服务中心 <noreply@qingxi.gov.cn>"
    text = mail.get_body(("plain",)).get_content()
    page = mail.get_body(("html",)).get_content()
    assert f"（办件编号 {case.case_number}）已于 2026-11-23 受理" in text
    assert f"http://localhost/portal/applications/{case.ref}" in text
    assert "<h1>已受理：农村村民宅基地审批</h1>" in page
    assert "<img" not in page and "http" not in page.replace(f"http://localhost/portal/applications/{case.ref}", "")
    assert valid_id() not in text  # no identity number in any message
    sent = outbox(app, channel=ChannelName.EMAIL)
    assert [m.status for m in sent] == [MessageStatus.SENT] * 3


def test_a_refusing_smtp_server_dead_letters_with_the_reason(app, client, world, smtp_server):
    box, _ = smtp_server
    box.refuse_with = "550 5.1.1 mailbox unavailable"
    app.config["FIXED_NOW"] = at("2026-11-23")
    from tests.factories.web import login

    login(client, "13900000001")
    _choose_email(app, client)
    submit_case(app, client)
    dispatch(app)
    [mail] = outbox(app, channel=ChannelName.EMAIL)
    assert mail.status == MessageStatus.DEAD and mail.last_error == "邮件服务器拒收收件人（550）"
    assert mail.attempts == 1  # a permanent refusal is not retried


def test_an_unreachable_smtp_server_is_retried_with_backoff_then_dead(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    from tests.factories.web import login

    login(client, "13900000001")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{closed_port}"
    try:
        _choose_email(app, client)
        submit_case(app, client)
        moment = at("2026-11-23")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            dispatch(app, at=moment)
            [mail] = outbox(app, channel=ChannelName.EMAIL)
            assert mail.attempts == attempt
            if attempt < MAX_ATTEMPTS:
                assert mail.status == MessageStatus.PENDING and "无法连接邮件服务器" in mail.last_error
                assert mail.next_attempt_at == moment + BACKOFF[attempt - 1]
                dispatch(app, at=moment + BACKOFF[attempt - 1] - dt.timedelta(seconds=1))  # not yet due
                assert outbox(app, channel=ChannelName.EMAIL)[0].attempts == attempt
                moment = mail.next_attempt_at
        assert mail.status == MessageStatus.DEAD and mail.last_error.startswith(f"已重试 {MAX_ATTEMPTS} 次仍失败")
        # The inbox copy arrived regardless.
        assert {m.status for m in outbox(app, channel=ChannelName.INBOX)} == {MessageStatus.SENT}
    finally:
        app.config["SMTP_URL"] = None


def test_a_hanging_smtp_server_never_slows_the_request(app, client, world, monkeypatch):
    monkeypatch.setattr(ch, "SMTP_TIMEOUT", 2.0)
    app.config["FIXED_NOW"] = at("2026-11-23")
    from tests.factories.web import login

    login(client, "13900000001")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections, never says a word
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{silent.getsockname()[1]}"
    try:
        _choose_email(app, client)
        from tests.factories.web import apply_online

        started = time.perf_counter()
        apply_online(client)
        assert time.perf_counter() - started < 1.5  # the request does not wait for the mail server
        from service_hall.web.notify import wait_for_background

        wait_for_background()
        [mail] = outbox(app, channel=ChannelName.EMAIL)
        assert mail.status == MessageStatus.PENDING and mail.last_error == "邮件服务器响应超时"
    finally:
        app.config["SMTP_URL"] = None
        silent.close()


def _verify(gateway_request, key="gateway-test-key"):
    ts = gateway_request.headers["X-Timestamp"]
    expected = hmac.new(key.encode(), ts.encode() + b"." + gateway_request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(gateway_request.headers["X-Signature"], expected)


def test_sms_only_for_what_needs_it_signed_and_counted(app, client, world, sms_gateway):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    clerk = staff_client(app, "clerk1")
    act(clerk, case, "correction", {"target": ["M02"], "problem": ["身份证复印件不清晰"], "respond_days": "10"})
    dispatch(app)
    # Submission is not worth an SMS; the correction is.
    [sms] = sms_gateway.requests
    assert sms.path == "/sms"
    _verify(sms)
    body = sms.json()
    assert body["mobile"] == "13900000001"
    assert body["text"] == ("【清溪县政务服务】您申请的农村村民宅基地审批需补正材料，"
                            "请于2026-12-07前登录网上办事大厅查看告知书并提交。")
    assert body["segments"] == ch.sms_segments(body["text"]) == 1
    assert sms.headers["Idempotency-Key"] == body["idempotency_key"]
    assert valid_id() not in sms.body.decode()
    [row] = outbox(app, channel=ChannelName.SMS)
    assert row.status == MessageStatus.SENT


def test_the_applicant_may_turn_sms_off(app, client, world, sms_gateway):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "发短信提醒我（139****0001）" in page
    post_form(client, "/account/notifications", {"sms_enabled": ""})
    act(staff_client(app, "clerk1"), case, "correction", {"target": ["M02"], "problem": ["不清晰"],
                                                          "respond_days": "10"})
    dispatch(app)
    assert sms_gateway.requests == []
    assert outbox(app, channel=ChannelName.INBOX)[-1].template == "notice.correction"  # the notice still arrives


def test_a_failing_gateway_is_retried_and_never_fails_the_request(app, client, world, sms_gateway):
    sms_gateway.script = [500, 503]
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    resp = act(staff_client(app, "clerk1"), case, "correction", {"target": ["M02"], "problem": ["不清晰"],
                                                                 "respond_days": "10"})
    assert resp.status_code == 302
    dispatch(app)
    [row] = outbox(app, channel=ChannelName.SMS)
    assert row.status == MessageStatus.PENDING and row.last_error == "短信网关返回 500"
    dispatch(app, at=row.next_attempt_at)
    dispatch(app, at=row.next_attempt_at + BACKOFF[1])
    [row] = outbox(app, channel=ChannelName.SMS)
    assert row.status == MessageStatus.SENT and row.attempts == 3
    assert len(sms_gateway.requests) == 3 and len(sms_gateway.delivered()) == 1


def test_segments_and_identity_numbers():
    assert ch.sms_segments("短" * 70) == 1
    assert ch.sms_segments("短" * 71) == 2
    assert ch.sms_segments("短" * 134) == 2
    assert ch.sms_segments("短" * 135) == 3
    with pytest.raises(ch.DeliveryError) as err:
        ch.check_sms_text("您的身份证号 33012719850312001X 已登记")
    assert err.value.permanent
    ch.check_sms_text("办件编号 3301991012026000001 已受理")  # 19 digits: a case number, not an ID


def test_email_preference_without_smtp_writes_no_email(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    with app.app_context():
        db.session.add(Preference(user_id=world["applicant"], email="a@b.cn", email_enabled=True, sms_enabled=True,
                                  updated_at=at("2026-11-23")))
        db.session.commit()
        assert db.session.get(User, world["applicant"]).mobile
    act(staff_client(app, "clerk1"), case, "accept")
    assert {m.channel for m in outbox(app)} == {ChannelName.INBOX}
    assert json.dumps([m.last_error for m in outbox(app)]) == json.dumps([None] * len(outbox(app)))
    _ = select


def test_a_gateway_that_times_out_leaves_the_sms_for_a_retry(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts the connection, never answers
    app.config.update(SMS_GATEWAY_URL=f"http://127.0.0.1:{silent.getsockname()[1]}/sms",
                      SMS_GATEWAY_KEY="gateway-test-key", SMS_SIGNATURE="清溪县政务服务")
    try:
        case = submit_case(app, client)
        resp = act(staff_client(app, "clerk1"), case, "correction", {"target": ["M02"], "problem": ["不清晰"],
                                                                     "respond_days": "10"})
        assert resp.status_code == 302  # the request is not failed by the channel
        dispatch(app)
        [row] = outbox(app, channel=ChannelName.SMS)
        assert row.status == MessageStatus.PENDING and row.attempts == 1 and "超时" in row.last_error
    finally:
        app.config.update(SMS_GATEWAY_URL=None, SMS_GATEWAY_KEY=None)
        silent.close()
