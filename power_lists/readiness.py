"""Readiness: an application-type item is open for online applications in a town only when the town
holds it that day (the version in force, the delegation's dates) and its 办事指南 is complete. Its form
is the designed one, or until one is published the default generated from the guide
(see power_lists.item_forms). Everything else is listed publicly as "请到窗口办理".

See docs/power-list-format.md, "Readiness". Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from power_lists.models import PowerItem, PowerListVersion
from power_lists.queries import china_today, items_for_town, latest_published, open_version, version_in_force
from service_hall.jurisdictions.models import Jurisdiction

# The guide elements without which an item cannot take applications, with their names as shown: the
# clock and the intake check need them. (审批结果名称 is not among them: documents fall back to
# "事项名称决定书".)
REQUIRED_GUIDE: tuple[tuple[str, str], ...] = (
    ("case_type", "办件类型"),
    ("statutory_days", "法定办结时限"),
    ("promised_days", "承诺办结时限"),
    ("materials", "申请材料"),
)
GENERATED_FORM = "使用由办事指南生成的默认表单（尚未设计表单）"
WALK_IN = "暂未开通网上申请，请到窗口办理"


def guide_missing(guide: dict[str, Any] | None) -> list[str]:
    """The names of the required guide elements ``guide`` lacks (all of them when there is none)."""
    guide = guide or {}
    missing = []
    for key, label in REQUIRED_GUIDE:
        value = guide.get(key)
        if value is None or value == "" or value == []:
            missing.append(label)
    return missing


def published_form_codes(session: Session, codes: list[str], now: dt.datetime) -> set[str]:
    """The item codes among ``codes`` that have a form definition published at ``now``."""
    from forms.models import FormDefinitionVersion, FormStatus

    if not codes:
        return set()
    return set(session.scalars(select(FormDefinitionVersion.item_code).where(
        FormDefinitionVersion.item_code.in_(codes), FormDefinitionVersion.status == FormStatus.PUBLISHED,
        FormDefinitionVersion.published_at <= now)))


@dataclass(frozen=True)
class ItemReadiness:
    """Why an application-type item is or is not open: the guide elements it lacks; and whether its form
    was designed (else it is generated from the guide)."""

    item: PowerItem
    missing_guide: tuple[str, ...]
    has_form: bool

    @property
    def is_open(self) -> bool:
        return not self.missing_guide

    @property
    def reasons(self) -> list[str]:
        """What is missing, as shown on the readiness page (empty when open)."""
        out = []
        if self.missing_guide:
            out.append("办事指南缺少：" + "、".join(self.missing_guide))
        return out

    @property
    def form_note(self) -> str | None:
        """Said of an item without a designed form. Raises nothing."""
        return None if self.has_form else GENERATED_FORM


def readiness_of(session: Session, items: list[PowerItem], now: dt.datetime) -> dict[int, ItemReadiness]:
    """Readiness of the application-type ones among ``items``, by item id."""
    applicable = [i for i in items if i.opens_application]
    forms = published_form_codes(session, [i.code for i in applicable], now)
    return {i.id: ItemReadiness(i, tuple(guide_missing(i.guide)), i.code in forms) for i in applicable}


def open_items(session: Session, town: Jurisdiction, *, now: dt.datetime) -> list[PowerItem]:
    """The items the town holds today that take online applications now: application-type, guide complete.
    Raises NotFound for a place that is not a town."""
    items = items_for_town(session, town.id, china_today(now))
    ready = readiness_of(session, items, now)
    return [i for i in items if i.id in ready and ready[i.id].is_open]


def is_open(session: Session, item: PowerItem, *, now: dt.datetime) -> bool:
    """Whether ``item`` (already known to be held by the town that day) takes online applications."""
    ready = readiness_of(session, [item], now).get(item.id)
    return ready is not None and ready.is_open


@dataclass
class ReadinessReport:
    """The readiness page: which version was looked at, the counts and, per application-type item, what
    is missing."""

    version: PowerListVersion | None
    basis: str  # 现行版本 / 已发布待生效版本 / 草稿
    imported: int = 0
    application_type: int = 0
    open: int = 0
    blocked: list[ItemReadiness] = field(default_factory=list)
    ready: list[ItemReadiness] = field(default_factory=list)

    @property
    def blocked_count(self) -> int:
        return len(self.blocked)


def readiness_report(session: Session, county: Jurisdiction, *, now: dt.datetime) -> ReadinessReport:
    """Readiness of the county's list: the version in force, else the latest published, else the open
    draft (so a county sees what is missing before publishing). Raises nothing."""
    today = china_today(now)
    version, basis = version_in_force(session, county.id, today), "现行版本"
    if version is None:
        version, basis = latest_published(session, county.id), "已发布、尚未生效的版本"
    if version is None:
        version, basis = open_version(session, county.id), "未发布的草稿"
    report = ReadinessReport(version, basis if version is not None else "尚无清单")
    if version is None:
        return report
    items = list(version.items)
    states = readiness_of(session, items, now)
    report.imported = len(items)
    report.application_type = len(states)
    for item in items:
        state = states.get(item.id)
        if state is None:
            continue
        (report.ready if state.is_open else report.blocked).append(state)
    report.open = len(report.ready)
    return report
