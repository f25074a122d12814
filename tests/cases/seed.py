"""A small published power list for flow tests: built through the models, as the list's own import
would store it."""

from __future__ import annotations

import datetime as dt

from forms.models import publish_form_definition
from power_lists.models import DelegationMode, ItemDelegation, PowerItem, PowerListVersion, PowerType, VersionStatus
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction

ITEM = "330199-XK-001"
ENFORCEMENT_ITEM = "330199-CF-001"
QINGSHAN = "330199101000"
BAISHA = "330199102000"

FORM = {
    "format_version": 1,
    "title": "农村村民宅基地申请",
    "fields": [
        {"name": "applicant_name", "label": "申请人姓名", "type": "text", "required": True, "max_length": 50},
        {"name": "applicant_id", "label": "身份证号码", "type": "id_number", "required": True},
        {"name": "phone", "label": "联系电话", "type": "mobile", "required": True},
        {"name": "site", "label": "拟建地址", "type": "address", "required": True},
        {"name": "area", "label": "申请面积（平方米）", "type": "number", "required": True, "min": 1, "max": 200},
        {"name": "period", "label": "计划建设期间", "type": "date_range", "required": False},
    ],
    "materials": [
        {"code": "M01", "name": "农村宅基地和建房（规划许可）申请表", "required": True},
        {"code": "M02", "name": "申请人身份证明", "required": True, "deferrable": True},
        {"code": "M03", "name": "家庭成员户口簿", "required": False},
    ],
}


def seed_power_list(app, *, effective_from: dt.date = dt.date(2026, 1, 1)) -> None:
    with app.app_context():
        county = db.session.query(Jurisdiction).filter_by(code="330199000000").one()
        qingshan = db.session.query(Jurisdiction).filter_by(code=QINGSHAN).one()
        version = PowerListVersion(county=county, number=1, status=VersionStatus.PUBLISHED, title="清溪县乡镇赋权清单",
                                   effective_from=effective_from, created_at=dt.datetime(2025, 12, 1,
                                                                                         tzinfo=dt.timezone.utc),
                                   published_at=dt.datetime(2025, 12, 20, tzinfo=dt.timezone.utc))
        item = PowerItem(
            position=1, code=ITEM, name="农村村民宅基地审批", power_type=PowerType.LICENSING,
            setting_basis=[{"law": "中华人民共和国土地管理法", "article": "第六十二条", "text": ""}],
            implementing_basis=[], original_department="清溪县农业农村局", receiving_body="青山镇人民政府",
            delegation_mode=DelegationMode.DEVOLVED,
            responsibilities={"intake": "依法受理申请；材料不齐全的一次性告知需补正的全部内容",
                              "review": "审查申请材料，组织实地踏勘", "decision": "依法作出决定"},
            accountability=[{"code": "no_one_time_notice", "situation": "未一次告知申请人必须补正的全部内容",
                             "basis": "行政许可法 第七十二条"}],
            guide={"conditions": "本村集体经济组织成员", "case_type": "promised", "statutory_days": 20,
                   "promised_days": 10, "visits": 0, "online_depth": 4, "pledge_allowed": False,
                   "materials": [{"code": m["code"], "name": m["name"], "required": m["required"],
                                  "deferrable": m.get("deferrable", False)} for m in FORM["materials"]]},
        )
        item.delegations.append(ItemDelegation(town=qingshan, valid_from=effective_from))
        enforcement = PowerItem(
            position=2, code=ENFORCEMENT_ITEM, name="对在城市道路上乱倒垃圾的处罚", power_type=PowerType.PENALTY,
            setting_basis=[{"law": "城市市容和环境卫生管理条例", "article": "第三十四条", "text": ""}],
            implementing_basis=[], original_department="清溪县综合行政执法局", receiving_body="青山镇人民政府",
            delegation_mode=DelegationMode.DEVOLVED, responsibilities={}, accountability=[], guide=None)
        enforcement.delegations.append(ItemDelegation(town=qingshan, valid_from=effective_from))
        version.items.extend([item, enforcement])
        db.session.add(version)
        db.session.flush()
        publish_form_definition(db.session, ITEM, FORM, dt.datetime(2025, 12, 20, tzinfo=dt.timezone.utc))
        db.session.commit()
