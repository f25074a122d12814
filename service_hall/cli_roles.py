"""``flask --app wsgi db grant-app-role ROLE``: the PostgreSQL role the application connects as, with
every privilege it needs and none that could rewrite the audit trail (README.md, "Backup and restore").

Migrations run as the tables' owner; the application runs as this role, which owns nothing, may read and
write every table, and on ``audit_records`` may only SELECT and INSERT — so UPDATE, DELETE and TRUNCATE
are refused by privilege even before the append-only trigger (migrations/versions/0013_hardening.py).
"""

from __future__ import annotations

import re
import sys

import click
from flask_migrate.cli import db as db_cli  # type: ignore[import-not-found]
from sqlalchemy import text
from sqlalchemy.orm import Session

from service_hall.extensions import current_session, db

AUDIT_TABLE = "audit_records"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_app_role(session: Session, role: str, password: str | None) -> None:
    """Create ``role`` (LOGIN, not superuser, owning nothing) if missing and set its privileges on the
    current schema. Raises ValueError (bad role name, or the role owns the audit table)."""
    if not ROLE_NAME.match(role):
        raise ValueError("角色名只能由小写字母、数字和下划线组成，且不以数字开头")
    exists = session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if not exists:
        session.execute(text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS'))
    if password:
        quoted = session.scalar(text("SELECT quote_literal(:p)"), {"p": password})
        session.execute(text(f'ALTER ROLE "{role}" PASSWORD {quoted}'))
    owner = session.scalar(text("SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
                                "AND tablename = :t"), {"t": AUDIT_TABLE})
    if owner == role:
        raise ValueError(f"角色 {role} 是数据表的所有者，所有者不受权限限制；请另建一个应用角色")
    schema = session.scalar(text("SELECT current_schema()"))
    session.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
    session.execute(text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
    session.execute(text(f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"'))
    session.execute(text(f'REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON "{AUDIT_TABLE}" FROM "{role}"'))
    session.execute(text(f'REVOKE UPDATE, DELETE, TRUNCATE ON "{AUDIT_TABLE}" FROM PUBLIC'))
    # Tables a later migration creates (run as the same owner) are granted too; run the command again
    # after every upgrade all the same, so that the audit table's restriction is re-checked.
    session.execute(text(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" '
                         f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"'))
    session.execute(text(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" '
                         f'GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO "{role}"'))


@db_cli.command("grant-app-role")
@click.argument("role")
@click.option("--password", default=None, help="登录口令（不指定则不修改；也可用 pg_hba 的其他认证方式）")
def grant_app_role_command(role: str, password: str | None) -> None:
    """在 PostgreSQL 上创建/配置应用连接用的角色：可读写各表，但对审计日志表只有查询和追加权限"""
    if db.engine.dialect.name != "postgresql":
        click.echo("错误：该命令仅用于 PostgreSQL（SQLite 没有角色与权限）", err=True)
        sys.exit(1)
    try:
        grant_app_role(current_session(), role, password)
    except ValueError as exc:
        db.session.rollback()
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"已配置应用角色 {role}：可读写各业务表；对 {AUDIT_TABLE} 仅有 SELECT 和 INSERT 权限。"
               f"请以该角色连接运行应用（DATABASE_URL），迁移仍以表的所有者执行。")
