from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import func, select

from forms.validators import credit_code_check_char, id_number_check_char
from service_hall.accounts.models import User
from service_hall.extensions import db
from tests.factories.accounts import PASSWORD
from tests.factories.web import api_token, csrf_token, login, post_form

VALID_ID = "33012719850312001" + id_number_check_char("33012719850312001")
WRONG_ID = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
VALID_USCC = "91330127MA2H00001" + credit_code_check_char("91330127MA2H00001")


def _registration(**overrides):
    data = {"applicant_type": "person", "real_name": "王喆", "id_number": VALID_ID, "mobile": "13912345678",
            "password": "Good-pass-2026", "password_confirm": "Good-pass-2026"}
    data.update(overrides)
    return data


def _user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_applicant_registers_and_is_signed_in(app, client):
    resp = post_form(client, "/register", _registration())
    assert resp.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "王喆" in page and "申请人" in page
    with app.app_context():
        user = db.session.scalar(select(User).where(User.mobile == "13912345678"))
        assert user.password_hash.startswith("$argon2")  # never the plain password


def test_enterprise_registration_needs_a_valid_credit_code(app, client):
    wrong = VALID_USCC[:17] + ("0" if VALID_USCC[17] != "0" else "1")
    company = {"applicant_type": "enterprise", "organisation_name": "青山茶业有限公司"}
    resp = post_form(client, "/register", _registration(**company, credit_code=wrong))
    assert resp.status_code == 422
    assert "统一社会信用代码校验位错误" in resp.get_data(as_text=True)
    resp = post_form(client, "/register", _registration(**company, credit_code=VALID_USCC))
    assert resp.status_code == 302


def test_bad_registration_keeps_input_and_stores_nothing(app, client):
    before = _user_count(app)
    resp = post_form(client, "/register", _registration(id_number=WRONG_ID, real_name="王喆"))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "身份证号码校验位错误" in body
    assert 'value="王喆"' in body and f'value="{WRONG_ID}"' in body  # typed input kept
    assert "Good-pass-2026" not in body  # passwords are never echoed
    assert _user_count(app) == before


def test_each_registration_mistake_has_its_own_message(client):
    cases = {
        "mobile": ("12345", "请输入有效的11位手机号码"),
        "real_name": ("王" * 51, "姓名应为2至50个字"),
        "password": ("short1", "密码至少8位"),
    }
    for field, (value, message) in cases.items():
        data = _registration(**{field: value})
        if field == "password":
            data["password_confirm"] = value
        resp = post_form(client, "/register", data)
        assert resp.status_code == 422
        assert message in resp.get_data(as_text=True), field
    resp = post_form(client, "/register", _registration(password="abcdefgh", password_confirm="abcdefgh"))
    assert "密码须同时包含字母和数字" in resp.get_data(as_text=True)
    resp = post_form(client, "/register", _registration(password_confirm="Other-pass-2026"))
    assert "两次输入的密码不一致" in resp.get_data(as_text=True)
    resp = post_form(client, "/register", {})
    assert resp.get_data(as_text=True).count("此项为必填项") >= 5


def test_duplicate_mobile_is_refused(app, client, factory):
    factory.applicant(mobile="13912345678")
    resp = post_form(client, "/register", _registration())
    assert resp.status_code == 422
    assert "该手机号码已注册" in resp.get_data(as_text=True)
    assert _user_count(app) == 1


def test_wrong_csrf_token_is_refused_and_nothing_stored(app, client):
    csrf_token(client, "/register")
    resp = client.post("/register", data={**_registration(), "csrf_token": "forged"})
    assert resp.status_code == 400
    assert "表单校验失败" in resp.get_data(as_text=True)
    assert _user_count(app) == 0


def test_login_logout_and_wrong_password(client, factory):
    factory.demo_jurisdictions()
    factory.staff("clerk1", "clerk", "330199101000")
    resp = post_form(client, "/login", {"username": "clerk1", "password": "wrong-Pass1"})
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)
    assert 'value="clerk1"' in resp.get_data(as_text=True)
    login(client, "clerk1")
    assert client.get("/account").status_code == 200
    resp = post_form(client, "/account", {}, action="/logout")
    assert resp.status_code == 302
    assert client.get("/account").status_code == 302


def test_unknown_user_gets_the_same_message(client):
    resp = post_form(client, "/login", {"username": "nobody", "password": "whatever1A"})
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)


def test_login_is_throttled_after_repeated_failures(client, factory):
    factory.demo_jurisdictions()
    factory.staff("clerk1", "clerk", "330199101000")
    for _ in range(6):
        post_form(client, "/login", {"username": "clerk1", "password": "wrong-Pass1"})
    # Even the right password is refused while this address must wait (not the account for everyone:
    # see tests/foundation/test_login_throttle.py).
    resp = post_form(client, "/login", {"username": "clerk1", "password": PASSWORD})
    assert resp.status_code == 429
    assert "登录尝试过于频繁" in resp.get_data(as_text=True)


def test_lock_expires(app, ctx, factory):
    import datetime as dt

    from service_hall.accounts.operations import LoginLocked, authenticate

    factory.demo_jurisdictions()
    factory.staff("clerk1", "clerk", "330199101000")
    t0 = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    for _ in range(6):
        with contextlib.suppress(Exception):
            authenticate(ctx, "clerk1", "bad-Pass1", now=t0, address="203.0.113.5")
    try:
        authenticate(ctx, "clerk1", PASSWORD, now=t0, address="203.0.113.5")
    except LoginLocked:
        pass
    else:
        raise AssertionError("the address should have to wait")
    assert authenticate(ctx, "clerk1", PASSWORD, now=t0 + dt.timedelta(minutes=16),
                        address="203.0.113.5").username == "clerk1"


def test_next_parameter_cannot_redirect_off_site(client, factory):
    factory.demo_jurisdictions()
    factory.staff("clerk1", "clerk", "330199101000")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        token = csrf_token(client, "/login")
        resp = client.post(f"/login?next={target}", data={"username": "clerk1", "password": PASSWORD,
                                                           "csrf_token": token})
        assert resp.status_code == 302
        assert "evil" not in resp.headers["Location"]
        post_form(client, "/account", {}, action="/logout")


def test_admin_creates_staff_in_a_jurisdiction(app, client, factory):
    factory.demo_jurisdictions()
    factory.staff("admin1", "admin", "330199000000")
    login(client, "admin1")
    resp = post_form(client, "/admin/users", {"username": "newclerk", "real_name": "新窗口", "role": "clerk",
                                              "jurisdiction_code": "330199102000", "password": "Str0ng-pass"})
    assert resp.status_code == 302
    resp = post_form(client, "/admin/users", {"username": "newclerk", "real_name": "重复", "role": "clerk",
                                              "jurisdiction_code": "330199999000", "password": "weak"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "未找到该区划代码" in body or "该用户名已被占用" in body
    assert "密码至少8位" in body
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "newclerk"))
        assert user.jurisdiction.name == "白沙镇" and user.real_name == "新窗口"


def test_api_token_and_me(client, factory):
    factory.demo_jurisdictions()
    factory.staff("clerk1", "clerk", "330199101000")
    headers = api_token(client, "clerk1")
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["username"] == "clerk1" and me["jurisdiction_code"] == "330199101000"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    resp = client.post("/api/v1/auth/token", json={"username": "clerk1", "password": "wrong-Pass1"})
    assert resp.status_code == 401 and resp.get_json()["message"] == "用户名或密码错误"
    resp = client.post("/api/v1/auth/token", json={"username": "clerk1"})
    assert resp.status_code == 422 and "password" in str(resp.get_json()["errors"])


def test_session_cookie_does_not_authenticate_the_api(client, factory):
    factory.demo_jurisdictions()
    factory.staff("clerk1", "clerk", "330199101000")
    login(client, "clerk1")
    assert client.get("/api/v1/me").status_code == 401


def test_an_empty_html_registration_is_explained_field_by_field(app, client):
    empty = {k: "" for k in ("applicant_type", "real_name", "id_number", "organisation_name", "credit_code",
                             "mobile", "password", "password_confirm")}
    resp = post_form(client, "/register", empty)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "请选择申请人类型" in body and "Must be one of" not in body
    assert body.count("此项为必填项") >= 3
    assert _user_count(app) == 0


@pytest.mark.parametrize(("role", "code", "home"), [
    ("clerk", "330199101000", "/workbench/"), ("reviewer", "330199101000", "/workbench/"),
    ("decider", "330199101000", "/workbench/"), ("legal", "330199000000", "/legal/"),
    ("supervisor", "330199000000", "/supervision/"), ("admin", "330199000000", "/admin/users"),
])
def test_staff_land_on_their_own_work_after_signing_in(app, client, factory, role, code, home):
    factory.demo_jurisdictions()
    factory.staff(f"u-{role}", role, code)
    resp = login(client, f"u-{role}")
    assert resp.headers["Location"].endswith(home)


def test_an_applicant_lands_on_their_applications(app, client, factory):
    factory.demo_jurisdictions()
    factory.applicant()
    assert login(client, "13900000001").headers["Location"].endswith("/portal/")
