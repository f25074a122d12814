"""帮办代办: the 材料复用授权码 is sent to the applicant's own mobile (SMS through the loopback gateway)
and inbox; the clerk never sees it and reuses the stored files only once the applicant reads it out."""

from __future__ import annotations

import re

from sqlalchemy import select

from service_hall.extensions import db
from service_hall.notifications.models import InboxItem
from tests.cases.test_walk_in import _applicant_with_a_stored_file, _id_number, _start
from tests.factories.clock import at
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
    with app.app_context():
        inbox = db.session.scalars(select(InboxItem).where(InboxItem.user_id == world["applicant"])).all()
        assert any(i.title == "材料复用授权码" and code in i.body for i in inbox)
    resp = _start(client, reuse_code=code)
    assert resp.status_code == 302
    assert "机密申请表.pdf" in client.get(resp.headers["Location"]).get_data(as_text=True)
    # Used once.
    assert _start(client, reuse_code=code).status_code == 422


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
