"""Keyset pagination: a page of a list is the rows after (or before) the last one seen, in the order of an
indexed sort key ending with a unique column, so the database reads one page of an index whatever the
page number — no OFFSET scan and no count of the whole list (docs/architecture.md, "Lists at scale").

The cursor names the sort key of the row the page starts after (``n``) or ends before (``p``); it is
opaque to the user (URL-safe base64 of JSON). A cursor that cannot be read gives the first page.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, bindparam, func, select, tuple_
from sqlalchemy.orm import Session

T = TypeVar("T")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows and the cursors of the pages after and before it (None at an end)."""

    rows: list[T]
    next: str | None
    prev: str | None


def _dump(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, int | str | float):
        return value
    return str(value)


def _load(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return dt.datetime.fromisoformat(str(value["t"]))
        if "d" in value:
            return dt.date.fromisoformat(str(value["d"]))
        raise ValueError("unknown cursor value")
    return value


def encode_cursor(direction: str, values: Sequence[Any]) -> str:
    raw = json.dumps([direction, [_dump(v) for v in values]], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, width: int) -> tuple[str, list[Any]] | None:
    """(direction, key values) of a cursor, or None for no cursor or one that cannot be read."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        direction, values = json.loads(raw)
        loaded = [_load(v) for v in values]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if direction not in {"n", "p"} or len(loaded) != width:
        return None
    return direction, loaded


def _fits(value: Any, key: Any) -> bool:
    """Whether a cursor's value can stand for ``key``: of the Python type of the key's column (a time with
    its zone for a timestamp), or None. A key whose type names no Python type takes any value."""
    if value is None:
        return True
    try:
        wanted = key.type.python_type
    except NotImplementedError:
        return True
    if wanted is dt.datetime:
        return isinstance(value, dt.datetime) and value.tzinfo is not None
    if wanted is dt.date:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if wanted is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, wanted)


def page_size(raw: object, default: int = PAGE_SIZE) -> int:
    """A ``?size=`` value clamped to 1 … MAX_PAGE_SIZE; the default for anything unreadable."""
    try:
        size = int(str(raw))
    except (TypeError, ValueError):
        return default
    return max(1, min(size, MAX_PAGE_SIZE))


def keyset_page(session: Session, stmt: Select[*tuple[Any, ...]], keys: Sequence[Any], cursor: str | None, *,
                size: int = PAGE_SIZE, descending: bool = False, entity: bool = True) -> Page[Any]:
    """The page of ``stmt`` ordered by ``keys`` (column expressions) — all ascending, or all descending —
    that ``cursor`` points to: the entity ``stmt`` selects, or with ``entity=False`` the whole row of the
    columns it selects (the keys' values follow them). ``keys`` must end with a unique column and match an
    index for the query to read only one page of it. Raises nothing of its own (an unreadable cursor gives
    the first page)."""
    where = decode_cursor(cursor, len(keys))
    if where is not None and not all(_fits(value, key) for value, key in zip(where[1], keys, strict=True)):
        where = None  # a cursor of another list, or made by hand: the first page
    backwards = where is not None and where[0] == "p"
    query = stmt.add_columns(*keys)
    if where is not None:
        bound = tuple_(*[bindparam(None, v, type_=k.type) for k, v in zip(keys, where[1], strict=True)])
        after = tuple_(*keys) < bound if descending != backwards else tuple_(*keys) > bound
        query = query.where(after)
    reverse = descending != backwards
    query = query.order_by(*[k.desc() if reverse else k.asc() for k in keys]).limit(size + 1)
    fetched = list(session.execute(query).all())
    more = len(fetched) > size
    fetched = fetched[:size]
    if backwards:
        fetched.reverse()
    rows = [r[0] for r in fetched] if entity else fetched
    first = list(fetched[0][-len(keys):]) if fetched else None
    last = list(fetched[-1][-len(keys):]) if fetched else None
    if backwards:
        prev = encode_cursor("p", first) if more and first is not None else None
        nxt = encode_cursor("n", last) if last is not None else None
    else:
        nxt = encode_cursor("n", last) if more and last is not None else None
        prev = encode_cursor("p", first) if where is not None and first is not None else None
    return Page(rows=rows, next=nxt, prev=prev)


# Counts shown beside a list stop here: "99+" says enough, and counting stops after a hundred rows.
COUNT_CAP = 100


def bounded_count(session: Session, stmt: Select[Any], cap: int = COUNT_CAP) -> int:
    """How many rows ``stmt`` selects, counting no further than ``cap`` (read from at most ``cap`` index
    entries, however many there are). Raises nothing of its own."""
    return bounded_counts(session, [stmt], cap)[0]


def bounded_counts(session: Session, stmts: Sequence[Select[Any]], cap: int = COUNT_CAP) -> list[int]:
    """:func:`bounded_count` of each of ``stmts``, all in one statement (a page's counts in one round trip).
    Raises nothing of its own."""
    row = session.execute(select(*(select(func.count()).select_from(stmt.limit(cap).subquery()).scalar_subquery()
                                   for stmt in stmts))).one()
    return [int(value or 0) for value in row]


def count_label(count: int, cap: int = COUNT_CAP) -> str:
    """A bounded count as a page prints it: the number, or "99+" once it reached ``cap``."""
    return f"{cap - 1}+" if count >= cap else str(count)
