"""Keeping the full-text index in step with the list.

Every item of a published (or later superseded) version has one row in ``search_documents``; the database's
own index follows that table (FTS5 triggers on SQLite, a generated tsvector on PostgreSQL). Rows are written
when a version becomes published — whatever path publishes it (review, CLI import, demo) — by a flush
listener, when an item's aliases change (:func:`reindex_code`), and all at once by :func:`rebuild`
(``flask search rebuild``). Searches only look at the version in force, so superseded rows do no harm.
Documents of other kinds (一件事) come from the sources registered in :mod:`service_hall.search.sources`.
Core statements only, so the same code runs inside a flush.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, delete, event, func, inspect, select, text, update
from sqlalchemy.orm import Session

from power_lists.models import FROZEN_STATUSES, PowerItem, PowerListVersion, VersionStatus, item_full_name
from service_hall.core.base import utcnow
from service_hall.search.models import SearchAlias, SearchDocument, SearchDocumentTown
from service_hall.search.sources import SourceDocument, registered, source
from service_hall.search.text import index_text, pinyin_text

_ITEMS = cast(Table, PowerItem.__table__)
_VERSIONS = cast(Table, PowerListVersion.__table__)
_DOCS = cast(Table, SearchDocument.__table__)
_ALIASES = cast(Table, SearchAlias.__table__)
_DOC_TOWNS = cast(Table, SearchDocumentTown.__table__)


def guide_text(guide: dict[str, Any] | None) -> str:
    """The words of a 办事指南 worth finding: conditions, material names and the result's name."""
    guide = guide or {}
    parts = [guide.get("conditions") or "", guide.get("result_name") or ""]
    parts += [m.get("name") or "" for m in guide.get("materials") or []]
    return "\n".join(p for p in parts if p)


def channel(guide: dict[str, Any] | None) -> str:
    """``online`` when the guide asks no visit and the item is handled fully online (四级), else ``window``."""
    guide = guide or {}
    return "online" if guide.get("visits") == 0 and guide.get("online_depth") == 4 else "window"


def _aliases(session: Session, county_id: int, codes: Iterable[str] | None = None) -> dict[str, list[str]]:
    query = select(_ALIASES.c.item_code, _ALIASES.c.alias).where(_ALIASES.c.county_id == county_id)
    if codes is not None:
        query = query.where(_ALIASES.c.item_code.in_(list(codes)))
    out: dict[str, list[str]] = defaultdict(list)
    for code, alias in session.execute(query.order_by(_ALIASES.c.id)):
        out[code].append(alias)
    return out


def _alias_columns(name: str, sub_item: str, aliases: list[str]) -> dict[str, str]:
    return {"aliases": index_text(*aliases), "pinyin": pinyin_text([item_full_name(name, sub_item), *aliases])}


def index_version(session: Session, version_id: int) -> int:
    """(Re)write the documents of one version's items. Returns how many. Raises nothing for a draft: drafts
    are simply not indexed (their documents, if any, are removed)."""
    version = session.execute(select(_VERSIONS.c.county_id, _VERSIONS.c.status)
                              .where(_VERSIONS.c.id == version_id)).one_or_none()
    session.execute(delete(_DOCS).where(_DOCS.c.version_id == version_id))
    if version is None or VersionStatus(version.status) not in FROZEN_STATUSES:
        return 0
    county_id = version.county_id
    items = session.execute(select(_ITEMS.c.id, _ITEMS.c.code, _ITEMS.c.name, _ITEMS.c.sub_item,
                                   _ITEMS.c.power_type, _ITEMS.c.guide, _ITEMS.c.original_department)
                            .where(_ITEMS.c.version_id == version_id)).all()
    aliases = _aliases(session, county_id)
    rows = [{
        "kind": "item", "item_id": item.id, "version_id": version_id, "county_id": county_id, "code": item.code,
        "power_type": str(item.power_type), "channel": channel(item.guide),
        "names": index_text(item.name, item.sub_item),
        "body": index_text(guide_text(item.guide), item.original_department),
        **_alias_columns(item.name, item.sub_item, aliases.get(item.code, [])),
    } for item in items]
    if rows:
        session.execute(_DOCS.insert(), rows)
    return len(rows)


def _source_row(doc: SourceDocument, aliases: dict[str, list[str]]) -> dict[str, Any]:
    words = list(dict.fromkeys(a for code in doc.item_codes for a in aliases.get(code, [])))
    return {"kind": doc.kind, "item_id": None, "version_id": None, "bundle_id": doc.bundle_id,
            "county_id": doc.county_id, "code": doc.code, "title": doc.title, "power_type": doc.kind,
            "channel": doc.channel, "names": index_text(*doc.names), "aliases": index_text(*words),
            "body": index_text(*doc.body), "pinyin": pinyin_text([*doc.names, *words])}


def index_source(session: Session, kind: str, *, county_id: int | None = None,
                 now: dt.datetime | None = None) -> int:
    """Replace the documents of ``kind`` (in the county, or everywhere) with those its registered source
    has in force at ``now``. Returns how many; 0 when no source of that kind is registered."""
    provider = source(kind)
    if provider is None:
        return 0
    docs = provider.documents(session, now or utcnow(), county_id)
    stale = [_DOCS.c.kind == kind] + ([_DOCS.c.county_id == county_id] if county_id is not None else [])
    session.execute(delete(_DOC_TOWNS).where(_DOC_TOWNS.c.document_id.in_(select(_DOCS.c.id).where(*stale))))
    session.execute(delete(_DOCS).where(*stale))
    aliases: dict[int, dict[str, list[str]]] = {}
    for doc in docs:
        if doc.county_id not in aliases:
            aliases[doc.county_id] = _aliases(session, doc.county_id)
        doc_id = session.execute(_DOCS.insert().values(**_source_row(doc, aliases[doc.county_id]))
                                 .returning(_DOCS.c.id)).scalar_one()
        if doc.town_ids:
            session.execute(_DOC_TOWNS.insert(), [{"document_id": doc_id, "town_id": t}
                                                  for t in dict.fromkeys(doc.town_ids)])
    return len(docs)


def reindex_code(session: Session, county_id: int, code: str) -> None:
    """Rewrite the alias columns of every indexed item ``code`` of the county (after an alias change), and
    the county's other documents (a 一件事 carries its items' aliases)."""
    for provider in registered():
        index_source(session, provider.kind, county_id=county_id)
    words = _aliases(session, county_id, [code]).get(code, [])
    found = session.execute(
        select(_DOCS.c.id, _ITEMS.c.name, _ITEMS.c.sub_item).join(_ITEMS, _ITEMS.c.id == _DOCS.c.item_id)
        .where(_DOCS.c.county_id == county_id, _DOCS.c.code == code)).all()
    for doc_id, name, sub_item in found:
        session.execute(update(_DOCS).where(_DOCS.c.id == doc_id).values(**_alias_columns(name, sub_item, words)))


def rebuild(session: Session) -> int:
    """Drop every document and index all published and superseded versions, and every registered source
    (一件事), again. Returns the count."""
    session.flush()
    session.execute(delete(_DOC_TOWNS))
    session.execute(delete(_DOCS))
    ids = session.scalars(select(_VERSIONS.c.id).where(
        _VERSIONS.c.status.in_([s.value for s in FROZEN_STATUSES])).order_by(_VERSIONS.c.id)).all()
    count = sum(index_version(session, version_id) for version_id in ids)
    count += sum(index_source(session, provider.kind) for provider in registered())
    if session.get_bind().dialect.name == "postgresql":  # fresh statistics so the planner uses the GIN index
        session.execute(text("ANALYZE search_documents"))
    return count


def counts(session: Session) -> dict[str, int]:
    """How many documents of each kind the index holds."""
    return {kind: int(n) for kind, n in session.execute(
        select(_DOCS.c.kind, func.count()).group_by(_DOCS.c.kind))}


def _became_published(version: PowerListVersion) -> bool:
    if version.status is not VersionStatus.PUBLISHED:
        return False
    return bool(inspect(version).attrs.status.history.added)


@event.listens_for(Session, "after_flush")
def _index_published_versions(session: Session, flush_context: Any) -> None:
    """Index a version in the flush that publishes it (review, import, demo all end in this status change)."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, PowerListVersion) and _became_published(obj):
            index_version(session, obj.id)
