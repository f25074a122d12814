"""The canonical JSON format of a power list (``format_version`` 1) as marshmallow schemas.

The published JSON Schema (``schema/power-list-v1.schema.json``) is generated from these classes by
:mod:`power_lists.jsonschema`; a test keeps the two identical. Enumerations travel as stable English
codes (``licensing``, ``entrusted`` …); the CSV/XLSX columns use the Chinese labels.

The same schemas dump stored items (``ItemSchema().dump(power_item)``): that is the item's one shape for
exports, diffs, the API and the edit form. A value missing from stored data dumps as its load default.

A document::

    {"format_version": 1,
     "county": {"code": "330199000000", "name": "清溪县"},
     "version": {"number": 1, "title": "…", "status": "published", "effective_from": "2026-01-01", "note": ""},
     "items": [{"code": "…", "name": "…", "power_type": "licensing", "setting_basis": [{"law": "…",
                "article": "第四十一条", "text": "…"}], "delegations": [{"town": "330199101000",
                "valid_from": null, "valid_until": null}], "guide": {…} | null, …}]}
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema
from marshmallow.types import ErrorMessages

from power_lists.models import CaseType, DelegationMode, DutyStage, PowerType, VersionStatus

FORMAT_VERSION = 1

_MESSAGES: ErrorMessages = {
    "required": "此项为必填项",
    "null": "此项不能为空",
    "invalid": "格式不正确",
}
_STRING: ErrorMessages = {**_MESSAGES, "invalid": "应为文本", "invalid_utf8": "不是有效的文本"}
_INT: ErrorMessages = {**_MESSAGES, "invalid": "应为整数", "too_large": "数值过大"}
_BOOL: ErrorMessages = {**_MESSAGES, "invalid": "应为 true 或 false"}
_DATE: ErrorMessages = {**_MESSAGES, "invalid": "日期格式应为 YYYY-MM-DD", "format": "日期格式应为 YYYY-MM-DD"}
_LIST: ErrorMessages = {**_MESSAGES, "invalid": "应为列表"}
_NESTED: ErrorMessages = {**_MESSAGES, "type": "应为对象"}
NO_NEWLINE = r"^[^\r\n]*$"


def normalise_text(value: str) -> str:
    """Full-width spaces to spaces, Windows line ends to ``\n``, blanks trimmed at both ends of every line."""
    value = value.replace("\u3000", " ").replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    return "\n".join(line.strip() for line in value.split("\n")).strip()


class Text(fields.String):
    """A string of the canonical form: null there is always the empty string."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return "" if value is None else super()._serialize(value, attr, obj, **kwargs)


class Code(fields.Enum):
    """An enumeration travelling as its code; dumps a member or a code already stored in JSON columns."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and not isinstance(value, self.enum):
            value = self.enum(value)
        return super()._serialize(value, attr, obj, **kwargs)


def text(*, required: bool = False, max_length: int | None = None, min_length: int = 0, single_line: bool = False,
         pattern: str | None = None, pattern_error: str = "格式不正确", description: str = "") -> fields.String:
    validators: list[Any] = []
    if min_length:
        validators.append(validate.Length(min=min_length, error="此项为必填项"))
    if max_length is not None:
        validators.append(validate.Length(max=max_length, error=f"不能超过{max_length}个字符"))
    if single_line:
        validators.append(validate.Regexp(NO_NEWLINE, error="不能包含换行"))
    if pattern:
        validators.append(validate.Regexp(pattern, error=pattern_error))
    kwargs: dict[str, Any] = {"required": required, "validate": validators, "error_messages": _STRING,
                              "metadata": {"description": description} if description else {}}
    if not required:
        kwargs["load_default"] = kwargs["dump_default"] = ""
    return Text(**kwargs)


def flag(description: str = "") -> fields.Boolean:
    return fields.Boolean(load_default=False, dump_default=False, error_messages=_BOOL,
                          metadata={"description": description} if description else {})


def enum_field(enum_cls: type[Any], description: str, *, required: bool = True) -> fields.Enum:
    labels = "、".join(f"{m.value}（{m.label}）" for m in enum_cls)
    return Code(enum_cls, by_value=True, required=required,
                error_messages={**_MESSAGES, "unknown": f"取值应为 {labels} 之一"},
                metadata={"description": description})


class _Strict(Schema):
    class Meta:
        unknown = RAISE

    # marshmallow declares error_messages as an instance attribute with this class default, so ClassVar
    # would contradict its type; the dict is never mutated.
    error_messages: dict[str, str] = {"unknown": "未知字段", "type": "应为对象"}  # noqa: RUF012

    @pre_load
    def _normalise_text(self, data: Any, **_: Any) -> Any:
        # Full-width spaces and stray blanks around values are noise from spreadsheets and input methods;
        # dropping them here keeps JSON, CSV and XLSX imports identical.
        if not isinstance(data, dict):
            return data
        return {k: (normalise_text(v) if isinstance(v, str) else v) for k, v in data.items()}


class BasisSchema(_Strict):
    """A legal basis down to the article (设定依据 / 实施依据)."""

    law = text(required=True, min_length=1, max_length=200, single_line=True,
               description="法律法规名称，不含书名号，如 中华人民共和国城乡规划法")
    article = text(required=True, min_length=1, max_length=100, single_line=True,
                   pattern=r"^[^:：]*$", pattern_error="条款中不能包含冒号", description="条款，如 第四十一条第一款")
    text = text(max_length=4000, single_line=True, description="条文内容（可选）")


class DelegationSchema(_Strict):
    """Which town receives the item, from when until when (inclusive)."""

    town = text(required=True, pattern=r"^\d{12}$", pattern_error="乡镇（街道）区划代码应为12位数字",
                description="乡镇（街道）12位区划代码")
    town_name = text(max_length=100, single_line=True, description="乡镇（街道）名称（导出时填写，导入时仅供阅读）")
    valid_from = fields.Date(load_default=None, allow_none=True, error_messages=_DATE,
                             metadata={"description": "生效日期；为空表示自清单版本生效之日起"})
    valid_until = fields.Date(load_default=None, allow_none=True, error_messages=_DATE,
                              metadata={"description": "截止日期（含当日）；为空表示长期"})

    @validates_schema
    def _dates(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            raise ValidationError("截止日期不能早于生效日期", field_name="valid_until")


_DELEGATION_KEYS = frozenset({"town", "town_name", "valid_from", "valid_until"})
assert set(DelegationSchema._declared_fields) == _DELEGATION_KEYS
_TOWN_CODE = re.compile(r"^\d{12}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DelegationList(fields.List):
    """A list of :class:`DelegationSchema` entries with a fast path for well-formed input.

    A county list holds tens of thousands of town delegations; loading each through a nested schema
    dominates an import. Entries that are plainly valid are built directly; anything unusual goes
    through the nested schema so that errors read exactly the same.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        fast = self._fast(value)
        return fast if fast is not None else super()._deserialize(value, attr, data, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[dict[str, Any]] | None:
        # Stored delegations (``ItemDelegation`` rows, or plain rows read in bulk for an export) in town order.
        if value is None:
            return None
        return sorted((self._dump_one(entry) for entry in value), key=lambda d: d["town"])

    @staticmethod
    def _dump_one(entry: Any) -> dict[str, Any]:
        if isinstance(entry, Mapping):
            town, name = entry["town"], entry.get("town_name") or ""
            start, end = entry.get("valid_from"), entry.get("valid_until")
        else:
            town, name, start, end = entry.town.code, entry.town.name, entry.valid_from, entry.valid_until
        return {"town": town, "town_name": name,
                "valid_from": start.isoformat() if isinstance(start, dt.date) else start,
                "valid_until": end.isoformat() if isinstance(end, dt.date) else end}

    @staticmethod
    def _fast(value: Any) -> list[dict[str, Any]] | None:
        if not isinstance(value, list):
            return None
        out = []
        for entry in value:
            if not isinstance(entry, dict) or not entry.keys() <= _DELEGATION_KEYS:
                return None
            town, name = entry.get("town"), entry.get("town_name", "")
            if not isinstance(town, str) or not isinstance(name, str):
                return None
            town, name = normalise_text(town), normalise_text(name)
            if not _TOWN_CODE.match(town) or len(name) > 100 or "\n" in name:
                return None
            dates: list[dt.date | None] = []
            for key in ("valid_from", "valid_until"):
                raw = entry.get(key)
                if raw is None:
                    dates.append(None)
                    continue
                if not isinstance(raw, str) or not _ISO_DATE.match(raw):
                    return None
                try:
                    dates.append(dt.date.fromisoformat(raw))
                except ValueError:
                    return None
            if dates[0] and dates[1] and dates[1] < dates[0]:
                return None
            out.append({"town": town, "town_name": name, "valid_from": dates[0], "valid_until": dates[1]})
        return out


class ResponsibilitiesSchema(_Strict):
    """责任事项 per stage."""

    intake = text(max_length=4000, description="受理环节责任")
    review = text(max_length=4000, description="审查环节责任")
    decision = text(max_length=4000, description="决定环节责任")
    delivery = text(max_length=4000, description="送达环节责任")
    supervision = text(max_length=4000, description="事后监管责任")
    other = text(max_length=4000, description="其他责任")


assert set(ResponsibilitiesSchema._declared_fields) == {s.value for s in DutyStage}


class AccountabilitySchema(_Strict):
    """追责情形 with its 追责依据; ``code`` is stable so that the case flow can raise it."""

    code = text(required=True, pattern=r"^[a-z][a-z0-9_]{1,63}$",
                pattern_error="追责情形代码应为小写英文字母、数字和下划线，如 late_decision",
                description="稳定代码：late_decision、no_one_time_notice、refused_valid_application、unlawful_fee …")
    situation = text(required=True, min_length=1, max_length=1000, single_line=True, description="追责情形")
    basis = text(required=True, min_length=1, max_length=1000, single_line=True, description="追责依据")


class MaterialSchema(_Strict):
    """An application material (申请材料)."""

    code = text(required=True, pattern=r"^[A-Z][A-Z0-9-]{1,15}$", pattern_error="材料编码应为大写字母开头，如 M01",
                description="材料编码，如 M01")
    name = text(required=True, min_length=1, max_length=200, single_line=True, description="材料名称")
    source = fields.String(load_default="申请人自备",
                           validate=[validate.Length(max=100, error="不能超过100个字符"),
                                     validate.Regexp(r"^[^|｜\r\n]*$", error="不能包含竖线或换行")],
                           error_messages=_STRING, metadata={"description": "来源渠道，如 申请人自备、政府部门核发"})
    paper_copies = fields.Integer(load_default=1, strict=True,
                                  validate=validate.Range(min=0, max=99, error="纸质份数应为0至99"),
                                  error_messages=_INT, metadata={"description": "纸质份数"})
    form = fields.String(load_default="原件", validate=[validate.Length(max=50, error="不能超过50个字符"),
                                                      validate.Regexp(r"^[^|｜\r\n]*$", error="不能包含竖线或换行")],
                         error_messages=_STRING, metadata={"description": "材料形式，如 原件、复印件、电子证照"})
    required = fields.Boolean(load_default=True, error_messages=_BOOL,
                              metadata={"description": "必要性：true 必要，false 非必要"})
    deferrable = flag("是否允许容缺受理")


class GuideSchema(_Strict):
    """办事指南 (national service-item standard elements)."""

    conditions = text(max_length=4000, description="受理条件")
    materials = fields.List(fields.Nested(MaterialSchema, error_messages=_NESTED), load_default=list, dump_default=list,
                            error_messages=_LIST, metadata={"description": "申请材料"})
    # The guide is completed after the list is imported (docs/power-list-format.md "The 办事指南 layer"):
    # these may be null until then, and the item does not open for applications while they are.
    case_type = Code(CaseType, by_value=True, load_default=None, allow_none=True,
                            error_messages={**_MESSAGES,
                                            "unknown": "取值应为 immediate（即办件）、promised（承诺件）之一"},
                            metadata={"description": "办件类型；未填写时为 null"})
    statutory_days = fields.Integer(load_default=None, allow_none=True, strict=True,
                                    validate=validate.Range(min=0, max=365, error="应为0至365个工作日"),
                                    error_messages=_INT,
                                    metadata={"description": "法定办结时限（工作日）；未填写时为 null"})
    promised_days = fields.Integer(load_default=None, allow_none=True, strict=True,
                                   validate=validate.Range(min=0, max=365, error="应为0至365个工作日"),
                                   error_messages=_INT,
                                   metadata={"description":
                                             "承诺办结时限（工作日），不得超过法定时限；未填写时为 null"})
    fee_charged = flag("是否收费")
    fee_standard = text(max_length=500, single_line=True, description="收费标准；不收费时可为空")
    fee_basis = text(max_length=500, single_line=True, description="收费依据")
    visits = fields.Integer(load_default=1, strict=True,
                            validate=validate.OneOf([0, 1], error="到办事现场次数应为0或1"),
                            error_messages=_INT, metadata={"description": "到办事现场次数（0 或 1）"})
    online_depth = fields.Integer(load_default=1, strict=True,
                                  validate=validate.Range(min=1, max=4, error="网上办理深度应为1至4级"),
                                  error_messages=_INT,
                                  metadata={"description":
                                            "网上办理深度：1 办事指南公开，2 表格下载，3 网上预审，4 全程网办"})
    pledge_allowed = flag("是否实行告知承诺制")
    result_name = text(max_length=200, single_line=True, description="审批结果名称")
    result_type = text(max_length=50, single_line=True, description="审批结果类型，如 证照、批文、其他")
    result_validity = text(max_length=100, single_line=True, description="审批结果有效期，如 长期、3年")
    consult = text(max_length=500, single_line=True, description="咨询方式")
    complaint = text(max_length=500, single_line=True, description="监督投诉方式")

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, str] = {}
        statutory, promised = data.get("statutory_days"), data.get("promised_days")
        if isinstance(statutory, int) and isinstance(promised, int) and promised > statutory:
            errors["promised_days"] = f"承诺办结时限（{promised}个工作日）不得超过法定办结时限（{statutory}个工作日）"
        if data.get("case_type") is CaseType.IMMEDIATE and promised not in (0, None):
            errors["promised_days"] = "即办件的承诺办结时限应为0个工作日"
        if data.get("fee_charged") and not (data.get("fee_standard") and data.get("fee_basis")):
            errors["fee_basis"] = "收费事项须填写收费标准和收费依据"
        codes = [m.get("code") for m in data.get("materials") or []]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            errors["materials"] = "材料编码重复：" + "、".join(duplicates)
        if errors:
            raise ValidationError(errors)


class ItemSchema(_Strict):
    """One power item (权力事项)."""

    code = text(required=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
                pattern_error="事项编码只能包含字母、数字、点、横线和下划线", description="事项编码，在一个版本内唯一")
    name = text(required=True, min_length=1, max_length=200, single_line=True, description="事项名称")
    sub_item = text(max_length=200, single_line=True, description="子项名称")
    power_type = enum_field(PowerType, "职权类型")
    setting_basis = fields.List(fields.Nested(BasisSchema, error_messages=_NESTED), required=True,
                                validate=validate.Length(min=1, error="须至少填写一条设定依据（法律法规名称及条款）"),
                                error_messages=_LIST, metadata={"description": "设定依据"})
    implementing_basis = fields.List(fields.Nested(BasisSchema, error_messages=_NESTED), load_default=list,
                                     dump_default=list,
                                     error_messages=_LIST, metadata={"description": "实施依据"})
    original_department = text(required=True, min_length=1, max_length=200, single_line=True,
                               description="原实施部门")
    receiving_body = text(required=True, min_length=1, max_length=200, single_line=True,
                          description="承接主体，如 乡镇人民政府（街道办事处）")
    delegation_mode = enum_field(DelegationMode, "赋权方式")
    delegations = DelegationList(fields.Nested(DelegationSchema, error_messages=_NESTED), load_default=list,
                                 dump_default=list,
                                 error_messages=_LIST, metadata={"description": "赋权乡镇及起止日期"})
    responsibilities = fields.Nested(ResponsibilitiesSchema, load_default=dict, dump_default=dict,
                                     error_messages=_NESTED, metadata={"description": "责任事项（按环节）"})
    accountability = fields.List(fields.Nested(AccountabilitySchema, error_messages=_NESTED), load_default=list,
                                 dump_default=list,
                                 error_messages=_LIST, metadata={"description": "追责情形及追责依据"})
    accepts_applications = flag("其他行政权力是否受理申请（其他职权类型忽略此项）")
    two_reviewers = flag("是否须两名以上工作人员审查")
    separate_decider = flag("审查与决定是否须由不同人员作出")
    guide = fields.Nested(GuideSchema, load_default=None, allow_none=True, error_messages=_NESTED,
                          metadata={"description": "办事指南；执法类事项可为 null"})
    note = text(max_length=4000, description="备注")

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, str] = {}
        towns = [d.get("town") for d in data.get("delegations") or []]
        duplicates = sorted({t for t in towns if towns.count(t) > 1})
        if duplicates:
            errors["delegations"] = "赋权乡镇重复：" + "、".join(duplicates)
        codes = [a.get("code") for a in data.get("accountability") or []]
        dup_codes = sorted({c for c in codes if codes.count(c) > 1})
        if dup_codes:
            errors["accountability"] = "追责情形代码重复：" + "、".join(dup_codes)
        if data.get("power_type") is PowerType.COERCION and data.get("delegation_mode") is DelegationMode.ENTRUSTED:
            errors["delegation_mode"] = "行政强制措施权不得委托（《中华人民共和国行政强制法》第十七条），请改为下放"
        if data.get("accepts_applications") and data.get("power_type") not in (PowerType.OTHER, None):
            errors["accepts_applications"] = "仅“其他行政权力”需要标明是否受理申请"
        if errors:
            raise ValidationError(errors)


class CountySchema(_Strict):
    code = text(required=True, pattern=r"^\d{12}$", pattern_error="县级区划代码应为12位数字",
                description="县级区划代码")
    name = text(max_length=100, single_line=True, description="县（市、区）名称")


class VersionMetaSchema(_Strict):
    """Metadata of the version a document was exported from (ignored on import except the title and note)."""

    number = fields.Integer(load_default=None, allow_none=True, strict=True, error_messages=_INT,
                            metadata={"description": "版本号"})
    title = text(max_length=200, single_line=True, description="版本标题")
    status = fields.Enum(VersionStatus, by_value=True, load_default=None, allow_none=True,
                         error_messages={**_MESSAGES, "unknown": "版本状态不正确"},
                         metadata={"description": "版本状态"})
    effective_from = fields.Date(load_default=None, allow_none=True, error_messages=_DATE,
                                 metadata={"description": "生效日期"})
    note = text(max_length=4000, description="版本说明")


class DocumentSchema(_Strict):
    """A whole power list (事项编码 unique within it: checked by ``document.validate_document``)."""

    format_version = fields.Integer(required=True, strict=True,
                                    validate=validate.OneOf([FORMAT_VERSION], error="仅支持 format_version 1"),
                                    error_messages=_INT, metadata={"description": "文件格式版本，目前为 1"})
    county = fields.Nested(CountySchema, load_default=None, allow_none=True, error_messages=_NESTED,
                           metadata={"description": "清单所属县（市、区）"})
    version = fields.Nested(VersionMetaSchema, load_default=dict, error_messages=_NESTED,
                            metadata={"description": "版本信息"})
    items = fields.List(fields.Nested(ItemSchema, error_messages=_NESTED), required=True, error_messages=_LIST,
                        metadata={"description": "权力事项"})
