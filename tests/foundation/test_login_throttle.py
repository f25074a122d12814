"""Wrong passwords slow down one (account, address) pair progressively instead of locking the account
for everyone, answer unknown names exactly like real ones, and an administrator can clear the delay
(service_hall/accounts/throttle.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories.accounts import PASSWORD
from tests.factories.web import csrf_token

T0 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)



@pytest.fixture(autouse=True)
def _real_wall_clock_afterwards(app):
    yield
    app.config.pop("FIXED_WALL_CLOCK", None)

@pytest.fixture
def accounts(app, factory):
    factory.demo_jurisdictions()
    factory.staff("admin1", "admin", "330199000000")
    factory.staff("admin2", "admin", "330199000000")
    app.config["FIXED_WALL_CLOCK"] = T0


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _login(client, username: str, password: str):
    return client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "username": username,
                                       "password": password})


def _token(client, username: str, password: str):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out(app, accounts):
    attacker = _from(app, "203.0.113.9")
    for _ in range(12):
        _login(attacker, "admin1", "wrong-password-1")
    owner = _from(app, "198.51.100.7")
    assert _login(owner, "admin1", PASSWORD).status_code == 302
    assert _token(_from(app, "198.51.100.7"), "admin1", PASSWORD).status_code == 201


def test_the_delay_grows_and_then_lets_the_right_password_in(app, accounts):
    client = _from(app, "203.0.113.9")
    for _ in range(5):
        assert _login(client, "admin1", "wrong-password-1").status_code == 401
    assert _login(client, "admin1", "wrong-password-1").status_code == 401  # the 6th waits 1 s from now
    resp = _login(client, "admin1", PASSWORD)
    assert resp.status_code == 429 and "登录尝试过于频繁，请 1 秒后再试" in resp.get_data(as_text=True)
    app.config["FIXED_WALL_CLOCK"] = T0 + dt.timedelta(seconds=1)
    assert _login(client, "admin1", "wrong-password-1").status_code == 401  # 7th: 2 s
    app.config["FIXED_WALL_CLOCK"] = T0 + dt.timedelta(seconds=2)
    assert _login(client, "admin1", PASSWORD).status_code == 429
    app.config["FIXED_WALL_CLOCK"] = T0 + dt.timedelta(seconds=3)
    assert _login(client, "admin1", PASSWORD).status_code == 302


def test_unknown_names_are_answered_like_real_ones(app, accounts):
    real, ghost = _from(app, "203.0.113.1"), _from(app, "203.0.113.2")
    answers = {}
    for client, name in ((real, "admin1"), (ghost, "no-such-user")):
        pages = [_login(client, name, "wrong-password-1") for _ in range(7)]
        tokens = [_token(client, name, "wrong-password-1") for _ in range(2)]
        answers[name] = ([p.status_code for p in pages], [t.status_code for t in tokens],
                         [t.get_json()["message"] for t in tokens])
    assert answers["admin1"] == answers["no-such-user"]
    assert answers["admin1"][1] == [429, 429]


def test_an_administrator_clears_the_delay(app, accounts):
    from service_hall.accounts.models import User
    from service_hall.extensions import db
    from tests.factories.web import login, post_form

    client = _from(app, "203.0.113.9")
    for _ in range(9):
        _login(client, "admin2", "wrong-password-1")
    assert _login(client, "admin2", PASSWORD).status_code == 429
    admin = app.test_client()
    login(admin, "admin1")
    with app.app_context():
        user_id = db.session.query(User).filter_by(username="admin2").one().id
    resp = post_form(admin, "/admin/users", {}, action=f"/admin/users/{user_id}/unlock")
    assert resp.status_code == 302
    assert _login(client, "admin2", PASSWORD).status_code == 302
