"""The ready-made setups the flow tests start from, all built from the same parts: the demo
jurisdictions, a published list chosen from ``power_list.ITEMS``, accounts from ``accounts.STAFF`` and
``accounts.APPLICANTS``. Each returns the ids of the accounts by key (username, or ``applicant``,
``other_applicant``, ``third_applicant``)."""

from __future__ import annotations

from typing import Any

from tests.factories.accounts import Factory
from tests.factories.places import BAISHA, QINGSHAN
from tests.factories.power_list import (
    ADJUDICATION,
    BENEFIT,
    CONFIRMATION,
    ENFORCEMENT_ITEM,
    ENTRUSTED,
    FRONT,
    ITEM,
    OTHER,
    PLEDGE,
    PUBLIC_SERVICE,
    QUICK,
    REWARD,
    TWO,
    publish_list,
)

# What the intake flows need: the homestead item and a penalty, held by 青山镇 only (白沙镇 holds nothing).
INTAKE_ITEMS = (ITEM, ENFORCEMENT_ITEM)
# The review and decision variants, held by both towns.
REVIEW_ITEMS = (ITEM, TWO, QUICK, PLEDGE)
# The three delegation modes, for certificates and notices, held by both towns.
CERTIFICATE_ITEMS = (ITEM, ENTRUSTED, FRONT, QUICK)
# One item of each application power type (行政许可: the 告知承诺 即办件), held by both towns.
TYPE_ITEMS = (PLEDGE, BENEFIT, CONFIRMATION, REWARD, ADJUDICATION, PUBLIC_SERVICE, OTHER)


def intake_world(app: Any, factory: Factory) -> dict[str, int]:
    """INTAKE_ITEMS in 青山镇; two applicants, two clerks and a reviewer there, a clerk of 白沙镇."""
    factory.demo_jurisdictions()
    publish_list(app, INTAKE_ITEMS, towns=(QINGSHAN,))
    return {**factory.applicants(2),
            "clerk": factory.staff("clerk1", "clerk", QINGSHAN),
            "clerk2": factory.staff("clerk2", "clerk", QINGSHAN),
            "foreign_clerk": factory.staff("clerk.baisha", "clerk", BAISHA),
            "reviewer": factory.staff("rev1", "reviewer", QINGSHAN)}


def review_world(app: Any, factory: Factory) -> dict[str, int]:
    """REVIEW_ITEMS in both towns; two applicants and every account of STAFF."""
    factory.demo_jurisdictions()
    publish_list(app, REVIEW_ITEMS)
    return {**factory.applicants(2), **factory.all_staff()}


def certificate_world(app: Any, factory: Factory) -> dict[str, int]:
    """CERTIFICATE_ITEMS in both towns; three applicants and every account of STAFF."""
    factory.demo_jurisdictions()
    publish_list(app, CERTIFICATE_ITEMS)
    return {**factory.applicants(3), **factory.all_staff()}


def type_world(app: Any, factory: Factory) -> dict[str, int]:
    """TYPE_ITEMS and the homestead ITEM in both towns; two applicants and every account of STAFF."""
    factory.demo_jurisdictions()
    publish_list(app, (ITEM, *TYPE_ITEMS))
    return {**factory.applicants(2), **factory.all_staff()}
