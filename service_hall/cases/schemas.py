"""The input of every case action, once (marshmallow): the JSON API takes these schemas as its request
bodies and documents them, and the HTML pages load the same schemas from their forms
(:meth:`ActionInput.from_form`). Field-level rules live here; rules that depend on the case (which
materials may be deferred, who reviewed) stay in the domain operations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from service_hall.cases.models import CheckResult, DeliveryChannel, PauseKind, Recommendation
from service_hall.core.errors import ValidationFailed

SPECIAL_KINDS = (PauseKind.HEARING, PauseKind.INSPECTION, PauseKind.TESTING, PauseKind.EXPERT_REVIEW)


class FormData(Protocol):
    """What an HTML form posts (werkzeug's MultiDict)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...

    def __iter__(self) -> Any: ...


class NotBlank(validate.Validator):
    """Refuses text that is empty or only whitespace (the API document states it as a pattern,
    docs/architecture.md "The API document")."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, value: str) -> str:
        if not value.strip():
            raise ValidationError(self.message)
        return value


def _text(required: str | None = None, *, max_length: int | None = None, **kwargs: Any) -> fields.String:
    """A text field; with ``required`` (its message) it must be present and not blank."""
    messages: dict[str, str | list[Any] | dict[Any, Any]] = {"required": required or "此项为必填项",
                                                             "invalid": "请填写文字"}
    checks: list[Callable[[str], Any]] = [NotBlank(required)] if required else []
    if max_length:
        checks.append(validate.Length(max=max_length, error=f"不能超过{max_length}字"))
    if required is None:
        kwargs.setdefault("load_default", "")
    return fields.String(required=required is not None, validate=checks, error_messages=messages, **kwargs)


class ActionInput(Schema):
    """Base of the action inputs; unknown keys (the CSRF token, buttons) are ignored."""

    class Meta:
        unknown = EXCLUDE

    #: Form keys posted as repeated values (check boxes, parallel inputs).
    list_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        """The form's values shaped like the JSON body: blanks of optional numbers become None."""
        out: dict[str, Any] = {}
        for name, field in cls().fields.items():
            if name in cls.list_fields:
                out[name] = form.getlist(name)
                continue
            raw = form.get(name)
            if raw is None:
                continue
            if isinstance(field, fields.Integer | fields.Boolean) and str(raw).strip() == "" and field.allow_none:
                out[name] = None
            else:
                out[name] = raw
        return out

    @classmethod
    def load_or_fail(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """Load ``data``; raise ValidationFailed with one Chinese message per field otherwise."""
        try:
            return dict(cls().load(data))
        except ValidationError as exc:
            raise ValidationFailed("提交的信息有误，请按提示修改", details=flatten_errors(exc.messages)) from exc


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages as ``{"items[0].problem": "…"}`` (the first message of each field)."""
    if isinstance(messages, list):
        if messages and all(isinstance(m, str) for m in messages):
            return {prefix or "_schema": messages[0]}
        out: dict[str, str] = {}
        for m in messages:
            out.update(flatten_errors(m, prefix))
        return out
    if isinstance(messages, dict):
        out = {}
        for key, value in messages.items():
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            elif prefix:
                name = f"{prefix}.{key}"
            else:
                name = str(key)
            out.update(flatten_errors(value, name))
        return out
    return {prefix or "_schema": str(messages)}


class VersionIn(ActionInput):
    row_version = fields.Integer(load_default=None, allow_none=True,
                                 error_messages={"invalid": "页面版本无效，请刷新页面后重试"},
                                 metadata={"description": "读取时的 row_version；他人已处理时返回 409"})


class CorrectionItemIn(Schema):
    target = fields.String(load_default="", metadata={"description": "材料编码；空表示申请信息"})
    problem = fields.String(load_default="", metadata={"description": "需补正的内容"})


# The correction text for a material left unticked on the checklist without a note of its own.
UNTICKED_MATERIAL = "该材料未提交或不符合要求，请按办事指南提交"


class CorrectionIn(VersionIn):
    items = fields.List(fields.Nested(CorrectionItemIn), required=True,
                        error_messages={"required": "请至少列出一项需要补正的材料或信息"})
    respond_days = fields.Integer(load_default=10, error_messages={"invalid": "补正期限应为1至60个工作日"})

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        """Free rows (``target``/``problem`` pairs) and, from the material checklist, one item per listed
        material (``checklist``) the clerk did not tick (``ok``), with its note or a standard text."""
        out = super().from_form(form)
        pairs = zip(form.getlist("target"), form.getlist("problem"), strict=False)
        out["items"] = [{"target": t, "problem": p} for t, p in pairs]
        ticked = set(form.getlist("ok"))
        out["items"] += [{"target": code, "problem": (form.get(f"note-{code}") or "").strip() or UNTICKED_MATERIAL}
                         for code in dict.fromkeys(form.getlist("checklist")) if code and code not in ticked]
        if str(out.get("respond_days", "")).strip() == "":
            out["respond_days"] = 0  # the domain explains the allowed range
        return out


class RefuseIn(VersionIn):
    reason = _text("请写明不予受理的理由", metadata={"description": "不予受理的理由"})
    competent_office = fields.String(load_default=None, allow_none=True,
                                     metadata={"description": "有权机关（不属于本机关职权时）"})


class PledgeIn(VersionIn):
    list_fields = ("missing",)
    missing = fields.List(fields.String(), required=True, error_messages={"required": "请选择容缺的材料"})
    pledge_days = fields.Integer(load_default=5, error_messages={"invalid": "补交期限应为1至30个工作日"})
    pledge_signed = fields.Boolean(load_default=False,
                                   metadata={"description": "申请人已签署容缺受理承诺书（窗口核对后确认）"})

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        out = super().from_form(form)
        if str(out.get("pledge_days", "")).strip() == "":
            out["pledge_days"] = 0
        out["pledge_signed"] = form.get("pledge_signed") == "1"
        return out


class OpinionIn(VersionIn):
    opinion = _text("请填写审查意见", metadata={"description": "审查意见"})
    recommendation = fields.String(
        required=True, validate=validate.OneOf([r.value for r in Recommendation], error="请选择审查结论"),
        error_messages={"required": "请选择审查结论"},
        metadata={"description": "approve 建议准予 / deny 建议不予"})


class SpecialIn(VersionIn):
    kind = fields.String(required=True,
                         validate=validate.OneOf([k.value for k in SPECIAL_KINDS],
                                                 error="请选择听证、现场勘验、检验检测或专家评审"),
                         error_messages={"required": "请选择听证、现场勘验、检验检测或专家评审"},
                         metadata={"description": "hearing 听证 / inspection 现场勘验 / testing 检验检测 / "
                                                  "expert_review 专家评审"})
    note = _text("请写明特别程序的事由和预计所需时间", metadata={"description": "事由及预计所需时间"})


class OutcomeIn(VersionIn):
    outcome = _text("请写明特别程序的结果")


class ReasonIn(VersionIn):
    reason = _text("请写明理由")


class _AnswerPeriodFromForm:
    """A page's blank ``answer_days`` reaches the domain as 0, so that the domain explains the allowed range."""

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        out = super().from_form(form)  # type: ignore[misc]
        if str(out.get("answer_days", "")).strip() == "":
            out["answer_days"] = 0
        return out


class RevocationIntentIn(_AnswerPeriodFromForm, ActionInput):
    reason = _text("请写明拟撤销的事实和理由", metadata={"description": "拟撤销的事实、理由和依据"})
    answer_days = fields.Integer(load_default=5, error_messages={"invalid": "陈述申辩期限应为3至15个工作日"},
                                 metadata={"description": "陈述申辩期限（工作日，3–15）"})


class StatementIn(ActionInput):
    statement = _text("请填写陈述申辩意见", metadata={"description": "陈述、申辩意见"})


class TermsIn(VersionIn):
    """A favourable decision's content as the decider fixed it (``terms.NAME`` fields on a page)."""

    terms = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), load_default=None,
                        allow_none=True, error_messages={"invalid": "决定内容格式有误"},
                        metadata={"description": "决定内容，按本事项的决定设计逐项填写（如 site_area、"
                                                 "validity.from、validity.until、validity.long_term）；"
                                                 "未填的取申请表和办事指南的预填值"})

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        out = super().from_form(form)
        terms = {key[len("terms."):]: form.get(key) for key in form if key.startswith("terms.")}
        out["terms"] = terms or None
        return out


class ApproveIn(TermsIn):
    opinion = fields.String(load_default=None, allow_none=True, metadata={"description": "决定意见（选填）"})


class DenyIn(VersionIn):
    reasons = _text(metadata={"description": "不予许可（不予给付、不予确认……）的理由（必填，写入决定书）"})


class PartyIn(_AnswerPeriodFromForm, VersionIn):
    party = fields.String(load_default="", metadata={"description": "对方当事人（空：取申请表的被申请人）"})
    address = fields.String(load_default="", metadata={"description": "对方当事人的送达地址"})
    answer_days = fields.Integer(load_default=15, error_messages={"invalid": "答辩期限应为5至30日"},
                                 metadata={"description": "答辩期限（日，5–30）"})


class AnswerIn(VersionIn):
    answer = _text("请填写对方当事人的答辩意见", metadata={"description": "对方当事人的书面答辩意见"})


class BeijingDateTime(fields.Field):
    """A moment as a clerk enters it: ``2026-11-27T16:30`` (the form's datetime-local, Beijing time) or an
    ISO timestamp with its offset; blank is None. The API document states the latter (``date-time``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError("时间格式应为 年-月-日 时:分，如 2026-11-27 16:30") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
        return moment.astimezone(dt.UTC)


class DeliverIn(VersionIn):
    channel = fields.String(required=True,
                            validate=validate.OneOf([c.value for c in DeliveryChannel], error="请选择送达方式"),
                            error_messages={"required": "请选择送达方式"},
                            metadata={"description": "electronic 电子送达 / window 直接送达（窗口领取） / post 邮寄 / "
                                                     "left 留置送达"})
    recipient = _text("请填写受送达人（50字以内）")
    address = fields.String(load_default="")
    signer_name = fields.String(load_default="", metadata={"description": "实际签收人（直接送达、邮寄必填）"})
    signer_relation = fields.String(load_default="", metadata={"description": "self 本人 / agent 代收人"})
    signed_at = BeijingDateTime(load_default=None, allow_none=True,
                                metadata={"description": "签收时间（北京时间 2026-11-27T16:30，或带时区）；空为现在"})
    witness = fields.String(load_default="", metadata={"description": "留置送达的见证人"})


class CheckIn(ActionInput):
    result = fields.String(required=True,
                           validate=validate.OneOf([CheckResult.PASSED.value, CheckResult.FAILED.value],
                                                   error="请选择核查结论"),
                           error_messages={"required": "请选择核查结论"},
                           metadata={"description": "passed 承诺属实 / failed 承诺不实（撤销许可，须负责人）"})
    finding = _text("请写明核查情况")


class VisitIn(ActionInput):
    visitor_name = _text()
    purpose = _text()


class ResubmitIn(ActionInput):
    materials = fields.Dict(keys=fields.String(), values=fields.Integer(), load_default=dict,
                            metadata={"description": "材料编码 → 已上传文件 ID"})
    data = fields.Dict(load_default=None, allow_none=True)

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        return {}  # the page sends files, which the web layer stores first


class WithdrawIn(ActionInput):
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=200, error="撤回原因不能超过200字"))
    # The page asks for a tick, so that one stray click withdraws nothing; an API call is deliberate.
    confirm = fields.Boolean(load_default=True, validate=validate.Equal(True, error="请勾选“确认撤回本申请”"),
                             metadata={"description": "确认撤回（默认 true）"})

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        return {"reason": form.get("reason"), "confirm": form.get("confirm") == "1"}


class PledgeSignIn(ActionInput):
    agree = fields.Boolean(required=True, error_messages={"required": "请阅读并勾选承诺内容",
                                                          "invalid": "请阅读并勾选承诺内容"},
                           metadata={"description": "申请人确认作出告知承诺"})

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        return {"agree": form.get("agree") == "1"}


class RatingIn(ActionInput):
    score = fields.Integer(required=True, strict=True,
                           error_messages={"invalid": "评分应为1至5分的整数", "required": "评分应为1至5分的整数"},
                           metadata={"description": "整体满意度 1–5；1–2 分为差评，生成整改任务"})
    comment = fields.String(load_default="")
    stage = fields.String(load_default=None, allow_none=True,
                          metadata={"description": "accepted 受理 / finished 办结（默认）"})
    indicators = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), load_default=dict,
                             metadata={"description": "GB/T 39734 指标 → 1–5。网上：efficiency 办事效率、"
                                                      "guide_accuracy 办事指南精确度、convenience 办事便捷度、"
                                                      "usability 平台操作性；窗口：service_efficiency 服务效率、"
                                                      "service_level 服务水平、attitude 服务态度"})
    tags = fields.List(fields.String(), load_default=list,
                       metadata={"description": "差评原因：overdue 超时办理、extra_conditions 指南外增加条件、"
                                                "extra_materials 指南外增加材料、repeated_trips 多次跑动、"
                                                "poor_attitude 服务态度差、unclear_guide 办事指南不清楚、"
                                                "hard_to_use 系统操作不便、other 其他"})

    @classmethod
    def from_form(cls, form: FormData) -> dict[str, Any]:
        raw = str(form.get("score") or "").strip()
        indicators = {key[len("indicator-"):]: form.get(key) for key in form
                      if key.startswith("indicator-")}
        return {"score": int(raw) if raw.isdigit() else raw, "comment": form.get("comment") or "",
                "stage": form.get("stage") or None, "indicators": indicators, "tags": form.getlist("tags")}
