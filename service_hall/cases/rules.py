"""What the case flow needs to know about a power item, read from the pinned list row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from power_lists.models import DutyStage as Stage


@dataclass(frozen=True)
class MaterialRule:
    code: str
    name: str
    required: bool
    deferrable: bool  # 容缺


@dataclass(frozen=True)
class ItemRules:
    code: str
    name: str
    opens_application: bool
    promised_days: int
    statutory_days: int
    immediate: bool  # 即办件
    pledge_allowed: bool  # 告知承诺制
    two_reviewers: bool
    separate_decider: bool
    materials: list[MaterialRule] = field(default_factory=list)
    duties: dict[Stage, list[str]] = field(default_factory=dict)
    accountability: list[dict[str, str]] = field(default_factory=list)


def rules_for(item: Any) -> ItemRules:
    """Adapt a ``power_lists.models.PowerItem`` row (and its 办事指南) to the flow's needs."""
    guide = item.guide or {}
    materials = [MaterialRule(code=str(m["code"]), name=str(m["name"]), required=bool(m.get("required", True)),
                              deferrable=bool(m.get("deferrable", False))) for m in guide.get("materials") or []]
    duties: dict[Stage, list[str]] = {}
    for stage in Stage:
        text = (item.responsibilities or {}).get(stage.value) or ""
        duties[stage] = [line.strip() for line in text.replace("；", "\n").splitlines() if line.strip()]
    statutory = guide.get("statutory_days")
    return ItemRules(
        code=item.code, name=item.full_name, opens_application=bool(item.opens_application),
        promised_days=int(guide.get("promised_days") or 0),
        # 行政许可法 第四十二条: twenty working days unless the item's own law says otherwise.
        statutory_days=int(statutory if statutory is not None else 20),
        immediate=guide.get("case_type") == "immediate",
        pledge_allowed=bool(guide.get("pledge_allowed")),
        two_reviewers=bool(item.two_reviewers), separate_decider=bool(item.separate_decider),
        materials=materials, duties=duties, accountability=list(item.accountability or []),
    )
