"""Where each role has work: window, review and decision happen in a town or street; the list is kept
and accounts are administered at the county; supervision looks at the county or one town."""

from __future__ import annotations

import datetime as dt

from service_hall.accounts.permissions import Role
from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel

ROLE_LEVELS: dict[Role, frozenset[JurisdictionLevel]] = {
    Role.CLERK: frozenset({JurisdictionLevel.TOWN}),
    Role.REVIEWER: frozenset({JurisdictionLevel.TOWN}),
    Role.DECIDER: frozenset({JurisdictionLevel.TOWN}),
    Role.SUPERVISOR: frozenset({JurisdictionLevel.COUNTY, JurisdictionLevel.TOWN}),
    Role.LEGAL: frozenset({JurisdictionLevel.COUNTY}),
    Role.ADMIN: frozenset({JurisdictionLevel.COUNTY}),
}
_PLACES = {
    frozenset({JurisdictionLevel.TOWN}): "乡镇（街道）",
    frozenset({JurisdictionLevel.COUNTY, JurisdictionLevel.TOWN}): "县级或乡镇（街道）",
    frozenset({JurisdictionLevel.COUNTY}): "县级",
}
_LEVEL_NAMES = {JurisdictionLevel.COUNTY: "县级区划", JurisdictionLevel.TOWN: "乡镇（街道）",
                JurisdictionLevel.VILLAGE: "村（社区）"}


def placement_problem(role: Role, place: Jurisdiction, *, on: dt.date) -> str | None:
    """Why an account with ``role`` cannot be placed in ``place`` on ``on`` (a Chinese sentence), or None."""
    if role is Role.APPLICANT:
        return "申请人账号由群众自行注册，不能作为工作人员导入"
    if not place.is_open_on(on):
        return f"{place.name}已于 {place.closed_on} 撤销，不能再设置工作人员账号"
    allowed = ROLE_LEVELS[role]
    if place.level not in allowed:
        return (f"{role.label}只能设在{_PLACES[allowed]}，{place.name}是{_LEVEL_NAMES[place.level]}")
    return None
