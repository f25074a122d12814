"""Test fixtures: an app whose database is built by running the migrations, SQLite by default,
PostgreSQL when TEST_DATABASE_URL is set; every table emptied after each test."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

# Cheap password hashing keeps the many logins of the suite fast (set before the hasher is built).
os.environ.setdefault("ARGON2_TIME_COST", "1")
os.environ.setdefault("ARGON2_MEMORY_KIB", "8192")
os.environ.setdefault("ARGON2_PARALLELISM", "1")

from service_hall.app import create_app
from service_hall.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def is_postgres() -> bool:
    return bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"))


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    os.environ["INSTANCE_PATH"] = str(instance)
    url = TEST_DATABASE_URL or f"sqlite:///{instance / 'test.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    application = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-only-secret",
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
        "PUBLIC_BASE_URL": "http://localhost",
        "DOCUMENTS": "deferred",  # PDFs rendered on first download; tests of documents download them
    })
    with application.app_context():
        upgrade(directory=MIGRATIONS, revision="heads")
    yield application
    with application.app_context():
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        # Bypasses the audit table's append-only triggers (a superuser-only setting, tests only).
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    if "app" not in request.fixturenames:
        yield
        return
    yield
    application: Flask = request.getfixturevalue("app")
    application.config.pop("FIXED_NOW", None)
    with application.app_context():
        db.session.rollback()
        _empty_all_tables()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Any]:
    """An app context with the session, for calling domain functions directly."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
PASSWORD = "Passw0rd-Test"


class Factory:
    """Builds data through the domain functions, committing like a request would."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def demo_jurisdictions(self) -> None:
        from service_hall.demo import load_jurisdictions

        with self.app.app_context():
            load_jurisdictions(db.session)
            db.session.commit()

    def staff(self, username: str, role: str, jurisdiction_code: str, password: str = PASSWORD) -> int:
        from service_hall.accounts.operations import create_staff

        with self.app.app_context():
            user = create_staff(db.session, {"username": username, "real_name": "测试人员", "role": role,
                                             "jurisdiction_code": jurisdiction_code, "password": password},
                                now=NOW)
            db.session.commit()
            return user.id

    def applicant(self, mobile: str = "13900000001", name: str = "李堃", password: str = PASSWORD,
                  id_number: str | None = None) -> int:
        from forms.validators import id_number_check_char
        from service_hall.accounts.operations import register_applicant

        if id_number is None:
            base = "33012719850312" + mobile[-3:]
            id_number = base + id_number_check_char(base)
        with self.app.app_context():
            user = register_applicant(db.session, {
                "applicant_type": "person", "real_name": name, "mobile": mobile, "id_number": id_number,
                "password": password, "password_confirm": password}, now=NOW)
            db.session.commit()
            return user.id


@pytest.fixture
def factory(app: Flask) -> Factory:
    return Factory(app)


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


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
