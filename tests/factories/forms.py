"""Form definitions: the homestead form the flows publish, its data as a browser posts it, and small
definitions built in a line for the forms tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forms.definition import FormDefinition, load_form_definition
from forms.submission import SubmissionContext
from forms.validators import credit_code_check_char
from tests.factories.accounts import valid_id

# The form of the homestead item (ITEM), as published with the list.
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
# The materials of FORM as an item's guide lists them.
MATERIALS = [{"code": m["code"], "name": m["name"], "required": m["required"],
              "deferrable": m.get("deferrable", False)} for m in FORM["materials"]]


def form_data(**overrides: Any) -> dict[str, Any]:
    """FORM's fields as the browser posts them (flat names)."""
    data = {
        "applicant_name": "李堃", "applicant_id": valid_id(), "phone": "13900000001",
        "site_village": "330199101001", "site_detail": "青山村3组12号", "area": "120",
        "period_start": "2026-12-01", "period_end": "2027-03-01",
    }
    data.update(overrides)
    return data


def homestead_data(phone: str = "13900000001", village: str = "330199101001") -> dict[str, Any]:
    """FORM's fields as the domain receives them (nested address and period)."""
    data = form_data(phone=phone)
    data.pop("site_village")
    data["site"] = {"village": village, "detail": data.pop("site_detail")}
    data["period"] = {"start": data.pop("period_start"), "end": data.pop("period_end")}
    return data


# Small definitions for the forms tests.
TODAY = dt.date(2026, 3, 2)
VILLAGES = {"330199101001": "青山村", "330199101002": "石桥村"}
CTX = SubmissionContext(today=TODAY, villages=VILLAGES)


def valid_credit_code(first17: str = "91330127MA2H00001") -> str:
    return first17 + credit_code_check_char(first17)


def flip_check_char(value: str, alphabet: str) -> str:
    """The same number with a different, wrong check character."""
    wrong = next(c for c in alphabet if c != value[-1])
    return value[:-1] + wrong


def raw_definition(*fields: dict[str, Any], materials: list[dict[str, Any]] | None = None,
                   title: str = "测试表单") -> dict[str, Any]:
    return {"format_version": 1, "title": title, "fields": list(fields), "materials": materials or []}


def definition(*fields: dict[str, Any], materials: list[dict[str, Any]] | None = None) -> FormDefinition:
    return load_form_definition(raw_definition(*fields, materials=materials))


def field(name: str, type_: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "label": extra.pop("label", f"字段{name}"), "type": type_, **extra}


def choice(name: str, values: list[str], **extra: Any) -> dict[str, Any]:
    return field(name, "choice", options=[{"value": v, "label": f"选项{v}"} for v in values], **extra)


def generated_form_data(owner: Any, item_code: str) -> dict[str, Any]:
    """What an applicant fills in the form generated from an item's guide (an item without a designed form):
    the applicant block from the account, and the 承诺 ticked. Needs an app context."""
    from power_lists.item_forms import default_form, latest_item
    from service_hall.extensions import db

    names = {f["name"] for f in default_form(latest_item(db.session, item_code))["fields"]}
    data: dict[str, Any] = {"applicant_name": owner.real_name, "applicant_id": owner.id_number,
                            "mobile": owner.mobile, "pledge": True}
    if "applicant_kind" in names:
        data["applicant_kind"] = "person"
    return {k: v for k, v in data.items() if k in names}
