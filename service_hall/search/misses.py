"""Queries that found nothing, for legal affairs to add aliases. Only the normalised words are kept: no
account, address or session, and runs of digits that could be an identity card or phone number are masked."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from service_hall.search.models import SearchMiss
from service_hall.search.text import MAX_QUERY_CHARS, normalize

_LONG_DIGITS = re.compile(r"[0-9x]{5,}", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+")


def scrub(text: str) -> str:
    """The query as logged: normalised, e-mail addresses and runs of five or more digits replaced by ＊."""
    text = normalize(text)[:MAX_QUERY_CHARS]
    return _LONG_DIGITS.sub("＊", _EMAIL.sub("＊", text)).strip()


def record_miss(session: Session, text: str, *, now: dt.datetime) -> None:
    """Count one zero-result query (an upsert, safe under concurrent requests). Never raises for content;
    empty queries are not logged."""
    query = scrub(text)
    if not query:
        return
    values = {"query": query, "count": 1, "first_seen": now, "last_seen": now}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(SearchMiss).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=[SearchMiss.query],
                                      set_={"count": SearchMiss.count + 1, "last_seen": now})
    session.execute(stmt)


def misses(session: Session, *, limit: int = 200) -> list[SearchMiss]:
    """The most frequent zero-result queries, then the most recent."""
    return list(session.scalars(select(SearchMiss).order_by(SearchMiss.count.desc(), SearchMiss.last_seen.desc())
                                .limit(limit)))
