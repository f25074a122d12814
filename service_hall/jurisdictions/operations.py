"""Who may see what: staff act within their own town/street; a county account over its towns."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session

from service_hall.core.base import utcnow
from service_hall.core.errors import NotFound
from service_hall.jurisdictions.imports import local_date
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel


class Scoped(Protocol):
    """What scoping needs to know of an account (``service_hall.accounts.models.User`` has it). Accounts
    sit above jurisdictions, so this package names the two attributes instead of importing ``User``."""

    @property
    def is_staff(self) -> bool: ...

    @property
    def jurisdiction_id(self) -> int | None: ...


_SUBTREES = "jurisdiction_subtrees"


def subtree_ids(session: Session, root_id: int) -> set[int]:
    """The jurisdiction and everything below it, in one recursive query (``UNION`` stops at a cycle). Read
    once per session until it writes or ends: a page asks for the same scope in each of its lists
    (docs/architecture.md, "Lists at scale")."""
    known: dict[int, frozenset[int]] = session.info.setdefault(_SUBTREES, {})
    if root_id not in known:
        tree = select(Jurisdiction.id).where(Jurisdiction.id == root_id).cte("tree", recursive=True)
        tree = tree.union(select(Jurisdiction.id).join(tree, Jurisdiction.parent_id == tree.c.id))
        known[root_id] = frozenset({root_id} | set(session.scalars(select(tree.c.id))))
    return set(known[root_id])


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_subtrees(session: Session, *_: object) -> None:
    session.info.pop(_SUBTREES, None)


def visible_jurisdiction_ids(session: Session, user: Scoped) -> set[int]:
    """Jurisdictions whose records a staff account may see; empty for applicants."""
    if not user.is_staff or user.jurisdiction_id is None:
        return set()
    return subtree_ids(session, user.jurisdiction_id)


def visible_towns(session: Session, user: Scoped) -> list[Jurisdiction]:
    ids = visible_jurisdiction_ids(session, user)
    return list(session.scalars(select(Jurisdiction).where(
        Jurisdiction.id.in_(ids), Jurisdiction.level == JurisdictionLevel.TOWN).order_by(Jurisdiction.code)))


def towns(session: Session, *, on: dt.date | None = None) -> list[Jurisdiction]:
    """The towns and streets open on ``on`` (today in China by default): the places that take new
    applications. Closed ones stay readable through their cases and ``all_jurisdictions``."""
    day = on or local_date(utcnow())
    return list(session.scalars(select(Jurisdiction).where(
        Jurisdiction.level == JurisdictionLevel.TOWN,
        or_(Jurisdiction.closed_on.is_(None), Jurisdiction.closed_on > day)).order_by(Jurisdiction.code)))


def by_code(session: Session, code: str) -> Jurisdiction:
    """Raises NotFound."""
    j = session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if j is None:
        raise NotFound("区划不存在")
    return j


def town_by_code(session: Session, code: str) -> Jurisdiction:
    """Raises NotFound (no such code, or not a town)."""
    found = by_code(session, code)
    if found.level is not JurisdictionLevel.TOWN:
        raise NotFound("未找到该乡镇（街道）")
    return found


def all_jurisdictions(session: Session) -> list[Jurisdiction]:
    return list(session.scalars(select(Jurisdiction).order_by(Jurisdiction.code)))


def counties_overview(session: Session) -> list[dict[str, object]]:
    """Per county: its record, how many towns and villages are open, and the closed ones."""
    out: list[dict[str, object]] = []
    counties = session.scalars(select(Jurisdiction).where(Jurisdiction.level == JurisdictionLevel.COUNTY)
                               .order_by(Jurisdiction.code))
    for county in counties:
        below = [session.get(Jurisdiction, i) for i in sorted(subtree_ids(session, county.id) - {county.id})]
        places = [j for j in below if j is not None]
        out.append({
            "county": county,
            "towns": sum(1 for j in places if j.level is JurisdictionLevel.TOWN and j.closed_on is None),
            "villages": sum(1 for j in places if j.level is JurisdictionLevel.VILLAGE and j.closed_on is None),
            "closed": sorted((j for j in places if j.closed_on is not None), key=lambda j: j.code),
        })
    return out
