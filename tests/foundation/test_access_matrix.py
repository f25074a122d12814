"""Walk every endpoint of the app as every role (and anonymously) and check the declared access rule
is what actually happens; endpoints whose URLs name an object must hide other towns' objects (404)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from service_hall.accounts.permissions import Role, role_has
from service_hall.web.access import ACCESS_ATTR, Access
from tests.factories.accounts import PASSWORD
from tests.factories.scoped import FORM_FIELD_BUILDERS, SCOPED_BUILDERS, UNSCOPED_REASONS
from tests.factories.web import api_token, csrf_token, login

HOME_TOWN = "330199101000"  # 青山镇
OTHER_TOWN = "330199102000"  # 白沙镇
COUNTY = "330199000000"

# Endpoints with URL parameters that do not name a jurisdiction-scoped object, and why.
NOT_SCOPED = {
    "admin.toggle_active": "staff accounts are managed county-wide by administrators",
    "admin.unlock_user": "staff accounts are managed county-wide by administrators",
    "admin.reset_user_password": "staff accounts are managed county-wide by administrators",
}

# Endpoints that end the bearer token they are called with; the walk takes a new one after them.
ENDS_THE_TOKEN = {"api_accounts.revoke_current_token", "api_accounts.refresh_current_token"}

# endpoint -> builder(factory, app) returning URL values of an object that belongs to HOME_TOWN.
SCOPED: dict[str, Callable[[Any, Any], dict[str, Any]]] = {}
# probe -> builder(factory, app) returning who posts where, and the form field naming someone else's object.
FORM_FIELDS: dict[str, Callable[[Any, Any], dict[str, Any]]] = {}


SCOPED.update(SCOPED_BUILDERS)
FORM_FIELDS.update(FORM_FIELD_BUILDERS)
NOT_SCOPED.update(UNSCOPED_REASONS)


def _dummy_url(app, rule) -> str:
    values = {}
    for arg in rule.arguments:
        conv = rule._converters[arg]
        values[arg] = 999999 if type(conv).__name__ in {"IntegerConverter"} else "000000000000"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def test_every_endpoint_declares_its_access(app):
    missing = [r.endpoint for r in _rules(app) if getattr(app.view_functions[r.endpoint], ACCESS_ATTR, None) is None]
    assert missing == []


def test_every_endpoint_with_an_object_is_scoped_or_explained(app):
    unaccounted = [r.endpoint for r in _rules(app)
                   if r.arguments and r.endpoint not in SCOPED and r.endpoint not in NOT_SCOPED
                   and not isinstance(getattr(app.view_functions[r.endpoint], ACCESS_ATTR), Access)]
    assert unaccounted == []


def _accounts(factory) -> dict[Role, str]:
    factory.demo_jurisdictions()
    names = {}
    for role in Role:
        if role is Role.APPLICANT:
            factory.applicant(mobile="13900000009")
            names[role] = "13900000009"
        else:
            where = COUNTY if role in {Role.ADMIN, Role.LEGAL, Role.SUPERVISOR} else HOME_TOWN
            factory.staff(f"u-{role.value}", role.value, where)
            names[role] = f"u-{role.value}"
    return names


def _call(client, method: str, url: str, headers: dict[str, str] | None, token: str | None):
    if method == "GET":
        return client.get(url, headers=headers)
    if url.startswith("/api/"):
        return client.open(url, method=method, json={}, headers=headers)
    return client.open(url, method=method, data={"csrf_token": token or ""}, headers=headers)


def test_access_matrix_for_every_role(app, factory):
    accounts = _accounts(factory)
    failures = []
    for role in [None, *Role]:
        client = app.test_client()
        headers = None
        token = None
        if role is not None:
            login(client, accounts[role], PASSWORD)
            headers = api_token(client, accounts[role], PASSWORD)
            token = csrf_token(client, "/account")
        else:
            token = csrf_token(client, "/login")
        for rule in _rules(app):
            need = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR)
            url = _dummy_url(app, rule)
            is_api = url.startswith("/api/")
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                resp = _call(client, method, url, headers if is_api else None, token)
                status = resp.status_code
                if need is Access.PUBLIC:
                    ok = status not in (401, 403) or rule.endpoint == "auth.login"
                elif role is None:
                    ok = status == 401 if is_api else (status == 302 and "/login" in resp.headers["Location"])
                elif need is Access.LOGIN or role_has(role, need):
                    ok = status not in (401, 403)
                else:
                    ok = status == 403
                if not ok:
                    failures.append(f"{role} {method} {url} ({rule.endpoint}, needs {need}) -> {status}")
                if rule.endpoint == "auth.logout" and role is not None:
                    login(client, accounts[role], PASSWORD)
                    token = csrf_token(client, "/account")
                if rule.endpoint in ENDS_THE_TOKEN and role is not None:
                    headers = api_token(client, accounts[role], PASSWORD)
        if role is not None:
            client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert failures == []


@pytest.mark.parametrize("endpoint", sorted(SCOPED))
def test_objects_of_another_town_are_invisible(app, factory, endpoint):
    """Staff of another town (or another applicant, for applicant endpoints) get 404, not 403."""
    _accounts(factory)
    values = SCOPED[endpoint](factory, app)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    need = getattr(app.view_functions[endpoint], ACCESS_ATTR)
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **values)
    if role_has(Role.APPLICANT, need):
        factory.applicant(mobile="13900000077", name="路人")
        stranger = "13900000077"
    else:
        role = next(r for r in Role if r is not Role.APPLICANT and role_has(r, need))
        factory.staff("foreign", role.value, OTHER_TOWN)
        stranger = "foreign"
    foreign = app.test_client()
    login(foreign, stranger)
    headers = api_token(foreign, stranger) if url.startswith("/api/") else None
    method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    token = csrf_token(foreign, "/account")
    resp = _call(foreign, method, url, headers, token)
    # Indistinguishable from an object that does not exist (an API body check may answer 422 first,
    # identically for both), and never a success.
    probe = _call(foreign, method, _dummy_url(app, rule), headers, token)
    assert resp.status_code == probe.status_code and resp.status_code in (404, 422), (
        f"{endpoint} leaked: {resp.status_code} vs {probe.status_code}")


@pytest.mark.parametrize("probe", sorted(FORM_FIELDS))
def test_objects_named_in_form_fields_are_invisible(app, factory, probe):
    """Someone else's object named in a form field is refused exactly like one that does not exist, and
    nothing is created."""
    from sqlalchemy import func, select

    from service_hall.cases.models import Application
    from service_hall.extensions import db

    _accounts(factory)
    spec = FORM_FIELDS[probe](factory, app)
    client = app.test_client()
    login(client, spec["user"])

    def post(object_id: int) -> tuple[int, Any]:
        if "json" in spec:
            body = {**spec["json"]}
            head, _, key = spec["field"].partition(".")
            body[head] = {key: object_id}
            resp = client.post(spec["url"], json=body, headers=api_token(client, spec["user"]))
            return resp.status_code, (resp.get_json() or {}).get("errors", {}).get(spec["error_key"])
        page = client.get(spec["url"]).get_data(as_text=True)
        key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
        resp = client.post(spec["url"], data={"csrf_token": csrf_token(client, spec["url"]), "submission_key": key,
                                              spec["field"]: str(object_id)})
        found = re.search(rf'id="e-{re.escape(spec["error_key"])}"[^>]*>([^<]+)<', resp.get_data(as_text=True))
        return resp.status_code, found and found.group(1)

    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Application))
    named, missing = post(spec["object_id"]), post(999999)
    assert named == missing and named[0] == 422 and named[1], f"{probe}: {named} vs {missing}"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == before
