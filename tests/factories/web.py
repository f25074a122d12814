"""Working the app through its HTTP interface: CSRF tokens, forms, logging in, API tokens, applying online."""

from __future__ import annotations

import io
import re
from typing import Any

from flask.testing import FlaskClient

from tests.factories.accounts import PASSWORD
from tests.factories.files import PDF, PNG
from tests.factories.forms import form_data
from tests.factories.places import QINGSHAN
from tests.factories.power_list import ITEM

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY_RE = re.compile(r'name="submission_key" value="([^"]+)"')
APPLY = f"/portal/apply/{QINGSHAN}/{ITEM}"  # the homestead item in 青山镇


def csrf_token(client: FlaskClient, page: str) -> str:
    resp = client.get(page)
    match = CSRF_RE.search(resp.get_data(as_text=True))
    assert match, f"no CSRF token on {page} (status {resp.status_code})"
    return match.group(1)


def post_form(client: FlaskClient, page: str, data: dict[str, Any], action: str | None = None,
              **kwargs: Any) -> Any:
    """Open the page like a browser, take its CSRF token, post the form."""
    token = csrf_token(client, page)
    return client.post(action or page, data={**data, "csrf_token": token}, **kwargs)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    resp = post_form(client, "/login", {"username": username, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return resp


def api_token(client: FlaskClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    resp = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert resp.status_code == 201, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


def apply_page(client: FlaskClient) -> tuple[str, str]:
    """The CSRF token and the fresh submission key of the application page."""
    body = client.get(APPLY).get_data(as_text=True)
    return csrf_token(client, APPLY), KEY_RE.search(body).group(1)


def apply_online(client: FlaskClient, data: dict[str, Any] | None = None,
                 files: dict[str, tuple[bytes, str]] | None = None, key: str | None = None,
                 token: str | None = None) -> Any:
    """Post the homestead application of the signed-in applicant (both materials unless ``files``)."""
    if token is None:
        token, fresh_key = apply_page(client)
        key = key or fresh_key
    payload = {**(data if data is not None else form_data()), "csrf_token": token, "submission_key": key}
    for name, (content, filename) in (files if files is not None else {
            "material-M01": (PDF, "申请表.pdf"), "material-M02": (PNG, "身份证.png")}).items():
        payload[name] = (io.BytesIO(content), filename)
    return client.post(APPLY, data=payload, content_type="multipart/form-data")


def apply_for_homestead(client: FlaskClient, period: tuple[str, str] = ("2027-03-01", "2027-05-01")) -> None:
    """Apply online for the building ``period``; the application must be received."""
    body = client.get(APPLY).get_data(as_text=True)
    data = {**form_data(period_start=period[0], period_end=period[1]), "csrf_token": csrf_token(client, APPLY),
            "submission_key": KEY_RE.search(body).group(1),
            "material-M01": (io.BytesIO(PDF), "a.pdf"), "material-M02": (io.BytesIO(PNG), "b.png")}
    resp = client.post(APPLY, data=data, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:1500]


def signed_in(app: Any, username: str = "super") -> FlaskClient:
    """A new test client, signed in as ``username``."""
    client = app.test_client()
    login(client, username)
    return client


def open_decisions(client: FlaskClient, ref: str) -> list[str]:
    """The applicant opens (查收) every decision waiting on the case page, as the page offers; returns the
    notice ids opened."""
    import re

    page = client.get(f"/portal/applications/{ref}").get_data(as_text=True)
    opened = re.findall(rf"/portal/applications/{re.escape(ref)}/notices/(\d+)/open", page)
    for notice_id in opened:
        resp = post_form(client, f"/portal/applications/{ref}", {},
                         action=f"/portal/applications/{ref}/notices/{notice_id}/open")
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return opened
