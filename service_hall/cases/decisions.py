"""Decision content: what the decider of an item must fix, and the check of what they fixed
(docs/architecture.md, "Decision content and certificate types").

An item's decision design lists its **terms** — validity, scope, conditions, quantities (面积, 层数, an
amount), a payment schedule — each prefilled from the application where the form has the field it names
(``from_field``) and editable within its rules (``min``/``max``, ``at_most_field``: not more than the
application asked for; a validity ends after it starts). Legal affairs author it as versioned data
(:mod:`service_hall.cases.designs`); an item without one follows the default of its power type. What was
decided is frozen in the decision notice (``content["terms"]``) and printed by the notice and the
certificate.

Design format (JSON)::

    {"format_version": 1, "certificate_type": "ZJDPZS" | null,
     "terms": [{"name": "site_area", "label": "批准用地面积", "type": "number", "unit": "平方米",
                "required": true, "from_field": "site_area", "max": 140, "at_most_field": "site_area"},
               {"name": "validity", "label": "有效期限", "type": "validity", "from_field": null}]}

Term types: ``text``, ``textarea``, ``lines`` (one condition per line), ``number``, ``date``,
``validity`` (a start and an end date, or 长期 only where the item's guide says 长期).
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from forms.definition import FieldType, FormDefinition
from power_lists.models import PowerType
from service_hall.core.errors import ValidationFailed

FORMAT_VERSION = 1
TERM_TYPES = {"text": "文本", "textarea": "多行文本", "lines": "逐条列出", "number": "数字", "date": "日期",
              "validity": "有效期限"}
_TERM_KEYS = {"name", "label", "type", "required", "from_field", "unit", "min", "max", "at_most_field",
              "integer", "help", "default"}
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_PERIOD = re.compile(r"(\d+)\s*(年|个月|月|日|天)")


@dataclass(frozen=True)
class Validity:
    """What the guide's 审批结果有效期 allows: a period from the decision day (``5年``), 长期, or an end
    the decider sets (``按批准期限``)."""

    text: str
    long_term: bool
    amount: int | None = None
    unit: str | None = None

    def end_from(self, start: dt.date) -> dt.date | None:
        """The last valid day of the guide's period counted from ``start``; None without a period."""
        if self.amount is None:
            return None
        if self.unit == "年":
            end = _add_months(start, 12 * self.amount)
        elif self.unit in ("个月", "月"):
            end = _add_months(start, self.amount)
        else:
            end = start + dt.timedelta(days=self.amount)
        return end - dt.timedelta(days=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def guide_validity(guide: Mapping[str, Any] | None) -> Validity | None:
    """The guide's 审批结果有效期 read (None when the guide names none). Raises nothing."""
    text = str((guide or {}).get("result_validity") or "").strip()
    if not text:
        return None
    match = _PERIOD.search(text)
    if "长期" in text:
        return Validity(text, long_term=True)
    if match is None:
        return Validity(text, long_term=False)
    return Validity(text, long_term=False, amount=int(match.group(1)), unit=match.group(2))


def _term(name: str, label: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "label": label, "type": kind, "required": extra.pop("required", True), **extra}


def default_design(power_type: PowerType, guide: Mapping[str, Any] | None, *,
                   issues_certificate: bool = False) -> dict[str, Any]:
    """What an item's decider fixes when legal affairs designed nothing: the procedure's own content
    (an amount and a schedule for a 给付, the award for a 奖励, the ruling for a 裁决), and a validity
    where the guide names one or the decision issues a certificate — so a certificate is never
    长期有效 unless the guide says so (docs/architecture.md, "Decision content and certificate types")."""
    terms: list[dict[str, Any]]
    if power_type is PowerType.BENEFIT:
        terms = [_term("amount", "给付金额", "number", unit="元", min=0),
                 _term("schedule", "发放方式和期限", "text", help="如：按月发放，自2026年12月起")]
    elif power_type is PowerType.REWARD:
        terms = [_term("award", "奖励内容", "text", help="如：授予“环境保护先进个人”称号"),
                 _term("amount", "奖金", "number", unit="元", min=0, required=False)]
    elif power_type is PowerType.ADJUDICATION:
        terms = [_term("ruling", "裁决内容", "textarea")]
    elif power_type is PowerType.PUBLIC_SERVICE:
        terms = [_term("result", "办理结果", "text", required=False)]
    elif power_type is PowerType.CONFIRMATION:
        terms = [_term("scope", "确认事项", "text", required=False)]
    else:
        terms = [_term("scope", "许可范围" if power_type is PowerType.LICENSING else "准予内容", "text",
                       required=False)]
    if (guide_validity(guide) is not None or issues_certificate) and power_type not in (
            PowerType.BENEFIT, PowerType.ADJUDICATION, PowerType.REWARD):
        terms.append(_term("validity", "有效期限", "validity"))
    return {"format_version": FORMAT_VERSION, "certificate_type": None, "terms": terms}


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def check_design(raw: Any, *, form: FormDefinition | None, guide: Mapping[str, Any] | None,
                 issues_certificate: bool = False) -> dict[str, Any]:
    """The design normalised, or ValidationFailed naming each faulty place (``terms[2].from_field``):
    unknown keys or types, two terms of one name, a ``from_field`` or ``at_most_field`` the item's form
    does not have (or of a type that cannot fill the term), limits that are not numbers, a validity where
    the guide names none and no certificate is issued, no validity where a certificate is issued."""
    errors: dict[str, str] = {}
    if not isinstance(raw, Mapping) or not isinstance(raw.get("terms"), list):
        raise ValidationFailed("决定内容格式有误", details={"terms": "须为决定事项的列表"})
    fields = {f.name: f for f in form.fields} if form is not None else {}
    seen: set[str] = set()
    terms: list[dict[str, Any]] = []
    for i, term in enumerate(raw["terms"]):
        place = f"terms[{i}]"
        if not isinstance(term, Mapping):
            errors[place] = "每一项须为对象"
            continue
        unknown = set(term) - _TERM_KEYS
        if unknown:
            errors[place] = f"不认识的设置：{'、'.join(sorted(unknown))}"
        name, kind = str(term.get("name") or ""), str(term.get("type") or "")
        label = str(term.get("label") or "").strip()
        if not _NAME.match(name):
            errors[f"{place}.name"] = "名称须以小写字母开头，只含小写字母、数字和下划线（40字符以内）"
        elif name in seen:
            errors[f"{place}.name"] = f"决定事项“{name}”重复"
        seen.add(name)
        if not label or len(label) > 30:
            errors[f"{place}.label"] = "请填写显示名称（30字以内）"
        if kind not in TERM_TYPES:
            errors[f"{place}.type"] = "类型须为：" + "、".join(f"{k}（{v}）" for k, v in TERM_TYPES.items())
        for key in ("from_field", "at_most_field"):
            ref = term.get(key)
            if not ref:
                continue
            spec = fields.get(str(ref))
            if spec is None:
                errors[f"{place}.{key}"] = (f"本事项的申请表单没有字段“{ref}”" if form is not None
                                            else "本事项尚无申请表单，不能引用表单字段")
            elif key == "at_most_field" and spec.type is not FieldType.NUMBER:
                errors[f"{place}.{key}"] = f"字段“{ref}”不是数字，不能作为上限"
            elif kind == "validity" and spec.type is not FieldType.DATE_RANGE:
                errors[f"{place}.{key}"] = f"有效期限只能取自日期区间字段，“{ref}”是{spec.type.value}"
            elif kind == "number" and spec.type is not FieldType.NUMBER:
                errors[f"{place}.{key}"] = f"字段“{ref}”不是数字"
        for key in ("min", "max"):
            if term.get(key) not in (None, "") and _number(term[key]) is None:
                errors[f"{place}.{key}"] = "须为数字"
        if kind == "validity" and guide_validity(guide) is None and not issues_certificate:
            errors[f"{place}.type"] = "办事指南未写明审批结果有效期，不能设定有效期限"
        terms.append({k: term[k] for k in term if k in _TERM_KEYS and term[k] not in (None, "")}
                     | {"required": bool(term.get("required", True))})
    validities = sum(1 for t in terms if t.get("type") == "validity")
    if validities > 1:
        errors["terms"] = "有效期限只能设一项"
    elif issues_certificate and not validities:  # a 证照 states how long it is valid; 长期 only where the guide says so
        errors["terms"] = "本事项颁发证照，须设定有效期限一项（办事指南写明长期有效的，决定时默认长期）"
    certificate_type = raw.get("certificate_type") or None
    if certificate_type is not None and not isinstance(certificate_type, str):
        errors["certificate_type"] = "证照类型代码须为文本"
    if errors:
        raise ValidationFailed("决定内容有误", details=errors)
    return {"format_version": FORMAT_VERSION, "certificate_type": certificate_type, "terms": terms}


def _form_value(data: Mapping[str, Any], name: str | None) -> Any:
    value = data.get(name) if name else None
    if isinstance(value, Mapping) and "detail" in value:  # an address: the part a decision names
        return " ".join(str(value.get(k) or "") for k in ("village_name", "detail")).strip()
    return value


def prefill(design: Mapping[str, Any], data: Mapping[str, Any], guide: Mapping[str, Any] | None,
            today: dt.date) -> dict[str, str]:
    """The decision page's starting values: from the application where a term names a form field, the
    validity from the guide's period. Raises nothing."""
    out: dict[str, str] = {}
    for term in design.get("terms") or []:
        name, kind = term["name"], term["type"]
        value = _form_value(data, term.get("from_field"))
        if kind == "validity":
            rule = guide_validity(guide)
            start, end = today, None
            if isinstance(value, Mapping) and value.get("start"):
                start = dt.date.fromisoformat(str(value["start"]))
                end = dt.date.fromisoformat(str(value["end"])) if value.get("end") else None
            if end is None and rule is not None:
                end = rule.end_from(start)
            out[f"{name}.from"] = start.isoformat()
            out[f"{name}.until"] = end.isoformat() if end else ""
            out[f"{name}.long_term"] = "1" if rule is not None and rule.long_term and end is None else ""
        elif value not in (None, ""):
            out[name] = "\n".join(map(str, value)) if isinstance(value, list) else str(value)
        elif term.get("default"):
            out[name] = str(term["default"])
    return out


def _fmt_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def fix_terms(design: Mapping[str, Any], given: Mapping[str, Any] | None, data: Mapping[str, Any],
              guide: Mapping[str, Any] | None, today: dt.date) -> dict[str, Any]:
    """What the decider fixed, checked against the design's rules; values not given are taken from
    :func:`prefill`. Returns ``{"terms": [{name, label, type, value, text}], "valid_from", "valid_until",
    "long_term"}`` for the notice. Raises ValidationFailed keyed ``terms.NAME`` (``terms.validity.until``)."""
    values = prefill(design, data, guide, today) | {k: ("" if v is None else str(v)).strip()
                                                    for k, v in (given or {}).items()}
    errors: dict[str, str] = {}
    decided: list[dict[str, Any]] = []
    out: dict[str, Any] = {"valid_from": today.isoformat(), "valid_until": None, "long_term": False}
    for term in design.get("terms") or []:
        name, kind, label = term["name"], term["type"], term["label"]
        place = f"terms.{name}"
        if kind == "validity":
            rule = guide_validity(guide)
            long_term = values.get(f"{name}.long_term") in ("1", "true", "on", "True")
            if f"{name}.until" in (given or {}) and f"{name}.long_term" not in (given or {}):
                long_term = False  # the decider set an end: the guide's 长期 is not chosen
            start_text, end_text = values.get(f"{name}.from") or "", values.get(f"{name}.until") or ""
            try:
                start = dt.date.fromisoformat(start_text) if start_text else today
            except ValueError:
                errors[f"{place}.from"] = "起始日期格式应为 YYYY-MM-DD"
                continue
            if long_term:
                if rule is None or not rule.long_term:
                    errors[f"{place}.long_term"] = "办事指南未规定长期有效，请填写有效期截止日期"
                    continue
                out.update(valid_from=start.isoformat(), valid_until=None, long_term=True)
                decided.append({"name": name, "label": label, "type": kind, "value": None,
                                "text": f"长期有效（自{_cn(start)}起）"})
                continue
            if not end_text:
                errors[f"{place}.until"] = "请填写有效期截止日期"
                continue
            try:
                end = dt.date.fromisoformat(end_text)
            except ValueError:
                errors[f"{place}.until"] = "截止日期格式应为 YYYY-MM-DD"
                continue
            if end <= start:
                errors[f"{place}.until"] = f"有效期截止日期（{end_text}）须晚于起始日期（{start.isoformat()}）"
                continue
            out.update(valid_from=start.isoformat(), valid_until=end.isoformat(), long_term=False)
            decided.append({"name": name, "label": label, "type": kind, "value": [start.isoformat(), end.isoformat()],
                            "text": f"自{_cn(start)}至{_cn(end)}"})
            continue
        raw = values.get(name, "")
        if not raw:
            if term.get("required", True):
                errors[place] = f"请填写{label}"
            continue
        if kind == "number":
            number = _number(raw)
            if number is None:
                errors[place] = f"{label}须为数字"
                continue
            if term.get("integer") and number != number.to_integral_value():
                errors[place] = f"{label}须为整数"
                continue
            unit = term.get("unit") or ""
            low, high = _number(term.get("min")), _number(term.get("max"))
            if low is not None and number < low:
                errors[place] = f"{label}不能小于 {_fmt_number(low)}{unit}"
                continue
            if high is not None and number > high:
                errors[place] = f"{label}不能超过 {_fmt_number(high)}{unit}"
                continue
            ceiling_field = term.get("at_most_field")
            ceiling = _number(data.get(ceiling_field)) if ceiling_field else None
            if ceiling is not None and number > ceiling:
                errors[place] = f"{label}不能超过申请的 {_fmt_number(ceiling)}{unit}"
                continue
            decided.append({"name": name, "label": label, "type": kind, "value": _fmt_number(number),
                            "text": f"{_fmt_number(number)}{(' ' + unit) if unit else ''}"})
        elif kind == "date":
            try:
                day = dt.date.fromisoformat(raw)
            except ValueError:
                errors[place] = f"{label}格式应为 YYYY-MM-DD"
                continue
            decided.append({"name": name, "label": label, "type": kind, "value": day.isoformat(), "text": _cn(day)})
        elif kind == "lines":
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            decided.append({"name": name, "label": label, "type": kind, "value": lines, "text": "；".join(lines)})
        else:
            if len(raw) > (2000 if kind == "textarea" else 200):
                errors[place] = f"{label}过长"
                continue
            decided.append({"name": name, "label": label, "type": kind, "value": raw, "text": raw})
    if errors:
        raise ValidationFailed("决定内容有误", details=errors)
    out["terms"] = decided
    return out


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def term_value(decision: Mapping[str, Any] | None, name: str) -> dict[str, Any] | None:
    """One decided term of a decision notice's content, by name. Raises nothing."""
    return next((t for t in (decision or {}).get("terms") or [] if t.get("name") == name), None)
