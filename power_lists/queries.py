"""Read-only questions the rest of the system asks of the list, answered from the stored data.

"Which powers did town X hold on date D" = the items of the version in force on D in X's county whose
delegation to X covers D. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, defer, selectinload

from power_lists.models import (
    FROZEN_STATUSES,
    DelegationMode,
    ItemDelegation,
    PowerItem,
    PowerListVersion,
    PowerType,
    VersionStatus,
    item_full_name,
    item_opens_application,
)
from service_hall.core.errors import NotFound
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no daylight saving since 1991


def china_today(now: dt.datetime) -> dt.date:
    """The calendar date in China at ``now`` (effective dates are Chinese calendar dates)."""
    return now.astimezone(CHINA).date()


def version_in_force(session: Session, county_id: int, on: dt.date) -> PowerListVersion | None:
    """The published version with the latest effective date on or before ``on`` (None before the first)."""
    return session.scalar(
        select(PowerListVersion)
        .where(PowerListVersion.county_id == county_id,
               PowerListVersion.status.in_(FROZEN_STATUSES),
               PowerListVersion.effective_from <= on)
        .order_by(PowerListVersion.effective_from.desc(), PowerListVersion.number.desc())
        .limit(1))


def _town(session: Session, town_id: int) -> Jurisdiction:
    town = session.get(Jurisdiction, town_id)
    if town is None or town.level is not JurisdictionLevel.TOWN:
        raise NotFound("未找到该乡镇（街道）")
    return town


def _covers(on: dt.date) -> ColumnElement[bool]:
    return (or_(ItemDelegation.valid_from.is_(None), ItemDelegation.valid_from <= on)
            & or_(ItemDelegation.valid_until.is_(None), ItemDelegation.valid_until >= on))


def _held(town_id: int, on: dt.date) -> ColumnElement[bool]:
    return PowerItem.delegations.any((ItemDelegation.town_id == town_id) & _covers(on))


# What a listing of items does not print: the list's legal texts (bases, duties, accountability) and the
# note, JSON the database would send and Python decode for every row. They stay unloaded and touching one
# raises, so a listing's template cannot turn into one load per row. The guide stays: readiness reads it.
UNLISTED = (PowerItem.setting_basis, PowerItem.implementing_basis, PowerItem.responsibilities,
            PowerItem.accountability, PowerItem.note)


def items_for_town(session: Session, town_id: int, on: dt.date, *, listing: bool = False) -> list[PowerItem]:
    """The powers town ``town_id`` held on ``on``, in list order; with ``listing``, without the columns a
    listing does not print (:data:`UNLISTED`). Raises NotFound for an unknown town."""
    town = _town(session, town_id)
    version = version_in_force(session, town.county.id, on)
    if version is None:
        return []
    options: list[Any] = [selectinload(PowerItem.delegations), selectinload(PowerItem.original_office)]
    if listing:
        options += [defer(column, raiseload=True) for column in UNLISTED]
    return list(session.scalars(
        select(PowerItem).where(PowerItem.version_id == version.id, _held(town_id, on))
        .options(*options).order_by(PowerItem.position)))


def item_for_town(session: Session, item_code: str, town_id: int, on: dt.date) -> PowerItem:
    """The item ``item_code`` as town ``town_id`` held it on ``on``.

    Raises NotFound (in Chinese) if the town does not hold that power on that date.
    """
    town = _town(session, town_id)
    version = version_in_force(session, town.county.id, on)
    item = None
    if version is not None:
        item = session.scalar(select(PowerItem).where(
            PowerItem.version_id == version.id, PowerItem.code == item_code, _held(town_id, on)))
    if item is None:
        raise NotFound(f"{town.name}在{on.isoformat()}未承接编码为 {item_code} 的事项")
    return item


def get_item(session: Session, item_id: int, *, published_only: bool = False) -> PowerItem:
    """An item by id. Raises NotFound (also for draft items when ``published_only``)."""
    item = session.get(PowerItem, item_id)
    if item is None or (published_only and item.version.status not in FROZEN_STATUSES):
        raise NotFound("未找到该事项")
    return item


def get_version(session: Session, version_id: int, *, county_id: int | None = None,
                published_only: bool = False) -> PowerListVersion:
    """A version by id. Raises NotFound (outside ``county_id``, or unpublished when ``published_only``)."""
    version = session.get(PowerListVersion, version_id)
    if (version is None or (county_id is not None and version.county_id != county_id)
            or (published_only and version.status not in FROZEN_STATUSES)):
        raise NotFound("未找到该清单版本")
    return version


def version_by_number(session: Session, county_id: int, number: int, *,
                      published_only: bool = False) -> PowerListVersion:
    """Raises NotFound."""
    version = session.scalar(select(PowerListVersion).where(PowerListVersion.county_id == county_id,
                                                            PowerListVersion.number == number))
    if version is None or (published_only and version.status not in FROZEN_STATUSES):
        raise NotFound(f"未找到第{number}版清单")
    return version


def versions(session: Session, county_id: int, *, published_only: bool = False) -> list[PowerListVersion]:
    """All versions of a county, newest first."""
    query = select(PowerListVersion).where(PowerListVersion.county_id == county_id)
    if published_only:
        query = query.where(PowerListVersion.status.in_(FROZEN_STATUSES))
    return list(session.scalars(query.order_by(PowerListVersion.number.desc())))


def open_version(session: Session, county_id: int) -> PowerListVersion | None:
    """The county's draft or version under review, if any (there is at most one)."""
    return session.scalar(select(PowerListVersion).where(
        PowerListVersion.county_id == county_id,
        PowerListVersion.status.in_([VersionStatus.DRAFT, VersionStatus.IN_REVIEW])))


def latest_published(session: Session, county_id: int) -> PowerListVersion | None:
    """The published version with the latest effective date (possibly not yet in force)."""
    return session.scalar(
        select(PowerListVersion)
        .where(PowerListVersion.county_id == county_id, PowerListVersion.status.in_(FROZEN_STATUSES))
        .order_by(PowerListVersion.effective_from.desc(), PowerListVersion.number.desc()).limit(1))


def previous_published(session: Session, version: PowerListVersion) -> PowerListVersion | None:
    """The published version that ``version`` replaced (by effective date), for the change history."""
    if version.effective_from is None:
        return latest_published(session, version.county_id)
    return session.scalar(
        select(PowerListVersion)
        .where(PowerListVersion.county_id == version.county_id, PowerListVersion.status.in_(FROZEN_STATUSES),
               PowerListVersion.effective_from < version.effective_from)
        .order_by(PowerListVersion.effective_from.desc()).limit(1))


def search_items(session: Session, version_id: int, *, text: str = "", power_type: str = "",
                 town_id: int | None = None) -> list[PowerItem]:
    """Items of a version filtered by name/code text, power type and receiving town."""
    query = select(PowerItem).where(PowerItem.version_id == version_id)
    if text:
        pattern = f"%{text.strip()}%"
        query = query.where(or_(PowerItem.name.like(pattern), PowerItem.code.like(pattern),
                                PowerItem.sub_item.like(pattern), PowerItem.original_department.like(pattern)))
    if power_type:
        query = query.where(PowerItem.power_type == power_type)
    if town_id is not None:
        query = query.where(PowerItem.delegations.any(ItemDelegation.town_id == town_id))
    return list(session.scalars(query.options(selectinload(PowerItem.delegations).selectinload(ItemDelegation.town))
                                .order_by(PowerItem.position)))


def counties(session: Session) -> list[Jurisdiction]:
    return list(session.scalars(select(Jurisdiction).where(Jurisdiction.level == JurisdictionLevel.COUNTY)
                                .order_by(Jurisdiction.code)))


@dataclass(frozen=True)
class Holding:
    """One power a town held on a day, in the few columns reports need."""

    code: str
    name: str  # with the 子项
    power_type: PowerType
    delegation_mode: DelegationMode
    opens_application: bool


def holdings(session: Session, towns: Sequence[Jurisdiction], on: dt.date) -> dict[int, list[Holding]]:
    """What each of ``towns`` held on ``on``, in list order: the same answer as :func:`items_for_town`,
    for many towns at once in one query per county and without loading whole items."""
    out: dict[int, list[Holding]] = {t.id: [] for t in towns}
    by_county: dict[int, list[int]] = defaultdict(list)
    for town in towns:
        by_county[town.county.id].append(town.id)
    for county_id, town_ids in by_county.items():
        version = version_in_force(session, county_id, on)
        if version is None:
            continue
        rows = session.execute(
            select(ItemDelegation.town_id, PowerItem.code, PowerItem.name, PowerItem.sub_item, PowerItem.power_type,
                   PowerItem.delegation_mode, PowerItem.accepts_applications)
            .join(ItemDelegation.item)
            .where(PowerItem.version_id == version.id, ItemDelegation.town_id.in_(town_ids), _covers(on))
            .order_by(PowerItem.position, ItemDelegation.id))
        seen: set[tuple[int, str]] = set()
        for town_id, code, name, sub_item, power_type, mode, accepts in rows:
            if (town_id, code) in seen:  # two delegation periods both covering the day
                continue
            seen.add((town_id, code))
            out[town_id].append(Holding(code=code, name=item_full_name(name, sub_item), power_type=power_type,
                                        delegation_mode=mode,
                                        opens_application=item_opens_application(power_type, accepts)))
    return out
