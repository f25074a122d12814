"""Tampering with the audit trail the way someone with database access would."""

from __future__ import annotations

from sqlalchemy import text

from service_hall.extensions import db
from tests.factories.database import is_postgres


def as_attacker() -> None:
    """A superuser with database access can switch the append-only triggers off for the session."""
    if is_postgres():
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
