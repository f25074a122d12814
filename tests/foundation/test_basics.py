from __future__ import annotations

import os
import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import SAWarning

from service_hall.extensions import db


def test_healthz_reports_database(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok"}


def test_openapi_document_is_public(client):
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200
    spec = resp.get_json()
    assert spec["info"]["title"]
    assert "/api/v1/auth/token" in spec["paths"]


def test_api_errors_are_json_in_chinese(client):
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404
    assert resp.get_json()["message"] == "未找到您要访问的页面或记录"
    resp = client.get("/api/v1/me")
    assert resp.status_code == 401
    assert resp.is_json


def test_html_error_page_is_chinese(client):
    resp = client.get("/no-such-page")
    assert resp.status_code == 404
    assert "未找到您要访问的页面或记录" in resp.get_data(as_text=True)


def test_models_and_migrations_agree(app):
    with app.app_context():
        from service_hall.cases.models import UNMAPPED_INDEXES
        from service_hall.files.jobs import UNMAPPED_INDEXES as JOB_INDEXES
        from service_hall.search.models import UNMAPPED_SCHEMA_OBJECTS

        def include(obj, name, kind, reflected, compare_to):  # full-text and partial indexes: raw DDL
            return name not in UNMAPPED_SCHEMA_OBJECTS | UNMAPPED_INDEXES | JOB_INDEXES

        conn = db.session.connection()
        opts = {"compare_type": True, "include_object": include}
        with warnings.catch_warnings():  # SQLite's reflection skips the expression indexes of open cases
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index",
                                    SAWarning)
            diff = compare_metadata(MigrationContext.configure(conn, opts=opts), db.metadata)
    assert diff == []


def test_security_headers_and_cookie_flags(client, factory):
    resp = client.get("/login")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_is_the_default(monkeypatch, tmp_path):
    from service_hall.config import load_config

    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    cfg = load_config(tmp_path)
    assert cfg["SESSION_COOKIE_SECURE"] is True
    # The secret key is generated into the instance folder, once, private.
    key_file = tmp_path / "secret_key"
    assert cfg["SECRET_KEY"] == key_file.read_text().strip() and len(cfg["SECRET_KEY"]) == 64
    assert key_file.stat().st_mode & 0o077 == 0
    assert load_config(tmp_path)["SECRET_KEY"] == cfg["SECRET_KEY"]


def test_make_run_points_the_qr_codes_at_the_port_it_serves():
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "PUBLIC_BASE_URL"}
    dry = subprocess.run(["make", "-n", "run", "PORT=5055"], cwd=root, env=env, capture_output=True, text=True,
                         check=True).stdout
    assert "PUBLIC_BASE_URL=http://127.0.0.1:5055 " in dry
    dry = subprocess.run(["make", "-n", "run", "PUBLIC_BASE_URL=https://zwfw.example.cn"], cwd=root, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert "PUBLIC_BASE_URL=https://zwfw.example.cn " in dry


def test_the_migrations_have_one_head_so_flask_db_upgrade_needs_no_revision():
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    root = Path(__file__).resolve().parents[2] / "migrations"
    config = Config()
    config.set_main_option("script_location", str(root))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
