"""Tables of the search: the indexed documents, the aliases legal affairs keep, the queries that found nothing.

The full-text index itself lives beside ``search_documents`` and is not mapped: on SQLite an external-content
FTS5 table ``search_fts`` kept in step by triggers, on PostgreSQL a generated ``tsv`` column with a GIN index
(migration 0011). :data:`UNMAPPED_SCHEMA_OBJECTS` names them so the model/migration comparison skips them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service_hall.core.base import Base, UTCDateTime

FTS_TABLE = "search_fts"
UNMAPPED_SCHEMA_OBJECTS = frozenset({
    FTS_TABLE, f"{FTS_TABLE}_data", f"{FTS_TABLE}_idx", f"{FTS_TABLE}_docsize", f"{FTS_TABLE}_config",
    f"{FTS_TABLE}_content", "tsv", "ix_search_documents_tsv",
})


class SearchDocument(Base):
    """One findable thing as segmented text: an item of a published version (``kind`` ``item``), or a
    document another package provides through :mod:`service_hall.search.sources` (``bundle``: a 一件事
    version in force, with ``bundle_id`` and ``title`` and its towns in ``search_document_towns``).

    ``names`` (事项名称、子项), ``aliases`` (everyday words), ``body`` (办事指南 text) hold jieba tokens separated
    by spaces; ``pinyin`` the pinyin of the names and aliases. ``channel`` is ``online`` when the guide needs
    no visit and the item is handled fully online, ``window`` otherwise.
    """

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("kind", "item_id", name="uq_search_documents_kind_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="item")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("power_items.id", ondelete="CASCADE"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("power_list_versions.id", ondelete="CASCADE"),
                                                   index=True)
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bundles.id", ondelete="CASCADE"), index=True)
    title: Mapped[str | None] = mapped_column(String(200))  # the display name of a document that is not an item
    county_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    code: Mapped[str] = mapped_column(String(64), index=True)
    power_type: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    names: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    pinyin: Mapped[str] = mapped_column(Text, default="")


class SearchDocumentTown(Base):
    """A town offering a document that is not an item (items are held through their delegations)."""

    __tablename__ = "search_document_towns"

    document_id: Mapped[int] = mapped_column(ForeignKey("search_documents.id", ondelete="CASCADE"),
                                             primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), primary_key=True, index=True)


class SearchAlias(Base):
    """An everyday word for an item (饭店 → 个体工商户登记), kept by legal affairs per county and item code, so
    it carries over to every later version of the list."""

    __tablename__ = "search_aliases"
    __table_args__ = (UniqueConstraint("county_id", "item_code", "alias", name="uq_search_aliases_county_code_alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(64))
    alias: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SearchMiss(Base):
    """A normalised query that found nothing: how often and when last. No person, address or session is kept,
    and digit runs that could be an identity or phone number are masked before storing."""

    __tablename__ = "search_misses"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(60), unique=True)
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime())
