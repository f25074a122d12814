"""帮办代办: the 材料复用授权码 is sent to the applicant's own mobile (SMS through the loopback gateway)
and inbox; the clerk never sees it and reuses the stored files only once the applicant reads it out."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, text

from service_hall.extensions import db
from service_hall.jurisdictions.operations import by_code
from service_hall.notifications.channels import configure_session
from service_hall.notifications.codes import send_reuse_code
from service_hall.notifications.models import InboxItem
from service_hall.web.notify import wait_for_background
from tests.cases.test_walk_in import _applicant_with_a_stored_file, _id_number, _start
from tests.factories.clock import at
from tests.factories.places import QINGSHAN
from tests.factories.web import login
from tests.notifications.support import dispatch

SIX_DIGITS = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def _send(client, **fields):
    return _start(client, send_code="1", **fields)


def test_the_code_goes_by_sms_and_inbox_and_lets_the_clerk_reuse_files(app, client, world, sms_gateway):
    app.config["FIXED_NOW"] = at("2026-11-23")
    _applicant_with_a_stored_file(app, app.test_client())
    login(client, "clerk1")
    assert "向申请人发送授权码" in client.get("/workbench/file").get_data(as_text=True)
    sent = _send(client)
    page = sent.get_data(as_text=True)
    assert sent.status_code == 200 and "授权码已发送至申请人手机 139****0001" in page
    dispatch(app)
    [sms] = sms_gateway.requests
    body = sms.json()
    assert body["mobile"] == "13900000001"
    assert body["text"].startswith("【清溪县政务服务】材料复用授权码")
    assert _id_number("13900000001") not in sms.body.decode() and "李堃" not in body["text"]
    code = SIX_DIGITS.search(body["text"]).group(1)
    assert code not in page  # the clerk is not shown the code
    assert code in _inbox_page(app)  # the applicant reads it in their inbox while it is valid
    resp = _start(client, reuse_code=code)
    assert resp.status_code == 302
    assert "机密申请表.pdf" in client.get(resp.headers["Location"]).get_data(as_text=True)
    # Used once.
    assert _start(client, reuse_code=code).status_code == 422


def _inbox_page(app) -> str:
    applicant = app.test_client()
    login(applicant, "13900000001")
    with app.app_context():
        item_id = db.session.scalar(select(InboxItem.id).where(InboxItem.title == "材料复用授权码"))
    return applicant.get(f"/inbox/{item_id}").get_data(as_text=True)


def _dump(app) -> str:
    """The outbox and inbox tables as a database dump has them (once the request's delivery thread is done:
    it shares the test's connection)."""
    wait_for_background()
    with app.app_context():
        return "\n".join(str(tuple(row)) for table in ("notification_events", "outbox", "outbox_attempts",
                                                       "inbox_items")
                         for row in db.session.execute(text(f"SELECT * FROM {table}")))


def test_the_code_is_not_stored_in_clear_and_is_gone_after_it_expired(app, client, world, sms_gateway):
    app.config["FIXED_NOW"] = at("2026-11-23")
    login(client, "clerk1")
    assert _send(client).status_code == 200
    queued = _dump(app)
    dispatch(app)
    [sms] = sms_gateway.requests
    code = SIX_DIGITS.search(sms.json()["text"]).group(1)
    assert code not in queued and code not in _dump(app)
    assert "sealed" in queued and "[[sealed:" in _dump(app)  # the inbox keeps a sealed copy, the event none
    assert code in _inbox_page(app)
    app.config["FIXED_NOW"] = at("2026-11-23") + dt.timedelta(minutes=11)
    page = _inbox_page(app)
    assert code not in page and "已过期" in page
    dispatch(app)  # the worker's pass erases what has expired
    assert "[[sealed:" not in _dump(app) and "（已过期）" in _dump(app)


def test_a_code_not_sent_before_it_expired_is_not_sent(app, world, sms_gateway):
    with app.app_context():  # queued without a request, so nothing delivers it at once
        configure_session(db.session, app.config)
        send_reuse_code(db.session, {"mobile": "13900000001", "id_number": _id_number("13900000001"),
                                     "town_code": QINGSHAN}, towns=[by_code(db.session, QINGSHAN)],
                        now=at("2026-11-23"))
        db.session.commit()
    dispatch(app, at=at("2026-11-23") + dt.timedelta(minutes=11))
    assert sms_gateway.requests == []
    assert "[[sealed:" not in _dump(app) and "授权码已过期，未发送" in _dump(app)


def test_no_code_is_sent_for_a_mismatched_identity_nor_twice_a_minute(app, client, world, sms_gateway):
    app.config["FIXED_NOW"] = at("2026-11-23")
    login(client, "clerk1")
    wrong = _send(client, id_number=_id_number("13900000099"))
    assert wrong.status_code == 422 and "未找到手机号码和证件号码均相符的申请人" in wrong.get_data(as_text=True)
    assert _send(client).status_code == 200
    dispatch(app)
    again = _send(client)
    assert again.status_code == 422 and "授权码刚刚已发送" in again.get_data(as_text=True)
    foreign = app.test_client()
    login(foreign, "clerk.baisha")
    assert _send(foreign).status_code == 422
    assert len(sms_gateway.requests) == 1


def test_without_sms_the_button_is_hidden_and_the_portal_code_explained(app, client, world):
    login(client, "clerk1")
    page = client.get("/workbench/file").get_data(as_text=True)
    assert "向申请人发送授权码" not in page and "本中心未开通短信" in page
    refused = _send(client)
    assert refused.status_code == 422 and "请申请人登录后在“我的办件”页面生成授权码" in refused.get_data(as_text=True)
