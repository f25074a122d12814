"""Public announcements of entrustments (委托) that the law requires.

行政许可法 第二十四条 and 行政处罚法 第二十条: the entrusting authority announces the entrusted body and
the matters; the entrusted body acts in the entrusting authority's name within the entrustment and may
not entrust anyone else; the entrusting authority supervises it and bears the legal consequences.
One announcement per (entrusting department, town, period).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from power_lists.models import DelegationMode, PowerItem, PowerListVersion, PowerType, town_authority_name


@dataclass
class EntrustedMatter:
    code: str
    name: str
    power_type: str
    basis: str


@dataclass
class Announcement:
    entrusting_authority: str  # 委托机关
    entrusted_authority: str  # 受委托机关
    town_code: str
    period_from: dt.date | None
    period_until: dt.date | None
    matters: list[EntrustedMatter] = field(default_factory=list)
    legal_grounds: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.entrusting_authority}关于委托{self.entrusted_authority}实施部分行政权力事项的公告"

    @property
    def period_text(self) -> str:
        start = _chinese_date(self.period_from) if self.period_from else "本清单生效之日"
        end = f"{_chinese_date(self.period_until)}止" if self.period_until else "委托解除之日止"
        return f"自{start}起至{end}"

    @property
    def text(self) -> str:
        matters = "\n".join(f"{n}. {m.name}（事项编码：{m.code}；{m.power_type}；依据：{m.basis}）"
                            for n, m in enumerate(self.matters, start=1))
        return (
            f"{self.title}\n\n"
            f"根据{'、'.join(self.legal_grounds)}的规定，现将委托事项公告如下：\n"
            f"一、委托机关：{self.entrusting_authority}\n"
            f"二、受委托机关：{self.entrusted_authority}\n"
            f"三、委托事项：\n{matters}\n"
            f"四、委托期限：{self.period_text}。\n"
            f"五、受委托机关在委托范围内，以委托机关名义实施上述事项，不得再委托其他组织或者个人实施；"
            f"委托机关负责监督受委托机关实施上述事项的行为，并对该行为的后果承担法律责任。\n\n"
            f"特此公告。"
        )


def _chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _basis(item: PowerItem) -> str:
    entries = item.setting_basis or item.implementing_basis or []
    return "；".join(f"《{b['law']}》{b['article']}" for b in entries) or "—"


def _grounds(types: set[PowerType]) -> list[str]:
    grounds = []
    if PowerType.LICENSING in types:
        grounds.append("《中华人民共和国行政许可法》第二十四条")
    if PowerType.PENALTY in types:
        grounds.append("《中华人民共和国行政处罚法》第二十条")
    if types - {PowerType.LICENSING, PowerType.PENALTY}:
        grounds.append("有关法律、法规、规章")
    return grounds


def entrusted_since(history: list[PowerListVersion], version: PowerListVersion) -> dict[tuple[str, str], dt.date]:
    """When each entrustment (item code, town code) of ``version`` began: it keeps its own start across
    versions — the effective date of the earliest version of the unbroken run of published versions up
    to this one that entrusted the same item to the same town (or its own start date where one is set).
    ``history`` is the county's versions. Raises nothing."""
    published = sorted((v for v in history if v.effective_from is not None and v.number <= version.number
                        and (v.id == version.id or v.published_at is not None)), key=lambda v: v.number)
    since: dict[tuple[str, str], dt.date] = {}
    running: dict[tuple[str, str], dt.date] = {}
    for v in published:
        current: dict[tuple[str, str], dt.date] = {}
        for item in v.items:
            if item.delegation_mode is not DelegationMode.ENTRUSTED:
                continue
            for delegation in item.delegations:
                key = (item.code, delegation.town.code)
                assert v.effective_from is not None
                current[key] = delegation.valid_from or running.get(key) or v.effective_from
        running = current
    since.update(running)
    return since


def entrustment_announcements(version: PowerListVersion,
                              history: list[PowerListVersion] | None = None) -> list[Announcement]:
    """The announcements for every entrusted item of a version, grouped by department, town and period;
    with the county's ``history`` each entrustment keeps the date it began in an earlier version."""
    groups: dict[tuple[str, str, dt.date | None, dt.date | None], Announcement] = {}
    types: dict[tuple[str, str, dt.date | None, dt.date | None], set[PowerType]] = {}
    began = entrusted_since(history, version) if history else {}
    for item in version.items:
        if item.delegation_mode is not DelegationMode.ENTRUSTED:
            continue
        for delegation in item.delegations:
            start = delegation.valid_from or began.get((item.code, delegation.town.code)) or version.effective_from
            key = (item.original_department, delegation.town.code, start, delegation.valid_until)
            if key not in groups:
                groups[key] = Announcement(item.original_department, town_authority_name(delegation.town),
                                           delegation.town.code, start, delegation.valid_until)
                types[key] = set()
            groups[key].matters.append(EntrustedMatter(item.code, item.full_name, item.power_type.label, _basis(item)))
            types[key].add(item.power_type)
    for key, announcement in groups.items():
        announcement.legal_grounds = _grounds(types[key])
    return sorted(groups.values(), key=lambda a: (a.town_code, a.entrusting_authority))
