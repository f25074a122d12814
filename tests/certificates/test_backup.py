"""``flask backup create`` then ``backup restore`` into an empty deployment: the audit chain and the
certificates still verify, and a stored material downloads unchanged (service_hall/backup.py)."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from service_hall.audit import trail
from service_hall.cases.models import ApplicationMaterial
from service_hall.extensions import db
from tests.factories.cases import approved_case
from tests.factories.certificates import certificate_pdf
from tests.factories.database import TEST_DATABASE_URL, is_postgres
from tests.factories.web import login

# The backup reads the database through its own connection: the data must really be committed.
pytestmark = [pytest.mark.committing]


@pytest.fixture
def empty_database_url(tmp_path):
    """The second deployment's database, empty: SQLite beside it, or a new PostgreSQL database next to the
    suite's (restored with pg_restore from the pg_dump the backup holds)."""
    if not is_postgres():
        yield f"sqlite:///{tmp_path / 'restored' / 'service_hall.sqlite3'}"
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_restored_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def second_deployment(app, tmp_path, monkeypatch, empty_database_url):
    """An empty deployment beside the test one (own instance folder and database)."""
    from service_hall.app import create_app

    instance = tmp_path / "restored"
    # `backup create` writes a checkpoint: keep it out of the suite's own instance folder.
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_PATH", str(tmp_path / "checkpoints"))
    monkeypatch.setenv("INSTANCE_PATH", str(instance))
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    restored = create_app({"TESTING": True, "SECRET_KEY": "restored-secret", "SERVER_NAME": "localhost",
                           "PUBLIC_BASE_URL": "http://localhost", "DOCUMENTS": "deferred",
                           "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False})
    trail.use_key(app.config["AUDIT_KEY"])  # one deployment per process in real life: the test one writes on
    yield restored
    trail.use_key(app.config["AUDIT_KEY"])  # the key is process-wide: give the test deployment its own back
    with restored.app_context():
        db.engine.dispose()


def test_a_restored_deployment_verifies_and_serves_its_files(app, cworld, runner, tmp_path, second_deployment):
    case_id = approved_case(app)
    original_pdf = certificate_pdf(app, case_id)
    with app.app_context():
        material = db.session.scalars(select(ApplicationMaterial).where(
            ApplicationMaterial.application_id == case_id)).first()
        material_id, material_sha = material.id, material.file.blob.sha256
    backup = tmp_path / "backup"
    created = runner.invoke(args=["backup", "create", str(backup)])
    assert created.exit_code == 0, created.output
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert ("database.pgdump" if is_postgres() else "database.sqlite3") in manifest["files"]
    assert "keys/audit_key" in manifest["files"]
    assert any(name.startswith("signing/") for name in manifest["files"])

    restorer = second_deployment.test_cli_runner()
    restored = restorer.invoke(args=["backup", "restore", str(backup)])
    assert restored.exit_code == 0, restored.output
    verified = restorer.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "哈希链校验通过" in verified.output, verified.output
    assert "核对检查点 1 个" in verified.output
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(original_pdf)
    checked = restorer.invoke(args=["certificates", "verify", str(pdf)])
    assert checked.exit_code == 0 and "有效" in checked.output, checked.output
    clerk = second_deployment.test_client()
    login(clerk, "clerk1")
    download = clerk.get(f"/workbench/cases/{case_id}/materials/{material_id}")
    assert download.status_code == 200
    import hashlib

    assert hashlib.sha256(download.data).hexdigest() == material_sha


def test_restore_refuses_a_changed_backup_and_a_deployment_in_use(app, cworld, runner, tmp_path,
                                                                    second_deployment):
    approved_case(app)
    backup = tmp_path / "backup"
    assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0
    # Into the deployment that is in use: refused.
    in_use = runner.invoke(args=["backup", "restore", str(backup)])
    assert in_use.exit_code == 1 and "不是空库" in in_use.output
    # A backup whose files changed: refused before anything is touched.
    (backup / "keys" / "audit_key").write_text("forged")
    changed = second_deployment.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
    assert changed.exit_code == 1 and "已损坏或被改动：keys/audit_key" in changed.output
