"""Which office record stands behind an item's 原实施部门, and what documents print from it.

Items keep the text of 原实施部门 as the list writes it and are linked to the county's office of that
name when they are stored (:func:`link_items`). Documents of 委托 and 窗口前移 items take the issuing
name, the number prefix and the seal text from the office (see docs/power-list-format.md, "Offices").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session

from power_lists.models import DelegationMode, PowerItem, PowerListVersion
from service_hall.jurisdictions.models import Jurisdiction
from service_hall.offices.models import Office
from service_hall.offices.operations import office_by_name


@dataclass(frozen=True)
class IssuingOffice:
    """What a document prints for the department: name, 文号 prefix and seal text."""

    name: str
    short_name: str
    seal_text: str
    office_id: int | None = None


def issuing_office(item: PowerItem) -> IssuingOffice:
    """The office record of the item's 原实施部门 (linked, else found by name in the item's county), or the
    list's text when the county has no such office. Raises nothing."""
    office = item.original_office
    if office is None:
        session = object_session(item)
        if session is not None and item.version is not None:
            office = office_by_name(session, item.version.county_id, item.original_department)
    if office is None:
        return IssuingOffice(item.original_department, item.original_department, item.original_department)
    return IssuingOffice(office.name, office.short_name, office.seal_text, office.id)


def notice_series(item: PowerItem, town: Jurisdiction) -> tuple[str, str]:
    """(文号 prefix, counter key) of a case's notices: the town's name and its own series for 下放, the
    office's short name and the office's series for 委托 and 窗口前移 (every town acting for one office
    shares its numbers, so they stay unique). Raises nothing."""
    if item.delegation_mode is DelegationMode.DEVOLVED:
        return town.name, str(town.id)
    office = issuing_office(item)
    return office.short_name, f"office:{office.office_id}" if office.office_id else f"office:{office.name}"


def link_items(session: Session, version: PowerListVersion) -> None:
    """Point every item of a draft at the county's office named by its 原实施部门 (None when there is
    none). Raises nothing (a frozen version is left alone)."""
    if version.is_frozen:
        return
    offices = session.execute(select(Office.name, Office.id).where(Office.county_id == version.county_id)).all()
    # One statement per office (a county has tens of offices and thousands of items).
    session.execute(update(PowerItem).where(PowerItem.version_id == version.id)
                    .values(original_office_id=None).execution_options(synchronize_session=False))
    for name, office_id in offices:
        session.execute(update(PowerItem).where(PowerItem.version_id == version.id,
                                                PowerItem.original_department == name)
                        .values(original_office_id=office_id).execution_options(synchronize_session=False))
    session.expire(version, ["items"])
