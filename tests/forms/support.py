"""Helpers shared by the forms tests: definitions built in a line, valid identity numbers computed
by the check functions, and the usual validation context."""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine
from sqlalchemy.orm import Session

from forms.definition import FormDefinition, load_form_definition
from forms.submission import SubmissionContext
from forms.validators import credit_code_check_char, id_number_check_char
from service_hall.core.base import Base

TODAY = dt.date(2026, 3, 2)
VILLAGES = {"330199101001": "青山村", "330199101002": "石桥村"}
CTX = SubmissionContext(today=TODAY, villages=VILLAGES)


def valid_id(first17: str = "33012719850312001") -> str:
    return first17 + id_number_check_char(first17)


def valid_credit_code(first17: str = "91330127MA2H00001") -> str:
    return first17 + credit_code_check_char(first17)


def flip_check_char(value: str, alphabet: str) -> str:
    """The same number with a different, wrong check character."""
    wrong = next(c for c in alphabet if c != value[-1])
    return value[:-1] + wrong


def raw_definition(*fields: dict[str, Any], materials: list[dict[str, Any]] | None = None,
                   title: str = "测试表单") -> dict[str, Any]:
    return {"format_version": 1, "title": title, "fields": list(fields), "materials": materials or []}


def definition(*fields: dict[str, Any], materials: list[dict[str, Any]] | None = None) -> FormDefinition:
    return load_form_definition(raw_definition(*fields, materials=materials))


def field(name: str, type_: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "label": extra.pop("label", f"字段{name}"), "type": type_, **extra}


def choice(name: str, values: list[str], **extra: Any) -> dict[str, Any]:
    return field(name, "choice", options=[{"value": v, "label": f"选项{v}"} for v in values], **extra)


MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def migrated(table: str) -> bool:
    """Whether a migration creates ``table`` yet (the lead writes the migrations for new models)."""
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
