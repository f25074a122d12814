"""``flask db grant-app-role``: the application's PostgreSQL role may read and write its tables but is
refused UPDATE, DELETE and TRUNCATE on the audit table by privilege — not only by the trigger."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from service_hall.audit.trail import record
from service_hall.extensions import db
from tests.factories.clock import at
from tests.factories.database import TEST_DATABASE_URL, is_postgres

pytestmark = [pytest.mark.postgres_only, pytest.mark.committing,
              pytest.mark.skipif(not is_postgres(), reason="roles and privileges are PostgreSQL's")]

ROLE = f"service_hall_app_test_{os.getpid()}"


@pytest.fixture
def app_role(app, factory, runner):
    factory.demo_jurisdictions()
    with app.app_context():
        record(db.session, actor=None, action="test.action", object_type="case", object_id=1, now=at("2026-11-23"))
        db.session.commit()
    result = runner.invoke(args=["db", "grant-app-role", ROLE])
    assert result.exit_code == 0, result.output
    assert f"已配置应用角色 {ROLE}" in result.output
    engine = create_engine(make_url(TEST_DATABASE_URL).set(username=ROLE, password=None))
    try:
        yield engine
    finally:
        engine.dispose()
        with app.app_context():
            db.session.execute(text(f'DROP OWNED BY "{ROLE}"'))
            db.session.execute(text(f'DROP ROLE "{ROLE}"'))
            db.session.commit()


def test_the_app_role_reads_and_appends_but_may_not_rewrite_the_audit_table(app_role):
    with app_role.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM audit_records")) == 1
        assert conn.scalar(text("SELECT count(*) FROM jurisdictions")) > 0
        conn.execute(text("UPDATE jurisdictions SET name = name"))  # other tables stay writable
        conn.rollback()
    for statement in ("UPDATE audit_records SET reason = 'x'", "DELETE FROM audit_records",
                      "TRUNCATE audit_records CASCADE"):
        with app_role.connect() as conn, pytest.raises(DBAPIError,
                                                       match="permission denied for table audit_records"):
            conn.execute(text(statement))


def test_the_command_refuses_a_bad_role_name(app, runner):
    result = runner.invoke(args=["db", "grant-app-role", "Robert'); DROP TABLE users;--"])
    assert result.exit_code == 1
    assert "角色名只能由小写字母" in result.output
