"""Everyday words for items (饭店 → 个体工商户登记), kept by legal affairs per county and item code."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from power_lists.models import PowerItem, PowerListVersion
from service_hall.accounts.models import User
from service_hall.audit.trail import record
from service_hall.core.errors import Conflict, NotFound, ValidationFailed
from service_hall.jurisdictions.models import Jurisdiction
from service_hall.search.index import reindex_code
from service_hall.search.models import SearchAlias
from service_hall.search.text import normalize

MAX_ALIAS_CHARS = 40
DEMO_ALIASES = Path(__file__).parent / "fixtures" / "demo-aliases.json"


def aliases_for(session: Session, county_id: int, item_code: str) -> list[SearchAlias]:
    """The aliases of one item, oldest first."""
    return list(session.scalars(select(SearchAlias).where(
        SearchAlias.county_id == county_id, SearchAlias.item_code == item_code).order_by(SearchAlias.id)))


def aliases_by_code(session: Session, county_id: int) -> dict[str, list[SearchAlias]]:
    """Every alias of the county, grouped by item code (codes in order)."""
    out: dict[str, list[SearchAlias]] = {}
    for row in session.scalars(select(SearchAlias).where(SearchAlias.county_id == county_id)
                               .order_by(SearchAlias.item_code, SearchAlias.id)):
        out.setdefault(row.item_code, []).append(row)
    return out


def clean_alias(text: str) -> str:
    """The alias as stored (normalised). Raises ValidationFailed if empty, too long or without a word."""
    alias = normalize(text)
    if not alias or not any(ch.isalnum() for ch in alias):
        raise ValidationFailed("请填写常用说法", details={"alias": "请填写常用说法"})
    if len(alias) > MAX_ALIAS_CHARS:
        message = f"常用说法不超过 {MAX_ALIAS_CHARS} 个字"
        raise ValidationFailed(message, details={"alias": message})
    return alias


def _require_item(session: Session, county_id: int, item_code: str) -> None:
    found = session.scalar(select(PowerItem.id).join(PowerItem.version).where(
        PowerListVersion.county_id == county_id, PowerItem.code == item_code).limit(1))
    if found is None:
        raise NotFound(f"本县清单中没有编码为 {item_code} 的事项")


def add_alias(session: Session, county: Jurisdiction, item_code: str, text: str, *, actor: User | None,
              now: dt.datetime) -> SearchAlias:
    """Add an everyday word to an item and reindex it. Raises ValidationFailed (empty, too long), NotFound
    (no such item in the county's list) or Conflict (the item already has it)."""
    alias = clean_alias(text)
    _require_item(session, county.id, item_code)
    if any(a.alias == alias for a in aliases_for(session, county.id, item_code)):
        raise Conflict(f"该事项已有常用说法“{alias}”")
    row = SearchAlias(county_id=county.id, item_code=item_code, alias=alias, created_at=now,
                      created_by_id=actor.id if actor else None)
    session.add(row)
    session.flush()
    reindex_code(session, county.id, item_code)
    record(session, actor=actor, action="search.alias_add", object_type="power_item", object_id=item_code,
           payload={"alias": alias}, now=now)
    return row


def remove_alias(session: Session, county: Jurisdiction, alias_id: int, *, actor: User | None,
                 now: dt.datetime) -> str:
    """Remove one alias (loaded through the county) and reindex its item. Returns the item code.
    Raises NotFound."""
    row = session.get(SearchAlias, alias_id)
    if row is None or row.county_id != county.id:
        raise NotFound("未找到该常用说法")
    code = row.item_code
    session.delete(row)
    session.flush()
    reindex_code(session, county.id, code)
    record(session, actor=actor, action="search.alias_remove", object_type="power_item", object_id=code,
           payload={"alias": row.alias}, now=now)
    return code


def load_demo_aliases(session: Session, county: Jurisdiction, *, now: dt.datetime) -> int:
    """Seed the demo county's aliases from ``fixtures/demo-aliases.json`` (skips those present and items the
    list lacks). Returns how many were added."""
    seed: dict[str, list[str]] = json.loads(DEMO_ALIASES.read_text(encoding="utf-8"))["aliases"]
    added = 0
    for code, words in seed.items():
        try:
            _require_item(session, county.id, code)
        except NotFound:
            continue
        present = {a.alias for a in aliases_for(session, county.id, code)}
        for word in words:
            alias = clean_alias(word)
            if alias in present:
                continue
            session.add(SearchAlias(county_id=county.id, item_code=code, alias=alias, created_at=now))
            present.add(alias)
            added += 1
        session.flush()
        reindex_code(session, county.id, code)
    return added
