"""Sessions and API tokens end with logout and password changes; tokens are short-lived, refreshable,
listed and revoked by their owner (service_hall/accounts/credentials.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories.accounts import PASSWORD
from tests.factories.web import api_token, csrf_token, login, post_form

NEW_PASSWORD = "Lantern-Harbour-2026"



@pytest.fixture(autouse=True)
def _real_wall_clock_afterwards(app):
    yield
    app.config.pop("FIXED_WALL_CLOCK", None)

@pytest.fixture
def clerk(factory):
    factory.demo_jurisdictions()
    factory.staff("clerk1", "clerk", "330199101000")
    factory.staff("clerk2", "clerk", "330199101000")


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _copy_cookie(source, target) -> None:
    cookie = source.get_cookie("session")
    target.set_cookie(cookie.key, cookie.value, domain=cookie.domain)


def test_a_cookie_copied_before_logout_no_longer_works(app, clerk):
    browser, thief = app.test_client(), app.test_client()
    login(browser, "clerk1")
    _copy_cookie(browser, thief)
    assert _signed_in(thief)
    post_form(browser, "/account", {}, action="/logout")
    assert not _signed_in(browser)
    assert not _signed_in(thief)


def test_a_password_change_ends_other_sessions_and_tokens(app, clerk):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "clerk1")
    login(elsewhere, "clerk1")
    token = api_token(app.test_client(), "clerk1")
    other_user = api_token(app.test_client(), "clerk2")
    resp = post_form(here, "/account", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert resp.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 401
    assert app.test_client().get("/api/v1/me", headers=other_user).status_code == 200
    login(app.test_client(), "clerk1", NEW_PASSWORD)


def test_disabling_an_account_ends_its_sessions(app, clerk, factory):
    factory.staff("admin1", "admin", "330199000000")
    victim = app.test_client()
    login(victim, "clerk1")
    token = api_token(app.test_client(), "clerk1")
    admin = app.test_client()
    login(admin, "admin1")
    from service_hall.accounts.models import User
    from service_hall.extensions import db

    with app.app_context():
        user_id = db.session.query(User).filter_by(username="clerk1").one().id
    resp = post_form(admin, "/admin/users", {"active": "0", "confirm": "1"}, action=f"/admin/users/{user_id}/active")
    assert resp.status_code == 302
    assert not _signed_in(victim)
    with app.app_context():
        db.session.query(User).filter_by(username="clerk1").one().active = True
        db.session.commit()
    assert not _signed_in(victim)  # re-enabling does not bring old sessions back
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 401


def test_a_token_can_revoke_itself(app, clerk):
    client = app.test_client()
    headers = api_token(client, "clerk1")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 401


def test_own_tokens_are_listed_and_revoked_by_id(app, clerk):
    client = app.test_client()
    first, second = api_token(client, "clerk1"), api_token(client, "clerk1")
    listed = client.get("/api/v1/auth/tokens", headers=second).get_json()
    assert len(listed) == 2 and [t["current"] for t in listed] == [True, False]
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    other = api_token(client, "clerk2")
    assert client.delete(f"/api/v1/auth/tokens/{listed[1]['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/me", headers=first).status_code == 200
    assert client.delete(f"/api/v1/auth/tokens/{listed[1]['id']}", headers=second).status_code == 204
    assert client.get("/api/v1/me", headers=first).status_code == 401


def test_tokens_are_short_lived_and_refreshed(app, clerk):
    client = app.test_client()
    issued_at = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
    app.config["FIXED_WALL_CLOCK"] = issued_at
    resp = client.post("/api/v1/auth/token", json={"username": "clerk1", "password": PASSWORD})
    body = resp.get_json()
    assert dt.datetime.fromisoformat(body["expires_at"]) <= issued_at + dt.timedelta(hours=12)
    old = {"Authorization": f"Bearer {body['token']}"}
    app.config["FIXED_WALL_CLOCK"] = issued_at + dt.timedelta(hours=11)
    fresh = client.post("/api/v1/auth/token/refresh", headers=old)
    assert fresh.status_code == 201
    new = {"Authorization": f"Bearer {fresh.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=old).status_code == 401
    app.config["FIXED_WALL_CLOCK"] = issued_at + dt.timedelta(hours=20)
    assert client.get("/api/v1/me", headers=new).status_code == 200
    app.config["FIXED_WALL_CLOCK"] = issued_at + dt.timedelta(hours=24)
    assert client.get("/api/v1/me", headers=new).status_code == 401


def test_a_user_holds_a_bounded_number_of_tokens(app, clerk):
    from service_hall.accounts.credentials import MAX_TOKENS

    client = app.test_client()
    tokens = [api_token(client, "clerk1") for _ in range(MAX_TOKENS + 2)]
    assert client.get("/api/v1/me", headers=tokens[0]).status_code == 401
    assert client.get("/api/v1/me", headers=tokens[1]).status_code == 401
    assert client.get("/api/v1/me", headers=tokens[2]).status_code == 200
    assert len(client.get("/api/v1/auth/tokens", headers=tokens[-1]).get_json()) == MAX_TOKENS


def test_logout_token_without_bearer_is_401(app, clerk):
    assert app.test_client().delete("/api/v1/auth/token").status_code == 401
    assert csrf_token(app.test_client(), "/login")


def test_an_administrator_resets_a_staff_password_which_must_then_be_changed(app, clerk, factory):
    import re

    from service_hall.accounts.models import User
    from service_hall.extensions import db

    factory.staff("admin1", "admin", "330199000000")
    victim = app.test_client()
    login(victim, "clerk1")
    token = api_token(app.test_client(), "clerk1")
    admin = app.test_client()
    login(admin, "admin1")
    with app.app_context():
        user_id = db.session.query(User).filter_by(username="clerk1").one().id
    resp = post_form(admin, "/admin/users", {}, action=f"/admin/users/{user_id}/reset-password",
                     follow_redirects=True)
    temporary = re.search(r"临时密码（仅显示这一次，请当面告知）：(\S+?)<", resp.get_data(as_text=True)).group(1)
    assert not _signed_in(victim)
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 401
    fresh = app.test_client()
    login(fresh, "clerk1", temporary)
    resp = fresh.get("/workbench/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account")
    assert "您正在使用管理员发放的初始密码" in fresh.get("/account").get_data(as_text=True)
    assert fresh.get("/api/v1/me", headers=api_token(fresh, "clerk1", temporary)).status_code == 403
    resp = post_form(fresh, "/account", {"old_password": temporary, "new_password": NEW_PASSWORD})
    assert resp.status_code == 302
    assert fresh.get("/workbench/").status_code == 200


def test_the_reset_page_does_not_reach_applicants(app, clerk, factory):
    applicant_id = factory.applicant()
    factory.staff("admin1", "admin", "330199000000")
    admin = app.test_client()
    login(admin, "admin1")
    resp = post_form(admin, "/admin/users", {}, action=f"/admin/users/{applicant_id}/reset-password")
    assert resp.status_code == 404
    login(app.test_client(), "13900000001")  # the applicant's own password still works


def test_the_account_lists_its_sessions_and_tokens_and_ends_them(app, clerk):
    import re

    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "clerk1")
    login(phone, "clerk1")
    headers = api_token(app.test_client(), "clerk1")
    page = laptop.get("/account/sessions").get_data(as_text=True)
    assert page.count("（当前浏览器）") == 1
    session_ids = re.findall(r"/account/sessions/(\d+)/revoke", page)
    token_ids = re.findall(r"/account/tokens/(\d+)/revoke", page)
    assert len(session_ids) == 2 and len(token_ids) == 1
    # End the phone's session (the row that is not this browser) and the token.
    rows = re.findall(r"<tr>.*?</tr>", page, flags=re.S)
    other = [re.search(r"/account/sessions/(\d+)/revoke", r).group(1) for r in rows
             if "/account/sessions/" in r and "（当前浏览器）" not in r]
    assert len(other) == 1
    assert post_form(laptop, "/account/sessions", {}, action=f"/account/sessions/{other[0]}/revoke").status_code == 302
    assert not _signed_in(phone) and _signed_in(laptop)
    resp = post_form(laptop, "/account/sessions", {}, action=f"/account/tokens/{token_ids[0]}/revoke")
    assert resp.status_code == 302
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401


def test_nobody_ends_someone_elses_session_or_token(app, clerk):
    import re

    victim = app.test_client()
    login(victim, "clerk1")
    api_token(app.test_client(), "clerk1")
    page = victim.get("/account/sessions").get_data(as_text=True)
    session_id = re.findall(r"/account/sessions/(\d+)/revoke", page)[0]
    token_id = re.findall(r"/account/tokens/(\d+)/revoke", page)[0]
    other = app.test_client()
    login(other, "clerk2")
    assert post_form(other, "/account/sessions", {}, action=f"/account/sessions/{session_id}/revoke").status_code == 404
    assert post_form(other, "/account/sessions", {}, action=f"/account/tokens/{token_id}/revoke").status_code == 404
    assert _signed_in(victim)
