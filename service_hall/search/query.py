"""Answering a search: tokens → the database's full-text index → ranked, highlighted hits.

Only the version in force today in each county is searched, and only items some town holds today (or the
asked town, with ``town``). Every token is quoted for FTS5 MATCH and every tsquery is built by
``plainto_tsquery`` or from letters we checked ourselves, so nothing the user types reaches the query
syntax: quotes, ``*``, ``NEAR``, ``:``, brackets are just characters (docs/search.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from power_lists.models import ItemDelegation, PowerItem, PowerType, item_full_name, item_opens_application
from power_lists.queries import version_in_force
from service_hall.core.errors import ValidationFailed
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel
from service_hall.search import sources
from service_hall.search.models import FTS_TABLE, SearchAlias, SearchDocument, SearchDocumentTown
from service_hall.search.text import is_latin, normalize, pinyin, query_tokens

DEFAULT_LIMIT = 20
MAX_LIMIT = 50
CHANNELS = {"online": "全程网办", "window": "到窗口办理"}
# bm25 column weights: names, aliases, guide text, pinyin.
_BM25_WEIGHTS = (10.0, 8.0, 1.0, 3.0)
_LETTERS = re.compile(r"^[a-z0-9]+$")


@dataclass(frozen=True)
class Filters:
    town: Jurisdiction | None = None
    county_id: int | None = None  # the town's county (found by :func:`filters_from`)
    power_type: PowerType | None = None
    channel: str | None = None  # a key of CHANNELS


@dataclass(frozen=True)
class TownRef:
    code: str
    name: str


@dataclass(frozen=True)
class Hit:
    """One result: an item (``item_id``) or a 一件事 (``kind`` ``bundle``: ``code`` is the bundle's code,
    ``item_id`` and ``power_type`` are None). ``name_marks`` and ``snippet_marks`` are (text, matched) runs
    for highlighting."""

    kind: str
    code: str
    name: str
    item_id: int | None
    town: str | None  # the asked town's code
    towns: list[TownRef]  # the towns holding the item (offering the bundle) on the day (when asked for)
    power_type: PowerType | None
    channel: str
    score: float
    name_marks: list[tuple[str, bool]]
    aliases: list[str]  # the everyday words that matched
    snippet_marks: list[tuple[str, bool]]
    opens_application: bool


@dataclass(frozen=True)
class Outcome:
    text: str  # the query as understood (normalised, cut to length)
    tokens: list[str]
    hits: list[Hit] = field(default_factory=list)


def filters_from(session: Session, *, town: str | None = None, power_type: str | None = None,
                 channel: str | None = None) -> Filters:
    """Filters from request values (empty means no filter). Raises ValidationFailed naming the bad ones."""
    problems: dict[str, str] = {}
    place = None
    if town:
        place = session.scalar(select(Jurisdiction).where(Jurisdiction.code == town.strip()))
        if place is None or place.level is not JurisdictionLevel.TOWN:
            problems["town"] = "未找到该乡镇（街道）"
            place = None
    kind = None
    if power_type:
        try:
            kind = PowerType(power_type.strip())
        except ValueError:
            problems["type"] = "职权类型不正确"
    if channel and channel not in CHANNELS:
        problems["channel"] = "办理方式应为 online（全程网办）或 window（到窗口办理）"
    if problems:
        raise ValidationFailed("搜索条件有误：" + "；".join(problems.values()), details=problems)
    return Filters(town=place, county_id=place.county.id if place else None, power_type=kind, channel=channel or None)


def _terms(tokens: Sequence[str]) -> tuple[list[str], list[str]]:
    """(words, letter prefixes): the tokens themselves, and for the pinyin column the letter tokens as
    prefixes plus the pinyin of Chinese tokens (homophone typos)."""
    words = [t for t in tokens if not is_latin(t)]
    prefixes = [t for t in tokens if is_latin(t) and len(t) >= 2]
    spelled = [p for p in (pinyin(t) for t in words) if p]
    return words, list(dict.fromkeys(prefixes + [s for s in spelled if s not in prefixes]))


def fts5_expression(tokens: Sequence[str]) -> str:
    """An FTS5 MATCH expression: every token a quoted string (quotes doubled), joined by OR."""
    words, prefixes = _terms(tokens)
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted += ['"' + p + '"' + ("*" if is_latin(p) else "") for p in prefixes if _LETTERS.match(p)]
    return " OR ".join(quoted)


def _counties(session: Session, county_ids: Sequence[int] | None) -> list[int]:
    """The asked counties (every county when None)."""
    if county_ids is None:
        return list(session.scalars(select(Jurisdiction.id).where(Jurisdiction.level == JurisdictionLevel.COUNTY)))
    return list(county_ids)


def _in_force(session: Session, county_ids: Sequence[int], on: dt.date) -> list[int]:
    """The version in force on ``on`` in each county."""
    found = (version_in_force(session, county_id, on) for county_id in county_ids)
    return [v.id for v in found if v is not None]


def _covers() -> ColumnElement[bool]:
    on = bindparam("on", type_=Date())
    return and_(or_(ItemDelegation.valid_from.is_(None), ItemDelegation.valid_from <= on),
                or_(ItemDelegation.valid_until.is_(None), ItemDelegation.valid_until >= on))


@functools.lru_cache(maxsize=256)
def _ranked_statement(dialect: str, n_words: int, n_prefixes: int, by_town: bool, by_type: bool,
                      by_channel: bool) -> Select:
    """The ranking query for one shape of search, built once: every value is a bound parameter (``on``,
    ``version_ids``, ``town_id``, ``power_type``, ``channel``, ``limit``, and ``expression`` or ``w0…``/``p0…``).
    Rows: (item_id, score, channel, county_id, code, name, sub_item, power_type, accepts_applications,
    conditions), best first."""
    doc = SearchDocument
    held = and_(ItemDelegation.item_id == doc.item_id, _covers())
    if by_town:
        held = and_(held, ItemDelegation.town_id == bindparam("town_id"))
    conditions = [doc.version_id.in_(bindparam("version_ids", expanding=True)), exists().where(held)]
    if by_type:
        conditions.append(doc.power_type == bindparam("power_type"))
    if by_channel:
        conditions.append(doc.channel == bindparam("channel"))
    score, matching, fts = _match(dialect, n_words, n_prefixes)
    inner = select(doc.id.label("doc_id"), doc.item_id, score.label("score"), doc.channel, doc.county_id)
    if fts is not None:
        inner = inner.select_from(fts).join(doc, fts.c.rowid == doc.id)
    inner = inner.where(*matching, *conditions).order_by(score.desc(), doc.id)
    best = inner.limit(bindparam("limit", type_=Integer())).subquery("best")
    return (select(best.c.item_id, best.c.score, best.c.channel, best.c.county_id, PowerItem.code, PowerItem.name,
                   PowerItem.sub_item, PowerItem.power_type, PowerItem.accepts_applications,
                   PowerItem.guide["conditions"].as_string().label("conditions"))
            .join(PowerItem, PowerItem.id == best.c.item_id).order_by(best.c.score.desc(), best.c.doc_id))


def _match(dialect: str, n_words: int,
           n_prefixes: int) -> tuple[ColumnElement[Any], list[Any], Any]:
    """(score, match conditions, FTS table to join or None) of one shape of query."""
    if dialect == "postgresql":
        parts = [func.plainto_tsquery("simple", bindparam(f"w{i}", type_=String())) for i in range(n_words)]
        parts += [func.to_tsquery("simple", bindparam(f"p{i}", type_=String())) for i in range(n_prefixes)]
        tsquery: ColumnElement[Any] = parts[0]
        for part in parts[1:]:
            tsquery = tsquery.op("||")(part)
        tsv: ColumnElement[Any] = literal_column("search_documents.tsv")
        return func.ts_rank(tsv, tsquery), [tsv.op("@@")(tsquery)], None
    # bm25 is lower for better matches; its negation is the score.
    return (-func.bm25(literal_column(FTS_TABLE), *_BM25_WEIGHTS), [text(f"{FTS_TABLE} MATCH :expression")],
            table(FTS_TABLE, column("rowid")))


@functools.lru_cache(maxsize=256)
def _sourced_statement(dialect: str, n_words: int, n_prefixes: int, by_town: bool, by_channel: bool) -> Select:
    """The ranking query over the documents that are not items (一件事): those of the asked counties
    (``county_ids``) offered by some town (or ``town_id``). Rows: (doc_id, bundle_id, score, channel,
    county_id, code, title, kind), best first."""
    doc = SearchDocument
    score, matching, fts = _match(dialect, n_words, n_prefixes)
    offered = SearchDocumentTown.document_id == doc.id
    if by_town:
        offered = and_(offered, SearchDocumentTown.town_id == bindparam("town_id"))
    conditions = [doc.kind != "item", doc.county_id.in_(bindparam("county_ids", expanding=True)),
                  exists().where(offered), *matching]
    if by_channel:
        conditions.append(doc.channel == bindparam("channel"))
    query = select(doc.id.label("doc_id"), doc.bundle_id, score.label("score"), doc.channel, doc.county_id,
                   doc.code, doc.title, doc.kind)
    if fts is not None:
        query = query.select_from(fts).join(doc, fts.c.rowid == doc.id)
    return query.where(*conditions).order_by(score.desc(), doc.id).limit(bindparam("limit", type_=Integer()))


def _params(session: Session, tokens: Sequence[str]) -> tuple[dict[str, Any], tuple[int, int]] | None:
    """The match parameters and shape of a query, or None when nothing of it can be searched."""
    if session.get_bind().dialect.name == "postgresql":
        words, prefixes = _terms(tokens)
        prefixes = [p + (":*" if is_latin(p) else "") for p in prefixes if _LETTERS.match(p)]
        if not words and not prefixes:
            return None
        return {f"w{i}": w for i, w in enumerate(words)} | {f"p{i}": p for i, p in enumerate(prefixes)}, \
            (len(words), len(prefixes))
    expression = fts5_expression(tokens)
    return ({"expression": expression}, (0, 0)) if expression else None


def _sourced(session: Session, tokens: Sequence[str], county_ids: list[int], filters: Filters,
             limit: int) -> list[Any]:
    """The best ``limit`` 一件事 documents; none when a power type is asked (a bundle has none of its own)."""
    if filters.power_type is not None or not county_ids:
        return []
    found = _params(session, tokens)
    if found is None:
        return []
    params, shape = found
    params |= {"county_ids": county_ids, "limit": limit}
    if filters.town is not None:
        params["town_id"] = filters.town.id
    if filters.channel:
        params["channel"] = filters.channel
    statement = _sourced_statement(session.get_bind().dialect.name, *shape, filters.town is not None,
                                   bool(filters.channel))
    return list(session.execute(statement, params))


def _still_offered(session: Session, rows: list[Any], filters: Filters,
                   on: dt.date) -> tuple[list[Any], dict[tuple[str, int], set[str]]]:
    """The 一件事 rows some town (the asked town, when asked) still offers on ``on``, and those towns' codes:
    the list under an indexed bundle may have changed since (:meth:`sources.Source.offering`)."""
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row.kind, []).append(row.bundle_id)
    offering: dict[tuple[str, int], set[str]] = {}
    for kind, ids in wanted.items():
        provider = sources.source(kind)
        if provider is not None:
            offering |= {(kind, i): codes for i, codes in provider.offering(session, ids, on).items()}
    town = filters.town.code if filters.town is not None else None
    kept = [row for row in rows if (codes := offering.get((row.kind, row.bundle_id)))
            and (town is None or town in codes)]
    return kept, offering


def _ranked(session: Session, tokens: Sequence[str], version_ids: list[int], filters: Filters, on: dt.date,
            limit: int) -> list[Any]:
    """The best ``limit`` documents with their item's columns, in one round trip."""
    dialect = session.get_bind().dialect.name
    params: dict[str, Any] = {"on": on, "version_ids": version_ids, "limit": limit}
    if filters.town is not None:
        params["town_id"] = filters.town.id
    if filters.power_type is not None:
        params["power_type"] = filters.power_type.value
    if filters.channel:
        params["channel"] = filters.channel
    found = _params(session, tokens)
    if found is None:
        return []
    params |= found[0]
    shape = found[1]
    statement = _ranked_statement(dialect, *shape, filters.town is not None, filters.power_type is not None,
                                  bool(filters.channel))
    return list(session.execute(statement, params))


@functools.lru_cache(maxsize=1)
def _towns_statement() -> Select:
    return (select(ItemDelegation.item_id, Jurisdiction.code, Jurisdiction.name)
            .join(Jurisdiction, Jurisdiction.id == ItemDelegation.town_id)
            .where(ItemDelegation.item_id.in_(bindparam("item_ids", expanding=True)), _covers())
            .order_by(Jurisdiction.code).distinct())


def _towns(session: Session, item_ids: Sequence[int], on: dt.date) -> dict[int, list[TownRef]]:
    out: dict[int, list[TownRef]] = {}
    for item_id, code, name in session.execute(_towns_statement(), {"item_ids": list(item_ids), "on": on}):
        out.setdefault(item_id, []).append(TownRef(code=code, name=name))
    return out


@functools.lru_cache(maxsize=1)
def _offering_statement() -> Select:
    return (select(SearchDocumentTown.document_id, Jurisdiction.code, Jurisdiction.name)
            .join(Jurisdiction, Jurisdiction.id == SearchDocumentTown.town_id)
            .where(SearchDocumentTown.document_id.in_(bindparam("doc_ids", expanding=True)))
            .order_by(Jurisdiction.code))


def _offering(session: Session, doc_ids: Sequence[int]) -> dict[int, list[TownRef]]:
    out: dict[int, list[TownRef]] = {}
    for doc_id, code, name in session.execute(_offering_statement(), {"doc_ids": list(doc_ids)}):
        out.setdefault(doc_id, []).append(TownRef(code=code, name=name))
    return out


def marks(text_: str, tokens: Sequence[str]) -> list[tuple[str, bool]]:
    """Split ``text_`` into (run, matched) pieces, matched where a query token occurs (longest first)."""
    wanted = sorted({t for t in tokens if t}, key=len, reverse=True)
    if not text_ or not wanted:
        return [(text_, False)] if text_ else []
    pattern = re.compile("|".join(re.escape(t) for t in wanted), re.IGNORECASE)
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in pattern.finditer(text_):
        if m.start() > pos:
            out.append((text_[pos:m.start()], False))
        out.append((m.group(0), True))
        pos = m.end()
    if pos < len(text_):
        out.append((text_[pos:], False))
    return out


def _snippet(conditions: str | None, tokens: Sequence[str], width: int = 40) -> list[tuple[str, bool]]:
    conditions = " ".join((conditions or "").split())  # shown as written: no NFKC on the guide's punctuation
    lowered = conditions.lower()
    positions = [lowered.find(t) for t in tokens if t and lowered.find(t) >= 0]
    if not positions:
        return []
    start = max(0, min(positions) - width // 4)
    piece = conditions[start:start + width]
    return marks(("…" if start else "") + piece + ("…" if start + width < len(conditions) else ""), tokens)


def search(session: Session, text_: str, *, on: dt.date, filters: Filters | None = None,
           county_ids: Sequence[int] | None = None, limit: int = DEFAULT_LIMIT, with_towns: bool = True) -> Outcome:
    """Items matching ``text_`` in the versions in force on ``on``, and the 一件事 in force, best first.

    ``county_ids`` defaults to the asked town's county, or every county; ``with_towns`` also lists the towns
    holding each hit. Never raises for what the user typed: input with no meaningful token gives an empty
    outcome.
    """
    filters = filters or Filters()
    limit = max(1, min(limit, MAX_LIMIT))
    tokens = query_tokens(text_)
    understood = normalize(text_)[:60]
    if not tokens:
        return Outcome(text=understood, tokens=[])
    if filters.town is not None:
        county_ids = [filters.county_id or filters.town.county.id]
    counties = _counties(session, county_ids)
    version_ids = _in_force(session, counties, on)
    ranked = _ranked(session, tokens, version_ids, filters, on, limit) if version_ids else []
    sourced, still = _still_offered(session, _sourced(session, tokens, counties, filters, limit), filters, on)
    if not ranked and not sourced:
        return Outcome(text=understood, tokens=tokens)
    ids = [row.item_id for row in ranked]
    words: dict[tuple[int, str], list[str]] = {}
    for county_id, code, alias in session.execute(
            select(SearchAlias.county_id, SearchAlias.item_code, SearchAlias.alias)
            .where(SearchAlias.item_code.in_({row.code for row in ranked})).order_by(SearchAlias.id)):
        words.setdefault((county_id, code), []).append(alias)
    towns = _towns(session, ids, on) if with_towns and ids else {}
    town = filters.town.code if filters.town else None
    hits = []
    for row in ranked:
        full_name = item_full_name(row.name, row.sub_item)
        matched = [a for a in words.get((row.county_id, row.code), []) if any(t in a for t in tokens)]
        hits.append(Hit(kind="item", code=row.code, name=full_name, item_id=row.item_id,
                        town=town, towns=towns.get(row.item_id, []),
                        power_type=row.power_type, channel=row.channel, score=round(float(row.score), 6),
                        name_marks=marks(full_name, tokens), aliases=matched[:3],
                        snippet_marks=_snippet(row.conditions, tokens),
                        opens_application=item_opens_application(row.power_type, row.accepts_applications)))
    offering = _offering(session, [row.doc_id for row in sourced]) if with_towns and sourced else {}
    for row in sourced:
        title = row.title or row.code
        hits.append(Hit(kind=row.kind, code=row.code, name=title, item_id=None, town=town,
                        towns=[t for t in offering.get(row.doc_id, []) if t.code in still[(row.kind, row.bundle_id)]],
                        power_type=None, channel=row.channel,
                        score=round(float(row.score), 6), name_marks=marks(title, tokens), aliases=[],
                        snippet_marks=[], opens_application=True))
    hits.sort(key=lambda h: h.score, reverse=True)  # stable: equal scores keep items first
    return Outcome(text=understood, tokens=tokens, hits=hits[:limit])
