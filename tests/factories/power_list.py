"""The power list: the items the flows use, each written once in ``ITEMS``; a published list built from a
choice of them, as the list's own import would store it; raw list documents for the import tests; the
demo list."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from power_lists.models import DelegationMode, PowerItem, PowerType
from tests.factories.clock import NOW
from tests.factories.forms import FORM, MATERIALS
from tests.factories.places import BAISHA, COUNTY, QINGSHAN

ITEM = "330199-XK-001"  # 宅基地审批: promised case, one reviewer, the homestead FORM
TWO = "330199-XK-101"  # two reviewers, acceptance and decision separated
QUICK = "330199-XK-102"  # 即办件
PLEDGE = "330199-XK-103"  # 告知承诺制 (also 即办件)
ENTRUSTED = "330199-XK-201"  # 委托: 燃气经营许可 in the name of the county's housing bureau, 5 years
FRONT = "330199-XK-202"  # 窗口前移: the county's natural-resources bureau decides, 2 years
ENFORCEMENT_ITEM = "330199-CF-001"  # a penalty: not applied for online
# One item of each other application power type (their procedures: docs/architecture.md).
BENEFIT = "330199-GF-101"  # 行政给付 (即办件): 高龄津贴, decides an amount and a schedule
CONFIRMATION = "330199-QR-101"  # 行政确认 (即办件), its result a 证照
REWARD = "330199-JL-101"  # 行政奖励 (即办件)
ADJUDICATION = "330199-CJ-101"  # 行政裁决: both parties heard
PUBLIC_SERVICE = "330199-GG-101"  # 公共服务: done once accepted
OTHER = "330199-QT-101"  # 其他行政权力 taking applications (即办件)

DEPARTMENT = "清溪县住房和城乡建设局"
FRONT_DEPARTMENT = "清溪县自然资源和规划局"
QINGSHAN_GOV = "青山镇人民政府"

ACCOUNTABILITY = [
    {"code": "no_one_time_notice", "situation": "未一次告知申请人必须补正的全部内容", "basis": "行政许可法 第七十二条"},
    {"code": "late_decision", "situation": "超过法定期限未作出宅基地审批决定", "basis": "行政许可法 第七十四条"},
]
RESPONSIBILITIES = {"intake": "依法受理申请；材料不齐全的一次性告知需补正的全部内容",
                    "review": "审查申请材料，组织实地踏勘", "decision": "依法作出决定并说明理由",
                    "delivery": "在法定期限内送达决定书", "supervision": "对告知承诺内容开展事后核查"}


def _licensing(code: str, name: str, *, mode: DelegationMode = DelegationMode.DEVOLVED,
               department: str = "清溪县农业农村局", immediate: bool = False, pledge: bool = False,
               two: bool = False, separate: bool = False, result: tuple[str, str, str] | None = None,
               responsibilities: dict[str, str] | None = None,
               accountability: list[dict[str, str]] | None = None,
               power_type: PowerType = PowerType.LICENSING) -> Callable[[int], PowerItem]:
    guide: dict[str, Any] = {
        "conditions": "本村集体经济组织成员", "case_type": "immediate" if immediate else "promised",
        "statutory_days": 20, "promised_days": 0 if immediate else 10, "visits": 0, "online_depth": 4,
        "pledge_allowed": pledge, "materials": MATERIALS}
    if result is not None:
        guide.update(result_name=result[0], result_type=result[1], result_validity=result[2])

    def build(position: int) -> PowerItem:
        return PowerItem(
            position=position, code=code, name=name, power_type=power_type,
            accepts_applications=power_type is PowerType.OTHER,
            setting_basis=[{"law": "中华人民共和国土地管理法", "article": "第六十二条", "text": ""}],
            implementing_basis=[], original_department=department, receiving_body=QINGSHAN_GOV,
            delegation_mode=mode, responsibilities=copy.deepcopy(RESPONSIBILITIES if responsibilities is None
                                                                 else responsibilities),
            accountability=copy.deepcopy(ACCOUNTABILITY if accountability is None else accountability),
            two_reviewers=two, separate_decider=separate, guide=copy.deepcopy(guide))

    return build


def _enforcement(position: int) -> PowerItem:
    return PowerItem(
        position=position, code=ENFORCEMENT_ITEM, name="对在城市道路上乱倒垃圾的处罚", power_type=PowerType.PENALTY,
        setting_basis=[{"law": "城市市容和环境卫生管理条例", "article": "第三十四条", "text": ""}],
        implementing_basis=[], original_department="清溪县综合行政执法局", receiving_body=QINGSHAN_GOV,
        delegation_mode=DelegationMode.DEVOLVED, responsibilities={}, accountability=[], guide=None)


# code → builder of the item at a position in the list.
ITEMS: dict[str, Callable[[int], PowerItem]] = {
    ITEM: _licensing(ITEM, "农村村民宅基地审批", result=("农村宅基地批准书", "证照", "长期")),
    TWO: _licensing(TWO, "乡村建设规划许可", two=True, separate=True),
    QUICK: _licensing(QUICK, "临时占用道路审批", immediate=True, result=("临时占用道路许可决定书", "批文", "长期")),
    PLEDGE: _licensing(PLEDGE, "户外广告设置审批", immediate=True, pledge=True),
    ENTRUSTED: _licensing(ENTRUSTED, "燃气经营许可", mode=DelegationMode.ENTRUSTED, department=DEPARTMENT,
                          immediate=True, result=("燃气经营许可证", "证照", "5年"),
                          responsibilities={"decision": "依法作出决定"}, accountability=[]),
    FRONT: _licensing(FRONT, "乡村建设规划许可", mode=DelegationMode.FRONT_WINDOW, department=FRONT_DEPARTMENT,
                      immediate=True, result=("乡村建设规划许可证", "证照", "2年"),
                      responsibilities={"decision": "依法作出决定"}, accountability=[]),
    ENFORCEMENT_ITEM: _enforcement,
    BENEFIT: _licensing(BENEFIT, "高龄津贴", immediate=True, power_type=PowerType.BENEFIT,
                        result=("高龄津贴", "其他", "按月发放")),
    CONFIRMATION: _licensing(CONFIRMATION, "特困人员认定", immediate=True, power_type=PowerType.CONFIRMATION,
                             result=("特困人员救助供养证", "证照", "长期")),
    REWARD: _licensing(REWARD, "环境保护奖励", immediate=True, power_type=PowerType.REWARD),
    ADJUDICATION: _licensing(ADJUDICATION, "林地使用权争议处理", power_type=PowerType.ADJUDICATION),
    PUBLIC_SERVICE: _licensing(PUBLIC_SERVICE, "居住证办理", power_type=PowerType.PUBLIC_SERVICE,
                               result=("居住证", "证照", "1年")),
    OTHER: _licensing(OTHER, "养犬登记", immediate=True, power_type=PowerType.OTHER,
                      result=("养犬登记证", "证照", "1年")),
}


def publish_list(app: Any, items: Sequence[str], towns: Sequence[str] = (QINGSHAN, BAISHA), *,
                 effective_from: dt.date = dt.date(2026, 1, 1)) -> None:
    """清溪县's published list (version 1) holding ``items`` (codes of ``ITEMS``, in this order), each
    delegated to ``towns`` from ``effective_from``; ITEM's FORM published with it. Committed."""
    from forms.models import publish_form_definition
    from power_lists.models import ItemDelegation, PowerListVersion, VersionStatus
    from service_hall.extensions import db
    from tests.factories.places import jurisdiction

    with app.app_context():
        version = PowerListVersion(county=jurisdiction(COUNTY), number=1, status=VersionStatus.PUBLISHED,
                                   title="清溪县乡镇赋权清单", effective_from=effective_from,
                                   created_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC),
                                   published_at=dt.datetime(2025, 12, 20, tzinfo=dt.UTC))
        places = [jurisdiction(code) for code in towns]
        for position, code in enumerate(items, start=1):
            item = ITEMS[code](position)
            for town in places:
                item.delegations.append(ItemDelegation(town=town, valid_from=effective_from))
            version.items.append(item)
        db.session.add(version)
        db.session.flush()
        if ITEM in items:
            publish_form_definition(db.session, ITEM, FORM, dt.datetime(2025, 12, 20, tzinfo=dt.UTC))
        db.session.commit()


def demo_list(app: Any) -> None:
    """The published demo list of ``power_lists.demo`` (effective 2026-01-01); needs the jurisdictions."""
    from power_lists.demo import load_demo_power_list
    from service_hall.extensions import db

    with app.app_context():
        assert load_demo_power_list(db.session, now=NOW)
        db.session.commit()


def sample_item(code: str = "330199-XK-901", **overrides: Any) -> dict[str, Any]:
    """A valid raw item in the canonical JSON form."""
    item: dict[str, Any] = {
        "code": code, "name": "测试许可事项", "power_type": "licensing",
        "setting_basis": [{"law": "中华人民共和国城乡规划法", "article": "第四十一条", "text": ""}],
        "original_department": "清溪县自然资源和规划局", "receiving_body": "乡镇人民政府",
        "delegation_mode": "devolved",
        "delegations": [{"town": QINGSHAN, "valid_from": None, "valid_until": None}],
        "accountability": [{"code": "late_decision", "situation": "逾期未作出决定的",
                            "basis": "《中华人民共和国行政许可法》第七十四条"}],
        "guide": {"case_type": "promised", "statutory_days": 20, "promised_days": 10,
                  "materials": [{"code": "M01", "name": "申请书"}]},
    }
    item.update(overrides)
    return item


def document(*items: dict[str, Any]) -> dict[str, Any]:
    """A raw list document of 清溪县 holding ``items``."""
    return {"format_version": 1, "county": {"code": COUNTY, "name": "清溪县"},
            "items": [copy.deepcopy(i) for i in items]}
