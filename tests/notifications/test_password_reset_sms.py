"""找回密码 by SMS code (service_hall/accounts/recovery.py), against the loopback SMS gateway: the same
answer for unknown accounts, a one-time code that dies after wrong guesses, a strength-checked new
password that ends every session and token, audited; hidden and explained without SMS."""

from __future__ import annotations

import re

from sqlalchemy import select

from service_hall.accounts.recovery import PasswordResetCode
from service_hall.audit.models import AuditRecord
from service_hall.extensions import db
from tests.factories.accounts import valid_id
from tests.factories.web import api_token, login, post_form

SIX_DIGITS = re.compile(r"验证码(\d{6})")
MOBILE = "13900000001"
NEW = "翠竹深处-Lantern-7781"


def _forgot(client, login_name=MOBILE):
    return post_form(client, "/forgot", {"login": login_name})


def _reset(client, code, password=NEW, confirm=None, login_name=MOBILE):
    return post_form(client, "/reset", {"login": login_name, "code": code, "new_password": password,
                                        "new_password_confirm": password if confirm is None else confirm})


def test_a_code_by_sms_resets_the_password_and_ends_every_session(app, client, world, sms_gateway):
    other = app.test_client()
    login(other, MOBILE)
    token = api_token(app.test_client(), MOBILE)
    assert "忘记密码" in client.get("/login").get_data(as_text=True)
    resp = _forgot(client)
    assert resp.status_code == 302 and "/reset" in resp.headers["Location"]
    assert "验证码已发送至该手机" in client.get(resp.headers["Location"]).get_data(as_text=True)
    [sms] = sms_gateway.requests
    body = sms.json()
    assert body["mobile"] == MOBILE and body["text"].startswith("【清溪县政务服务】您正在找回密码")
    assert valid_id() not in sms.body.decode()
    code = SIX_DIGITS.search(body["text"]).group(1)
    with app.app_context():
        stored = db.session.scalars(select(PasswordResetCode.code_hash)).all()
        assert code not in " ".join(h or "" for h in stored)  # hashed at rest
    weak = _reset(client, code, password="Passw0rd")
    assert weak.status_code == 422 and "new_password" in weak.get_data(as_text=True)
    mismatch = _reset(client, code, confirm=NEW + "x")
    assert mismatch.status_code == 422 and "两次输入的密码不一致" in mismatch.get_data(as_text=True)
    done = _reset(client, code)
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    # Every session and token of the account ended; the new password works, the old one not.
    assert other.get("/portal/").status_code == 302
    assert app.test_client().get("/api/v1/cases", headers=token).status_code == 401
    login(app.test_client(), MOBILE, NEW)
    assert post_form(app.test_client(), "/login", {"username": MOBILE, "password": "x"}).status_code == 401
    assert _reset(client, code, password=NEW + "!").status_code == 422  # used once
    with app.app_context():
        assert db.session.scalar(select(AuditRecord.id).where(
            AuditRecord.action == "user.reset_password_by_sms", AuditRecord.object_id == str(world["applicant"])))


def test_unknown_accounts_get_the_same_answer_and_no_sms(app, client, world, sms_gateway):
    known, unknown = _forgot(client), _forgot(app.test_client(), "13900000099")
    assert known.status_code == unknown.status_code == 302
    assert [len(sms_gateway.requests)] == [1]
    assert _reset(client, "123456", login_name="13900000099").status_code == 422


def test_five_wrong_guesses_kill_the_code_and_requests_are_limited(app, client, world, sms_gateway):
    _forgot(client)
    code = SIX_DIGITS.search(sms_gateway.requests[0].json()["text"]).group(1)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        refused = _reset(client, wrong)
        assert refused.status_code == 422 and "验证码不正确或已失效" in refused.get_data(as_text=True)
    assert _reset(client, code).status_code == 422
    # At most three codes an hour per account (the first one above included); the answer stays the same.
    for _ in range(4):
        assert _forgot(client).status_code == 302
    assert len(sms_gateway.requests) == 3


def test_without_sms_the_reset_is_hidden_and_explained(app, client, world):
    assert "忘记密码" not in client.get("/login").get_data(as_text=True)
    page = client.get("/forgot").get_data(as_text=True)
    assert "本中心未开通短信验证码" in page and "联系系统管理员" in page
    posted = post_form(client, "/login", {"login": MOBILE}, action="/forgot")
    assert posted.status_code == 200 and "本中心未开通短信验证码" in posted.get_data(as_text=True)
    assert client.get("/reset").status_code == 302
