"""The composition of the search with 一件事: bundles as documents of the full-text index.

``search`` and ``bundles`` share a layer and may not import each other (docs/architecture.md, "Layers");
this module sits above both, implements the search's :class:`~service_hall.search.sources.Source` for
bundles and, in the flush that publishes a bundle version (which supersedes the one before), rewrites the
county's bundle documents. :func:`install` is called when the app is set up (docs/search.md, "Bundles").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from power_lists.models import PowerItem, item_full_name
from power_lists.queries import china_today, version_in_force
from service_hall.bundles.models import Bundle, BundleStatus
from service_hall.bundles.versions import in_force, offering_towns
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel
from service_hall.search import sources
from service_hall.search.index import index_source

KIND = "bundle"


class BundleSource:
    """The bundles in force: name and theme, their items' names and aliases, the towns that offer them."""

    kind = KIND

    def documents(self, session: Session, now: dt.datetime,
                  county_id: int | None = None) -> list[sources.SourceDocument]:
        query = select(Jurisdiction).where(Jurisdiction.level == JurisdictionLevel.COUNTY)
        if county_id is not None:
            query = query.where(Jurisdiction.id == county_id)
        out = []
        for county in session.scalars(query).all():
            bundles = in_force(session, county, now)
            if not bundles:
                continue
            version = version_in_force(session, county.id, china_today(now))
            codes = {c for b in bundles for c in b.item_codes}
            names = {} if version is None else {
                code: item_full_name(name, sub_item) for code, name, sub_item in session.execute(
                    select(PowerItem.code, PowerItem.name, PowerItem.sub_item)
                    .where(PowerItem.version_id == version.id, PowerItem.code.in_(codes)))}
            places = {code: town_id for code, town_id in session.execute(select(Jurisdiction.code, Jurisdiction.id)
                      .where(Jurisdiction.code.in_({t for b in bundles for t in b.towns})))}
            out += [sources.SourceDocument(
                kind=KIND, bundle_id=b.id, county_id=county.id, code=b.code, title=b.name,
                names=[b.name, b.theme.label], item_codes=b.item_codes,
                body=[b.description, *(names[c] for c in b.item_codes if c in names)],
                town_ids=[places[t] for t in b.towns if t in places]) for b in bundles]
        return out


    def offering(self, session: Session, bundle_ids: Sequence[int], on: dt.date) -> dict[int, set[str]]:
        bundles = session.scalars(select(Bundle).where(Bundle.id.in_(set(bundle_ids))))
        return {b.id: set(offering_towns(session, b, on)) for b in bundles}


def _became_published(bundle: Bundle) -> bool:
    return bundle.status is BundleStatus.PUBLISHED and bool(inspect(bundle).attrs.status.history.added)


def _index_published_bundles(session: Session, flush_context: Any) -> None:
    """Rewrite the county's bundle documents in the flush that publishes one of its bundle versions."""
    published = [obj for obj in list(session.new) + list(session.dirty)
                 if isinstance(obj, Bundle) and _became_published(obj)]
    for county_id in dict.fromkeys(b.county_id for b in published):
        now = max(b.published_at for b in published if b.county_id == county_id and b.published_at is not None)
        index_source(session, KIND, county_id=county_id, now=now)


def install() -> None:
    """Register the bundle source and its flush listener (idempotent)."""
    sources.register(BundleSource())
    if not event.contains(Session, "after_flush", _index_published_bundles):
        event.listen(Session, "after_flush", _index_published_bundles)
