"""Who may see what: staff act within their own town/street; a county account over its towns."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.core.errors import NotFound
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel


class Scoped(Protocol):
    """What scoping needs to know of an account (``service_hall.accounts.models.User`` has it). Accounts
    sit above jurisdictions, so this package names the two attributes instead of importing ``User``."""

    @property
    def is_staff(self) -> bool: ...

    @property
    def jurisdiction_id(self) -> int | None: ...


def subtree_ids(session: Session, root_id: int) -> set[int]:
    """The jurisdiction and everything below it."""
    ids = {root_id}
    frontier = {root_id}
    while frontier:
        frontier = set(session.scalars(select(Jurisdiction.id).where(Jurisdiction.parent_id.in_(frontier))))
        frontier -= ids
        ids |= frontier
    return ids


def visible_jurisdiction_ids(session: Session, user: Scoped) -> set[int]:
    """Jurisdictions whose records a staff account may see; empty for applicants."""
    if not user.is_staff or user.jurisdiction_id is None:
        return set()
    return subtree_ids(session, user.jurisdiction_id)


def visible_towns(session: Session, user: Scoped) -> list[Jurisdiction]:
    ids = visible_jurisdiction_ids(session, user)
    return list(session.scalars(select(Jurisdiction).where(
        Jurisdiction.id.in_(ids), Jurisdiction.level == JurisdictionLevel.TOWN).order_by(Jurisdiction.code)))


def towns(session: Session) -> list[Jurisdiction]:
    return list(session.scalars(select(Jurisdiction).where(Jurisdiction.level == JurisdictionLevel.TOWN)
                                .order_by(Jurisdiction.code)))


def by_code(session: Session, code: str) -> Jurisdiction:
    """Raises NotFound."""
    j = session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if j is None:
        raise NotFound("区划不存在")
    return j


def all_jurisdictions(session: Session) -> list[Jurisdiction]:
    return list(session.scalars(select(Jurisdiction).order_by(Jurisdiction.code)))
