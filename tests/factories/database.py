"""Which database the suite runs on, and a throwaway database for tables no migration creates yet."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine
from sqlalchemy.orm import Session

from service_hall.core.base import Base

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def is_postgres() -> bool:
    return bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"))


def migrated(table: str) -> bool:
    """Whether a migration creates ``table`` yet."""
    return any(f'"{table}"' in p.read_text(encoding="utf-8") for p in MIGRATIONS.glob("*.py"))


@contextlib.contextmanager
def private_database(*tables: Table) -> Iterator[Session]:
    """A throwaway SQLite database holding only ``tables``: used until the migration for them exists,
    because the shared test database is built by running the migrations."""
    import service_hall.accounts.models  # noqa: F401 - tables referenced by foreign keys

    with tempfile.TemporaryDirectory() as folder:
        # A file, not :memory:, so that a second session gets its own connection like in production.
        engine = create_engine(f"sqlite:///{folder}/test.sqlite3")
        Base.metadata.create_all(engine, tables=list(tables))
        try:
            with Session(engine) as session:
                yield session
        finally:
            engine.dispose()


def count_rows(app: Any, model: Any) -> int:
    """How many rows ``model``'s table holds."""
    from sqlalchemy import func, select

    from service_hall.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def redis_up() -> bool:
    """Whether Redis answers on 127.0.0.1:6379 (the worker tests need it)."""
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True
