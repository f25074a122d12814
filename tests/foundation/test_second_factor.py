"""动态验证码 for staff (TOTP, service_hall/accounts/second_factor.py): turned on from the account page,
then needed with the password on the web and for API tokens; a code works once, wrong codes slow the
(account, address) pair like wrong passwords, and an administrator's reset removes it."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest

from tests.factories.accounts import PASSWORD
from tests.factories.web import csrf_token, login, post_form

WALL = dt.datetime(2026, 12, 2, 3, 0, 10, tzinfo=dt.UTC)
SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')


@pytest.fixture
def clerk(app, factory, monkeypatch):
    factory.demo_jurisdictions()
    factory.staff("clerk1", "clerk", "330199101000")
    monkeypatch.setitem(app.config, "FIXED_WALL_CLOCK", WALL)


def _code(secret: str, at: dt.datetime = WALL) -> str:
    return pyotp.TOTP(secret).at(at)


def _enrol(client) -> str:
    page = client.get("/account/second-factor")
    assert page.status_code == 200
    secret = SECRET_RE.search(page.get_data(as_text=True)).group(1).replace(" ", "")
    assert "<svg" in page.get_data(as_text=True)  # the QR code for the authenticator app
    wrong = post_form(client, "/account/second-factor", {"code": "000000" if _code(secret) != "000000" else "111111"})
    assert wrong.status_code == 422 and "动态验证码不正确" in wrong.get_data(as_text=True)
    resp = post_form(client, "/account/second-factor", {"code": _code(secret)})
    assert resp.status_code == 302
    return secret


def _password_step(client, password: str = PASSWORD):
    return post_form(client, "/login", {"username": "clerk1", "password": password})


def test_a_clerk_turns_it_on_and_then_signs_in_with_password_and_code(app, client, clerk):
    login(client, "clerk1")
    secret = _enrol(client)
    assert "已启用" in client.get("/account").get_data(as_text=True)
    post_form(client, "/account", {}, action="/logout")

    fresh = app.test_client()
    resp = _password_step(fresh)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/code")
    assert fresh.get("/account").status_code == 302  # not signed in by the password alone
    wrong = post_form(fresh, "/login/code", {"code": "12345"})
    assert wrong.status_code == 401 and "动态验证码不正确" in wrong.get_data(as_text=True)
    app.config["FIXED_WALL_CLOCK"] = WALL + dt.timedelta(seconds=30)
    resp = post_form(fresh, "/login/code", {"code": _code(secret, WALL + dt.timedelta(seconds=30))})
    assert resp.status_code == 302
    assert fresh.get("/account").status_code == 200


def test_a_code_works_once(app, client, clerk):
    login(client, "clerk1")
    secret = _enrol(client)
    app.config["FIXED_WALL_CLOCK"] = later = WALL + dt.timedelta(seconds=60)
    first, second = app.test_client(), app.test_client()
    _password_step(first)
    _password_step(second)
    assert post_form(first, "/login/code", {"code": _code(secret, later)}).status_code == 302
    replay = post_form(second, "/login/code", {"code": _code(secret, later)})
    assert replay.status_code == 401 and "已使用" in replay.get_data(as_text=True)


def test_the_code_step_without_a_password_step_or_after_it_expired_goes_back_to_login(app, client, clerk):
    login(client, "clerk1")
    secret = _enrol(client)
    stranger = app.test_client()
    assert stranger.get("/login/code").headers["Location"].endswith("/login")
    late = app.test_client()
    _password_step(late)
    app.config["FIXED_WALL_CLOCK"] = WALL + dt.timedelta(minutes=6)
    resp = late.post("/login/code", data={"csrf_token": csrf_token(late, "/login"),
                                          "code": _code(secret, WALL + dt.timedelta(minutes=6))})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")


def test_wrong_codes_slow_the_address_like_wrong_passwords(app, client, clerk):
    login(client, "clerk1")
    secret = _enrol(client)
    guesser = app.test_client()
    _password_step(guesser)
    statuses = [post_form(guesser, "/login/code", {"code": "999999"}).status_code
                for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1)]
    assert statuses[-1] == 401 and 429 not in statuses[:-1]
    # Even a valid code (the next step's, within the allowed drift) waits while the delay runs.
    resp = post_form(guesser, "/login/code", {"code": _code(secret, WALL + dt.timedelta(seconds=30))})
    assert resp.status_code == 429 and "登录尝试过于频繁" in resp.get_data(as_text=True)


def test_an_api_token_needs_the_code_too(app, client, clerk):
    login(client, "clerk1")
    secret = _enrol(client)
    api = app.test_client()
    resp = api.post("/api/v1/auth/token", json={"username": "clerk1", "password": PASSWORD})
    assert resp.status_code == 401 and "totp" in resp.get_json()["message"]
    resp = api.post("/api/v1/auth/token", json={"username": "clerk1", "password": PASSWORD, "totp": "000000"})
    assert resp.status_code == 401
    app.config["FIXED_WALL_CLOCK"] = later = WALL + dt.timedelta(seconds=30)
    resp = api.post("/api/v1/auth/token", json={"username": "clerk1", "password": PASSWORD,
                                                "totp": _code(secret, later)})
    assert resp.status_code == 201
    # A wrong password with the right code is still refused, without saying which was wrong.
    resp = api.post("/api/v1/auth/token", json={"username": "clerk1", "password": "Wrong-pass-1",
                                                "totp": _code(secret, later)})
    assert resp.status_code == 401 and resp.get_json()["message"] == "用户名或密码错误"


def test_turning_it_off_needs_a_current_code(app, client, clerk):
    login(client, "clerk1")
    secret = _enrol(client)
    app.config["FIXED_WALL_CLOCK"] = later = WALL + dt.timedelta(seconds=30)
    assert post_form(client, "/account/second-factor", {"code": "000001"}).status_code == 422
    assert post_form(client, "/account/second-factor", {"code": _code(secret, later)}).status_code == 302
    resp = _password_step(app.test_client())
    assert resp.status_code == 302 and not resp.headers["Location"].endswith("/login/code")


def test_an_administrators_reset_removes_it(app, client, clerk, factory):
    from service_hall.accounts.models import User
    from service_hall.extensions import db

    login(client, "clerk1")
    _enrol(client)
    factory.staff("admin1", "admin", "330199000000")
    admin = app.test_client()
    login(admin, "admin1")
    with app.app_context():
        user_id = db.session.query(User).filter_by(username="clerk1").one().id
    resp = post_form(admin, "/admin/users", {}, action=f"/admin/users/{user_id}/reset-password",
                     follow_redirects=True)
    temporary = re.search(r"临时密码（仅显示这一次，请当面告知）：(\S+?)<", resp.get_data(as_text=True)).group(1)
    resp = _password_step(app.test_client(), temporary)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account")


def test_applicants_do_not_have_it(app, client, clerk, factory):
    factory.applicant()
    login(client, "13900000001")
    assert client.get("/account/second-factor").status_code == 404
    assert "动态验证码" not in client.get("/account").get_data(as_text=True)
