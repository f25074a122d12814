"""The default form of an item that has no designed form yet, generated from its 办事指南.

It holds the applicant block (a person, an enterprise, or a choice between the two), prefilled from the
applicant's account by field name (see :mod:`forms.prefill`), the 承诺 statement, and one material per
申请材料 of the guide with its 必要性 and 容缺. It is the starting point of the form designer. The same
guide always gives the same form, so an application made through it stays pinned to the item version
it was made for. See docs/forms.md, "The generated form".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from forms.definition import FORMAT_VERSION

PERSON, ENTERPRISE = "person", "enterprise"
# Words in a material's name that tell who applies (a material naming 法定代表人 belongs to an enterprise).
_ENTERPRISE_WORDS = ("营业执照", "统一社会信用代码", "法定代表人", "企业", "公司", "单位", "组织机构")
_PERSON_WORDS = ("身份证", "户口", "户籍", "居住证")
# Words in an item's name that say a person applies (村民建房, 居民, 老年人, 残疾人 …).
_PERSON_ITEM_WORDS = ("村民", "居民", "个人", "公民", "老年", "残疾", "特困", "救助", "津贴", "补贴", "养老",
                      "生育", "低保", "最低生活", "就业困难", "犬")
# 行政给付 goes to people (低保, 救助, 津贴); nobody else applies for it.
_PERSON_ONLY_TYPES = frozenset({"benefit"})

PLEDGE_TEXT = "本人（本单位）承诺：所填写的信息和提交的材料真实、准确、完整，如有虚假，愿承担相应的法律责任。"
PLEDGE_HELP_NOTIFICATION = ("本事项实行告知承诺制：对已告知的条件和要求作出书面承诺的，可当场作出决定；"
                            "承诺不实的，依法撤销决定并承担相应责任。")


def applicant_kinds(power_type: str, materials: Sequence[Mapping[str, Any]], item_name: str = "") -> tuple[str, ...]:
    """Who applies, read from the power type, the item's name and the guide's materials: ``("person",)``,
    ``("enterprise",)`` or both (when none of them tells). Raises nothing."""
    if power_type in _PERSON_ONLY_TYPES:
        return (PERSON,)
    names = [str(m.get("name", "")) for m in materials]
    enterprise = any(w in n for n in [*names, item_name] for w in _ENTERPRISE_WORDS)
    person = any(w in item_name for w in _PERSON_ITEM_WORDS) or any(
        any(w in n for w in _PERSON_WORDS) and not any(w in n for w in _ENTERPRISE_WORDS) for n in names)
    if enterprise and not person:
        return (ENTERPRISE,)
    if person and not enterprise:
        return (PERSON,)
    return (PERSON, ENTERPRISE)


def _person_fields(show_if: dict[str, Any] | None) -> list[dict[str, Any]]:
    cond = {"show_if": show_if} if show_if else {}
    return [
        {"name": "applicant_name", "label": "申请人姓名", "type": "text", "required": True, "max_length": 50, **cond},
        {"name": "applicant_id", "label": "申请人身份证号码", "type": "id_number", "required": True, **cond},
    ]


def _enterprise_fields(show_if: dict[str, Any] | None) -> list[dict[str, Any]]:
    cond = {"show_if": show_if} if show_if else {}
    return [
        {"name": "organisation_name", "label": "单位名称", "type": "text", "required": True, "max_length": 100,
         **cond},
        {"name": "credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True, **cond},
        {"name": "legal_representative", "label": "法定代表人（负责人）", "type": "text", "required": True,
         "max_length": 50, **cond},
    ]


def generated_definition(*, name: str, power_type: str, guide: Mapping[str, Any] | None) -> dict[str, Any]:
    """The default form of an item in the JSON format of :mod:`forms.definition` (it always loads).

    Raises nothing.
    """
    guide = guide or {}
    materials = [m for m in guide.get("materials") or [] if isinstance(m, Mapping)]
    kinds = applicant_kinds(power_type, materials, name)
    fields: list[dict[str, Any]] = [{"name": "applicant_section", "label": "申请人信息", "type": "section"}]
    if len(kinds) == 2:
        fields.append({"name": "applicant_kind", "label": "申请人类型", "type": "choice", "required": True,
                       "options": [{"value": PERSON, "label": "个人"}, {"value": ENTERPRISE, "label": "单位（企业）"}]})
        fields += _person_fields({"field": "applicant_kind", "equals": PERSON})
        fields += _enterprise_fields({"field": "applicant_kind", "equals": ENTERPRISE})
    elif kinds == (PERSON,):
        fields += _person_fields(None)
    else:
        fields += _enterprise_fields(None)
    fields += [
        {"name": "mobile", "label": "联系电话", "type": "mobile", "required": True},
        {"name": "contact_address", "label": "联系地址", "type": "text", "max_length": 100},
        {"name": "pledge_section", "label": "承诺", "type": "section"},
        {"name": "pledge", "label": PLEDGE_TEXT, "type": "boolean", "required": True,
         **({"help": PLEDGE_HELP_NOTIFICATION} if guide.get("pledge_allowed") else {})},
    ]
    definition: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "title": f"{name}申请表"[:100],
        "fields": fields,
        "materials": [{"code": str(m.get("code")), "name": str(m.get("name"))[:100],
                       "required": bool(m.get("required", True)),
                       "deferrable": bool(m.get("deferrable", False)) and bool(m.get("required", True))}
                      for m in materials],
    }
    conditions = guide.get("conditions")
    if isinstance(conditions, str) and conditions.strip():
        definition["description"] = f"受理条件：{conditions.strip()}"[:2000]
    return definition
