"""Documents the search indexes besides the list's items: a small registry other packages plug into.

The search may not import the packages whose things it finds (they share its layer, docs/architecture.md,
"Layers"), so a package offering findable things — 一件事 — implements :class:`Source` and the composition
layer (``service_hall.search_sources``) registers it when the app is set up and tells the index when those
things change (:func:`service_hall.search.index.index_source`). A source returns the documents *in force*;
the index replaces the county's documents of that kind with them, so a superseded version drops out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class SourceDocument:
    """One findable thing that is not an item. ``names`` are weighted highest, then the aliases of
    ``item_codes`` (the everyday words legal affairs keep for its items), then ``body``."""

    kind: str
    bundle_id: int
    county_id: int
    code: str
    title: str
    names: Sequence[str]
    item_codes: Sequence[str]
    body: Sequence[str]
    town_ids: Sequence[int]
    channel: str = "window"


class Source(Protocol):
    """What a package offering findable things implements."""

    kind: str

    def documents(self, session: Session, now: dt.datetime, county_id: int | None = None) -> list[SourceDocument]:
        """Every document in force at ``now`` (in the county, or everywhere when None)."""
        ...

    def offering(self, session: Session, bundle_ids: Sequence[int], on: dt.date) -> dict[int, set[str]]:
        """The codes of the towns that offer each of ``bundle_ids`` on ``on``: a document stays indexed
        while the list under it changes (an item revoked, a town's delegation ended), so the search asks
        at query time, for the few hits it has."""
        ...


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    """Register (or replace) the source of one kind."""
    _SOURCES[source.kind] = source


def registered() -> list[Source]:
    return list(_SOURCES.values())


def source(kind: str) -> Source | None:
    return _SOURCES.get(kind)
