"""Which of a case's rows kept outside its own collections — outbox messages, the message thread,
certificates — exist, asked once per request in one statement, so a case page skips the reads of the empty
ones (docs/architecture.md, "Lists at scale"; the case's own collections: ``cases.queries.load_for_page``)."""

from __future__ import annotations

from typing import Any

from flask import g
from sqlalchemy import exists, select

from service_hall.certificates.models import Certificate
from service_hall.extensions import db
from service_hall.notifications.models import CaseMessage, OutboxMessage

SIDE_TABLES: dict[str, Any] = {"outbox": OutboxMessage.application_id, "messages": CaseMessage.application_id,
                               "certificates": Certificate.application_id}


def has_rows(case: Any, name: str) -> bool:
    """Whether the case has rows in the side table ``name`` (a key of ``SIDE_TABLES``). The first question
    about a case in a request asks for every table at once (after the request's writes are flushed)."""
    known: dict[int, set[str]] = g.setdefault("case_side_tables", {})
    if case.id not in known:
        row = db.session.execute(select(*[exists().where(column == case.id).label(key)
                                          for key, column in SIDE_TABLES.items()])).one()
        known[case.id] = {key for key in SIDE_TABLES if getattr(row, key)}
    return name in known[case.id]
