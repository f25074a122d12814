"""Webhooks: an administrator subscribes a URL; payloads are signed, carry an event_id, are retried after a
500, logged with response codes; private addresses are refused unless allowed; redirects are not followed."""

from __future__ import annotations

import hashlib
import hmac
import re

from sqlalchemy import select

from service_hall.extensions import db
from service_hall.notifications.models import ChannelName, MessageStatus, WebhookSubscription
from tests.factories.accounts import valid_id
from tests.factories.clock import at
from tests.factories.web import post_form
from tests.notifications.support import act, dispatch, outbox, staff_client, submit_case

COUNTY = "330199000000"


def _subscribe(app, factory, url, events=("case.submitted", "case.accepted")):
    factory.staff("admin1", "admin", COUNTY)
    admin = staff_client(app, "admin1")
    resp = post_form(admin, "/admin/webhooks/", {"url": url, "description": "省一体化平台", "events": list(events)})
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    secret = re.search(r"<code>([0-9a-f]{64})</code>", resp.get_data(as_text=True)).group(1)
    with app.app_context():
        sub_id = db.session.scalars(select(WebhookSubscription.id)).one()
    return admin, secret, sub_id


def _check_signature(request, secret):
    ts = request.headers["X-Hall-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Hall-Signature"], expected)


def test_a_webhook_is_signed_and_retried_after_a_500(app, client, factory, world, receiver,
                                                      allow_private):
    app.config["FIXED_NOW"] = at("2026-11-23")
    admin, secret, sub_id = _subscribe(app, factory, receiver.url())
    receiver.script = [500]
    case = submit_case(app, client)
    dispatch(app)
    [first] = receiver.requests
    _check_signature(first, secret)
    body = first.json()
    assert body["event"] == "case.submitted" and first.headers["X-Hall-Event"] == "case.submitted"
    assert body["event_id"] == first.headers["X-Hall-Event-Id"]
    assert body["data"]["case_number"] == case.case_number and body["data"]["item_code"] == "330199-XK-001"
    # Nothing personal leaves the hall: no name, no identity number, no applicant link.
    sent = first.body.decode()
    assert "李堃" not in sent and valid_id() not in sent and case.ref not in sent
    [row] = outbox(app, channel=ChannelName.WEBHOOK)
    assert row.status == MessageStatus.PENDING and row.last_error == "订阅方返回 500"
    dispatch(app, at=row.next_attempt_at)
    second = receiver.requests[1]
    assert second.json()["event_id"] == body["event_id"]  # the same event, so the receiver can tell
    _check_signature(second, secret)
    assert outbox(app, channel=ChannelName.WEBHOOK)[0].status == MessageStatus.SENT
    log = admin.get(f"/admin/webhooks/{sub_id}").get_data(as_text=True)
    assert "HTTP 500" in log and "HTTP 200" in log and body["event_id"] in log
    # Events not subscribed to are not sent.
    act(staff_client(app, "clerk1"), case, "correction", {"target": ["M02"], "problem": ["不清晰"],
                                                          "respond_days": "10"})
    dispatch(app)
    assert [r.json()["event"] for r in receiver.requests] == ["case.submitted", "case.submitted"]


def test_send_test_button(app, client, factory, world, receiver, allow_private):
    app.config["FIXED_NOW"] = at("2026-11-23")
    admin, secret, sub_id = _subscribe(app, factory, receiver.url())
    resp = post_form(admin, f"/admin/webhooks/{sub_id}", {}, action=f"/admin/webhooks/{sub_id}/test")
    assert resp.status_code == 302
    dispatch(app)
    [hit] = receiver.requests
    assert hit.json()["event"] == "webhook.test"
    _check_signature(hit, secret)


def test_private_addresses_are_refused_unless_allowed(app, client, factory, world, receiver):
    app.config["FIXED_NOW"] = at("2026-11-23")
    _subscribe(app, factory, receiver.url())
    submit_case(app, client)
    dispatch(app)
    assert receiver.requests == []
    [row] = outbox(app, channel=ChannelName.WEBHOOK)
    assert row.status == MessageStatus.DEAD and row.last_error == "目标地址为内网或本机地址，按配置拒绝推送"


def test_redirects_are_not_followed(app, client, factory, world, receiver, allow_private):
    app.config["FIXED_NOW"] = at("2026-11-23")
    _subscribe(app, factory, receiver.url())
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data/"
    submit_case(app, client)
    dispatch(app)
    assert len(receiver.requests) == 1
    [row] = outbox(app, channel=ChannelName.WEBHOOK)
    assert row.status == MessageStatus.DEAD and row.last_error == "订阅方返回重定向（302），不跟随重定向"


def test_bad_subscriptions_get_clear_errors(app, factory, world):
    factory.staff("admin1", "admin", COUNTY)
    admin = staff_client(app, "admin1")
    resp = post_form(admin, "/admin/webhooks/", {"url": "ftp://example.cn/x", "events": ["case.nonsense"]})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "推送地址须为 http:// 或 https:// 开头的完整网址" in page
    assert "未知的事件类型：case.nonsense" in page
    resp = post_form(admin, "/admin/webhooks/", {"url": "https://example.cn/hook"})
    assert resp.status_code == 422 and "请至少选择一种事件" in resp.get_data(as_text=True)
    # Only administrators manage subscriptions.
    clerk = staff_client(app, "clerk1")
    assert clerk.get("/admin/webhooks/").status_code == 403


def test_the_webhooks_are_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").get_json()
    assert "event_id" in spec["components"]["schemas"]["WebhookPayload"]["properties"]
    hook = spec["x-webhooks"]["case.accepted"]["post"]
    body = hook["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"] == "#/components/schemas/WebhookPayload"
    assert {p["name"] for p in hook["parameters"]} >= {"X-Hall-Signature", "X-Hall-Timestamp"}


def test_a_slow_subscriber_times_out_and_stays_for_a_retry(app, client, factory, world, allow_private):
    import socket

    app.config["FIXED_NOW"] = at("2026-11-23")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts the connection, never answers
    try:
        _subscribe(app, factory, f"http://127.0.0.1:{silent.getsockname()[1]}/hook")
        case = submit_case(app, client)
        assert case.case_number  # the request that caused the event did not fail
        dispatch(app)
        [row] = outbox(app, channel=ChannelName.WEBHOOK)
        assert row.status == MessageStatus.PENDING and row.attempts == 1
        assert row.last_error == "目标服务器响应超时" and row.next_attempt_at > at("2026-11-23")
    finally:
        silent.close()
