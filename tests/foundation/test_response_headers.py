"""Signed-in pages and JSON are not cached; 405 says what is allowed; the client address behind a
configured number of reverse proxies comes from X-Forwarded-For."""

from __future__ import annotations

import pytest

from tests.factories.web import api_token, login


@pytest.fixture
def clerk(factory):
    factory.demo_jurisdictions()
    factory.staff("clerk1", "clerk", "330199101000")


def test_authenticated_pages_and_json_are_not_stored(app, client, clerk):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login(client, "clerk1")
    assert client.get("/workbench/").headers["Cache-Control"] == "no-store"
    headers = api_token(client, "clerk1")
    assert app.test_client().get("/api/v1/me", headers=headers).headers["Cache-Control"] == "no-store"


def test_method_not_allowed_names_the_allowed_methods(app, client, clerk):
    resp = client.put("/api/v1/auth/token", json={})
    assert resp.status_code == 405 and "POST" in resp.headers["Allow"]
    resp = client.delete("/login")
    assert resp.status_code == 405 and "GET" in resp.headers["Allow"]


def test_the_client_address_behind_trusted_proxies(app, monkeypatch):
    from werkzeug.middleware.proxy_fix import ProxyFix

    from service_hall.app import create_app

    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    proxied = create_app({"TESTING": True, "SECRET_KEY": "x", "SERVER_NAME": "localhost", "RATELIMIT_ENABLED": False})
    assert isinstance(proxied.wsgi_app, ProxyFix)
    seen = {}
    inner = proxied.wsgi_app.app

    def spy(environ, start_response):
        seen["addr"] = environ["REMOTE_ADDR"]
        return inner(environ, start_response)

    proxied.wsgi_app.app = spy
    proxied.test_client().get("/healthz", headers={"X-Forwarded-For": "198.51.100.23"},
                              environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert seen["addr"] == "198.51.100.23"
    assert not isinstance(app.wsgi_app, ProxyFix)  # by default forwarded headers are not trusted


def test_the_api_document_describes_the_error_body_that_is_sent(app, client):
    spec = client.get("/api/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]["properties"]
    assert error["status"]["type"] == "integer" and "code" not in error
    assert "type" not in error["errors"]  # an object for forms, a list for imports
    sent = client.get("/api/v1/cases/1").get_json()
    assert isinstance(sent["status"], int) and set(sent) <= set(error)


def test_a_rejected_import_is_declared_and_sent_with_a_list_of_problems(app, client, factory):
    factory.demo_jurisdictions()
    factory.staff("legal1", "legal", "330199000000")
    spec = client.get("/api/openapi.json").get_json()
    declared = spec["paths"]["/api/v1/power-lists/imports"]["post"]["responses"]["422"]["content"]
    ref = declared["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    shape = spec["components"]["schemas"][ref]["properties"]
    assert shape["errors"]["type"] == "array" and shape["status"]["type"] == "integer"
    sent = client.post("/api/v1/power-lists/imports", headers=api_token(client, "legal1"), json={"items": []})
    body = sent.get_json()
    assert sent.status_code == 422 and isinstance(body["errors"], list) and isinstance(body["status"], int)
    assert set(body) <= set(shape) and any("format_version" in e for e in body["errors"])
