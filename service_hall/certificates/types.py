"""Certificate types (证照目录): a certificate's name, type code, the 信息项 it carries and where each comes
from, and its layout (docs/architecture.md, "Decision content and certificate types").

A type is versioned like every legal-affairs design (:mod:`service_hall.cases.designs`: a draft,
published by a second person). It serves the items that issue it (``item_codes``: one type such as the
乡村建设规划许可证 may serve several items; a lone ``item_code`` is read as one item). Each 信息项 names
its source: a field of each item's application form (``form``), a term each item's decider fixes
(``decision``), or a fact of the power list (``list``). Holder, ID number, validity, number, issuer and QR code are on
every layout. Format (JSON)::

    {"format_version": 1, "code": "ZJDPZS", "name": "农村宅基地批准书", "item_codes": ["330199-XK-001"],
     "layout": "approval",
     "entries": [{"label": "宅基地面积", "source": "decision", "field": "site_area"},
                 {"label": "建筑面积", "source": "form", "field": "building_area"}]}
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.display import display_rows
from forms.models import current_form_definition
from power_lists.models import PowerItem
from service_hall.cases import designs
from service_hall.cases.designs import DesignKind, OutcomeDesign
from service_hall.cases.procedures import check_decision, design_for_item
from service_hall.core.errors import ValidationFailed

FORMAT_VERSION = 1
LAYOUTS = {"standard": "标准证照（表格式）", "approval": "批准书（含批准内容与附记）", "card": "登记证（卡片式）"}
SOURCES = {"form": "申请表字段", "decision": "决定内容", "list": "权力清单"}
LIST_FACTS = {"item_name": "事项名称", "item_code": "事项编码", "legal_basis": "法律依据",
              "department": "实施部门"}
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")


def latest_item(session: Session, code: str) -> PowerItem | None:
    """The newest list row of ``code`` (any version). Raises nothing."""
    return session.scalars(select(PowerItem).where(PowerItem.code == code).order_by(PowerItem.id.desc())).first()


def items_of(definition: Mapping[str, Any]) -> list[str]:
    """The codes of the items a type serves (``item_codes``, or a lone ``item_code``). Raises nothing."""
    codes = definition.get("item_codes")
    if isinstance(codes, str):
        codes = [codes]
    if not isinstance(codes, list):
        codes = [definition.get("item_code")] if definition.get("item_code") else []
    return list(dict.fromkeys(str(c or "").strip() for c in codes if str(c or "").strip()))


def check_type(session: Session, raw: Any, now: dt.datetime, *, code: str | None = None,
               publishing: bool = False) -> dict[str, Any]:
    """The type normalised, or ValidationFailed naming each faulty place (``entries[1].field``): a code
    or name missing, an unknown layout or source, an item that is not in any list, a form field the
    item's form in force does not have, a decision term its decision design does not fix — the design in
    force when ``publishing``, also the draft being written alongside when saving."""
    errors: dict[str, str] = {}
    if not isinstance(raw, Mapping):
        raise ValidationFailed("证照类型格式有误", details={"code": "须为对象"})
    type_code = str(raw.get("code") or "").strip().upper()
    name = str(raw.get("name") or "").strip()
    item_code = str(raw.get("item_code") or "").strip()
    layout = str(raw.get("layout") or "standard")
    if not _CODE.match(type_code):
        errors["code"] = "证照类型代码须为2至40位大写字母、数字或连字符"
    elif code is not None and type_code != code:
        errors["code"] = f"证照类型代码不能修改（原为 {code}）"
    if not name or len(name) > 50:
        errors["name"] = "请填写证照名称（50字以内）"
    if layout not in LAYOUTS:
        errors["layout"] = "版式须为：" + "、".join(f"{k}（{v}）" for k, v in LAYOUTS.items())
    item_codes = items_of(raw)
    # Each item the type serves, with its form fields and the decision terms its decider fixes.
    served: list[tuple[str, set[str] | None, set[str]]] = []
    for item_code in item_codes:
        item = latest_item(session, item_code)
        if item is None:
            errors["item_code"] = f"权力清单中没有事项“{item_code}”"
            continue
        form_row = current_form_definition(session, item_code, now)
        terms = {t["name"] for t in design_for_item(session, item).definition.get("terms") or []}
        draft = designs.draft_of(session, DesignKind.DECISION, item_code) if not publishing else None
        if draft is not None:  # a term being designed alongside may be named in a draft; publishing checks again
            terms |= {t["name"] for t in draft.definition.get("terms") or []}
        served.append((item_code, {f.name for f in form_row.form.fields} if form_row is not None else None, terms))
    if not item_codes:
        errors["item_code"] = "请选择发证事项"
    entries: list[dict[str, str]] = []
    raw_entries = raw.get("entries")
    if not isinstance(raw_entries, list):
        errors["entries"] = "须为信息项的列表"
        raw_entries = []
    labels: set[str] = set()
    for i, entry in enumerate(raw_entries):
        place = f"entries[{i}]"
        if not isinstance(entry, Mapping):
            errors[place] = "每一项须为对象"
            continue
        label = str(entry.get("label") or "").strip()
        source = str(entry.get("source") or "")
        field = str(entry.get("field") or "").strip()
        if not label or len(label) > 20:
            errors[f"{place}.label"] = "请填写信息项名称（20字以内）"
        elif label in labels:
            errors[f"{place}.label"] = f"信息项“{label}”重复"
        labels.add(label)
        if source not in SOURCES:
            errors[f"{place}.source"] = "来源须为：" + "、".join(f"{k}（{v}）" for k, v in SOURCES.items())
        elif not field:
            errors[f"{place}.field"] = "请填写取值的字段名"
        elif source == "list" and field not in LIST_FACTS:
            errors[f"{place}.field"] = "权力清单的取值须为：" + "、".join(f"{k}（{v}）" for k, v in LIST_FACTS.items())
        else:
            for item_code, form_fields, terms in served:
                if source == "form" and (form_fields is None or field not in form_fields):
                    errors[f"{place}.field"] = (
                        f"事项 {item_code} 的申请表单没有字段“{field}”" if form_fields is not None
                        else f"事项 {item_code} 尚无已发布的申请表单")
                    break
                if source == "decision" and field not in terms:
                    errors[f"{place}.field"] = f"事项 {item_code} 的决定内容没有“{field}”这一项"
                    break
        entries.append({"label": label, "source": source, "field": field})
    if errors:
        raise ValidationFailed("证照类型有误", details=errors)
    return {"format_version": FORMAT_VERSION, "code": type_code, "name": name, "item_codes": item_codes,
            "layout": layout, "entries": entries}


def checker(session: Session, now: dt.datetime, code: str | None = None, *, publishing: bool = False) -> Any:
    return lambda raw: check_type(session, raw, now, code=code, publishing=publishing)


def save_type_draft(session: Session, definition: dict[str, Any], *, actor: Any, now: dt.datetime,
                    code: str | None = None) -> OutcomeDesign:
    """Save the draft of a certificate type (a new one when ``code`` is None). Raises ValidationFailed
    (located), Conflict."""
    data = check_type(session, definition, now, code=code)
    return designs.save_draft(session, DesignKind.CERTIFICATE_TYPE, data["code"], data,
                              check=checker(session, now, data["code"]), actor=actor, now=now)


def publish_type(session: Session, code: str, *, actor: Any, now: dt.datetime) -> OutcomeDesign:
    """Publish the type's draft (a second person; checked again). Raises NotFound, PermissionDenied,
    ValidationFailed, Conflict."""
    return designs.publish(session, DesignKind.CERTIFICATE_TYPE, code,
                           check=checker(session, now, code, publishing=True), actor=actor, now=now)


def type_for_item(session: Session, item_code: str, named: str | None = None) -> OutcomeDesign | None:
    """The published certificate type an item issues: the one its decision design names, else the one
    that serves the item (the 证照目录 may give one type to several items). Raises nothing."""
    if named:
        found = designs.published(session, DesignKind.CERTIFICATE_TYPE, named)
        if found is not None:
            return found
    for code in designs.keys(session, DesignKind.CERTIFICATE_TYPE):
        row = designs.published(session, DesignKind.CERTIFICATE_TYPE, code)
        if row is not None and item_code in items_of(row.definition):
            return row
    return None


def _form_text(form: Any, data: Mapping[str, Any], field: str) -> str:
    if field not in data:
        return ""
    rows = display_rows(form, {field: data[field]})
    if not rows:
        return ""
    row = rows[0]
    if row.rows:  # a table: one line per row
        return "；".join("，".join(f"{cell.label}{cell.text}" for cell in cells) for cells in row.rows)
    return row.text


def entries_for(definition: Mapping[str, Any], *, form: Any, data: Mapping[str, Any],
                decision: Mapping[str, Any] | None, facts: Mapping[str, str]) -> list[list[str]]:
    """The 信息项 as printed, ``[label, text]`` each, from the application, the decision and the list.
    Raises nothing (a value not there prints empty)."""
    out: list[list[str]] = []
    for entry in definition.get("entries") or []:
        source, field = entry["source"], entry["field"]
        if source == "form":
            text = _form_text(form, data, field)
        elif source == "decision":
            term = next((t for t in (decision or {}).get("terms") or [] if t.get("name") == field), None)
            text = str(term["text"]) if term else ""
        else:
            text = facts.get(field, "")
        out.append([entry["label"], text])
    return out


def sample_entries(definition: Mapping[str, Any]) -> list[list[str]]:
    """Sample 信息项 for the preview: each labelled as the value it stands for. Raises nothing."""
    return [[e["label"], f"（示例：{SOURCES.get(e['source'], '')}“{e['field']}”）"]
            for e in definition.get("entries") or []]


def load_outcomes(session: Session, data: Mapping[str, Any], now: dt.datetime) -> list[str]:
    """Publish the decision designs and certificate types of a fixture (``decisions``: item code →
    design; ``certificate_types``: a list), skipping what is already published. Returns what was
    published. Raises ValidationFailed (located, with the design named) — nothing is then published."""
    done: list[str] = []
    for item_code, design in (data.get("decisions") or {}).items():
        if designs.published(session, DesignKind.DECISION, item_code) is not None:
            continue
        if latest_item(session, item_code) is None:
            continue
        designs.publish_now(session, DesignKind.DECISION, item_code, dict(design),
                            check=functools.partial(_check_decision_of, session, item_code, now), now=now)
        done.append(f"decision:{item_code}")
    for definition in data.get("certificate_types") or []:
        code = str(definition.get("code") or "")
        if designs.published(session, DesignKind.CERTIFICATE_TYPE, code) is not None:
            continue
        if any(latest_item(session, code) is None for code in items_of(definition)):
            continue
        designs.publish_now(session, DesignKind.CERTIFICATE_TYPE, code, dict(definition),
                            check=checker(session, now, code, publishing=True), now=now)
        done.append(f"certificate_type:{code}")
    return done


def _check_decision_of(session: Session, item_code: str, now: dt.datetime, raw: Any) -> dict[str, Any]:
    return check_decision(session, item_code, raw, now)


DEMO_OUTCOMES = Path(__file__).parent / "fixtures" / "demo_outcomes.json"


def load_demo_outcomes(session: Session, now: dt.datetime) -> list[str]:
    """The demo's decision designs and certificate types (``fixtures/demo_outcomes.json``)."""
    return load_outcomes(session, json.loads(DEMO_OUTCOMES.read_text(encoding="utf-8")), now)

