"""The shared field catalogue (共享要素目录): the things several items' forms ask for in their own words —
the applicant's identity, their mobile number, the building site, 身份证, 户口簿 — each with a stable key.

Some materials are documents this system issues itself (营业执照, 农村宅基地批准书 …): an entry names
the certificates that serve as it, offered instead of an upload.

When a bundle is composed, a field or material that matches an entry is suggested as shared and asked
once; legal affairs may override each suggestion in the designer (docs/bundles.md, "Shared fields").
A field matches an entry by its type and name; a material by a word of its name (the first entry that
matches wins). Fields shown only under a condition are never suggested: their condition names a field
of their own form.
"""

from __future__ import annotations

from dataclasses import dataclass

from forms.definition import FieldDef, FieldType, Material


@dataclass(frozen=True)
class SharedField:
    key: str
    label: str
    type: FieldType
    names: tuple[str, ...]  # field names items use for it


@dataclass(frozen=True)
class SharedMaterial:
    key: str
    label: str
    words: tuple[str, ...]  # a material whose name contains one of these is this one
    # An e-certificate this system issued whose name contains one of these serves as this material
    # (免提交, see ``service_hall.bundles.reuse``).
    certificates: tuple[str, ...] = ()


FIELDS: tuple[SharedField, ...] = (
    SharedField("applicant_name", "申请人姓名", FieldType.TEXT,
                ("applicant_name", "builder_name", "operator_name", "elder_name", "name")),
    SharedField("applicant_id", "申请人身份证号码", FieldType.ID_NUMBER,
                ("applicant_id", "builder_id", "operator_id", "elder_id", "id_number")),
    SharedField("applicant_mobile", "申请人手机号码", FieldType.MOBILE,
                ("applicant_mobile", "operator_mobile", "contact_mobile", "mobile")),
    SharedField("residence", "户籍地址", FieldType.ADDRESS, ("residence", "household_address")),
    SharedField("site", "建设（经营）地点", FieldType.ADDRESS, ("site", "premises")),
    SharedField("bank_account", "银行账号", FieldType.TEXT, ("bank_account",)),
)
MATERIALS: tuple[SharedMaterial, ...] = (
    SharedMaterial("id_card", "居民身份证", ("身份证",)),
    SharedMaterial("household_register", "户口簿", ("户口簿",)),
    SharedMaterial("business_licence", "营业执照", ("营业执照",), certificates=("营业执照",)),
    SharedMaterial("land_title", "土地权属证明或用地批准文件", ("土地权属证明", "用地批准", "不动产权属证明"),
                   certificates=("宅基地批准书", "不动产权证")),
    SharedMaterial("planning_permit", "乡村建设规划许可证", ("规划许可证",), certificates=("乡村建设规划许可证",)),
    SharedMaterial("marriage_certificate", "结婚证", ("结婚证",)),
    SharedMaterial("bank_card", "社会保障卡或银行卡", ("银行卡", "社会保障卡")),
)
FIELD_KEYS = {f.key: f for f in FIELDS}
MATERIAL_KEYS = {m.key: m for m in MATERIALS}


def suggest_field(spec: FieldDef) -> str:
    """The catalogue key ``spec`` is suggested as ("" when none fits)."""
    if spec.show_if is not None:
        return ""
    return next((f.key for f in FIELDS if f.type is spec.type and spec.name in f.names), "")


def suggest_material(material: Material) -> str:
    """The catalogue key ``material`` is suggested as ("" when none fits)."""
    return next((m.key for m in MATERIALS if any(w in material.name for w in m.words)), "")
