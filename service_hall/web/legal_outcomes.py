"""Legal-affairs pages for what an item decides and issues: its decision content and the certificate
types of the 证照目录 (docs/architecture.md, "Decision content and certificate types"). The routes
belong to the legal blueprint (``register`` is called by ``service_hall.web.legal``); the forms are plain
HTML, one row per term or 信息项, with spare blank rows to add more.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for

from forms.models import current_form_definition
from power_lists import queries, versions
from power_lists.models import PowerItem
from service_hall.accounts.permissions import Permission
from service_hall.cases import designs
from service_hall.cases.decisions import TERM_TYPES, guide_validity
from service_hall.cases.designs import DesignKind
from service_hall.cases.procedures import design_for_item, publish_decision, save_decision_draft
from service_hall.certificates import types as certificate_types
from service_hall.certificates.issuing import preview_pdf
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.extensions import db
from service_hall.web.access import current_actor, now, requires

SPARE_ROWS = 3
TERM_COLUMNS = ("name", "label", "type", "unit", "from_field", "at_most_field", "min", "max", "default", "help")
ENTRY_COLUMNS = ("label", "source", "field")


def _items() -> list[PowerItem]:
    """The application items of the actor's county list in force."""
    county = versions.county_for(db.session, current_actor())
    version = queries.version_in_force(db.session, county.id, queries.china_today(now()))
    return [i for i in (version.items if version else []) if i.opens_application]


def _item(code: str) -> PowerItem:
    found = next((i for i in _items() if i.code == code), None)
    if found is None:
        raise NotFound("现行清单中没有该依申请事项")
    return found


def _rows(prefix: str, columns: tuple[str, ...], checkbox: str | None = None) -> list[dict[str, Any]]:
    """``prefix-N-column`` inputs as rows, blank rows dropped, in N order."""
    indexes = sorted({int(k.split("-")[1]) for k in request.form if k.startswith(f"{prefix}-")
                      and k.split("-")[1].isdigit()})
    rows = []
    for n in indexes:
        row: dict[str, Any] = {c: request.form.get(f"{prefix}-{n}-{c}", "").strip() for c in columns}
        if not any(row.values()):
            continue
        if checkbox:
            row[checkbox] = bool(request.form.get(f"{prefix}-{n}-{checkbox}"))
        rows.append({k: v for k, v in row.items() if v not in ("", None) or k == checkbox})
    return rows


def _details(exc: ValidationFailed) -> dict[str, str]:
    return {str(k): str(v) for k, v in (exc.details or {"_schema": exc.message}).items()}


@requires(Permission.POWER_LIST_READ)
def outcomes() -> Any:
    """Every application item with its decision design, and the certificate types."""
    rows = []
    for item in _items():
        draft = designs.draft_of(db.session, DesignKind.DECISION, item.code)
        rows.append((item, designs.published(db.session, DesignKind.DECISION, item.code), draft))
    types = [(code, designs.published(db.session, DesignKind.CERTIFICATE_TYPE, code),
              designs.draft_of(db.session, DesignKind.CERTIFICATE_TYPE, code))
             for code in designs.keys(db.session, DesignKind.CERTIFICATE_TYPE)]
    return render_template("legal/outcomes.html", rows=rows, types=types, items_of=certificate_types.items_of)


def _decision_page(item: PowerItem, definition: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    form_row = current_form_definition(db.session, item.code, now())
    return render_template(
        "legal/decision_design.html", item=item, definition=definition, errors=errors,
        terms=list(definition.get("terms") or []) + [{}] * SPARE_ROWS, term_types=TERM_TYPES,
        form_fields=form_row.form.fields if form_row is not None else (),
        validity=guide_validity(item.guide), history=designs.versions(db.session, DesignKind.DECISION, item.code),
        draft=designs.draft_of(db.session, DesignKind.DECISION, item.code),
        certificate_types=designs.keys(db.session, DesignKind.CERTIFICATE_TYPE)), status


@requires(Permission.POWER_LIST_READ)
def decision_design(code: str) -> Any:
    item = _item(code)
    draft = designs.draft_of(db.session, DesignKind.DECISION, code)
    definition = draft.definition if draft is not None else design_for_item(db.session, item).definition
    return _decision_page(item, definition, {})


@requires(Permission.POWER_LIST_EDIT)
def save_decision_design(code: str) -> Any:
    item = _item(code)
    definition = {"format_version": 1, "certificate_type": request.form.get("certificate_type") or None,
                  "terms": _rows("terms", TERM_COLUMNS, checkbox="required")}
    for term in definition["terms"]:
        if "integer" not in term and term.get("type") == "number" and request.form.get("integer-" + term["name"]):
            term["integer"] = True
    try:
        save_decision_draft(db.session, code, definition, actor=current_actor(), now=now())
    except ValidationFailed as exc:
        db.session.rollback()
        return _decision_page(item, definition, _details(exc), 422)
    flash("决定内容草稿已保存，须由另一名法制审核人员发布后生效")
    return redirect(url_for("legal.decision_design", code=code))


@requires(Permission.POWER_LIST_PUBLISH)
def publish_decision_design(code: str) -> Any:
    item = _item(code)
    try:
        row = publish_decision(db.session, code, actor=current_actor(), now=now())
    except ValidationFailed as exc:
        db.session.rollback()
        draft = designs.draft_of(db.session, DesignKind.DECISION, code)
        return _decision_page(item, draft.definition if draft else {}, _details(exc), 422)
    flash(f"决定内容第 {row.version} 版已发布，此后作出的决定按此填写；已作出的决定不受影响")
    return redirect(url_for("legal.decision_design", code=code))


def _type_page(definition: dict[str, Any], errors: dict[str, str], code: str | None, status: int = 200) -> Any:
    return render_template(
        "legal/certificate_type.html", definition=definition, errors=errors, code=code,
        entries=list(definition.get("entries") or []) + [{}] * SPARE_ROWS, layouts=certificate_types.LAYOUTS,
        sources=certificate_types.SOURCES, facts=certificate_types.LIST_FACTS, items=_items(),
        items_of=certificate_types.items_of,
        history=designs.versions(db.session, DesignKind.CERTIFICATE_TYPE, code) if code else [],
        draft=designs.draft_of(db.session, DesignKind.CERTIFICATE_TYPE, code) if code else None), status


def _posted_type() -> dict[str, Any]:
    return {"format_version": 1, "code": request.form.get("code", "").strip().upper(),
            "name": request.form.get("name", "").strip(),
            "item_codes": [c.strip() for c in request.form.getlist("item_code") if c.strip()],
            "layout": request.form.get("layout", "standard"), "entries": _rows("entries", ENTRY_COLUMNS)}


def _current_type(code: str) -> dict[str, Any]:
    row = designs.draft_of(db.session, DesignKind.CERTIFICATE_TYPE, code) or \
        designs.published(db.session, DesignKind.CERTIFICATE_TYPE, code)
    if row is None:
        raise NotFound("未找到该证照类型")
    return row.definition


@requires(Permission.POWER_LIST_EDIT)
def new_certificate_type() -> Any:
    if request.method == "GET":
        return _type_page({"layout": "standard", "entries": [
            {"label": "", "source": "decision", "field": ""}]}, {}, None)
    definition = _posted_type()
    try:
        if designs.versions(db.session, DesignKind.CERTIFICATE_TYPE, definition["code"]):
            raise ValidationFailed("证照类型代码已存在", details={"code": f"证照类型代码 {definition['code']} 已存在"})
        certificate_types.save_type_draft(db.session, definition, actor=current_actor(), now=now())
    except ValidationFailed as exc:
        db.session.rollback()
        return _type_page(definition, _details(exc), None, 422)
    flash("证照类型草稿已保存，可预览样本，须由另一名法制审核人员发布后生效")
    return redirect(url_for("legal.certificate_type", code=definition["code"]))


@requires(Permission.POWER_LIST_READ)
def certificate_type(code: str) -> Any:
    return _type_page(_current_type(code), {}, code)


@requires(Permission.POWER_LIST_EDIT)
def save_certificate_type(code: str) -> Any:
    _current_type(code)
    definition = _posted_type()
    try:
        certificate_types.save_type_draft(db.session, definition, actor=current_actor(), now=now(), code=code)
    except ValidationFailed as exc:
        db.session.rollback()
        return _type_page(definition, _details(exc), code, 422)
    flash("证照类型草稿已保存，须由另一名法制审核人员发布后生效")
    return redirect(url_for("legal.certificate_type", code=code))


@requires(Permission.POWER_LIST_PUBLISH)
def publish_certificate_type(code: str) -> Any:
    try:
        row = certificate_types.publish_type(db.session, code, actor=current_actor(), now=now())
    except ValidationFailed as exc:
        db.session.rollback()
        return _type_page(_current_type(code), _details(exc), code, 422)
    flash(f"证照类型 {code} 第 {row.version} 版已发布；已核发的证照保持原样")
    return redirect(url_for("legal.certificate_type", code=code))


@requires(Permission.POWER_LIST_READ)
def certificate_type_preview(code: str) -> Any:
    pdf = preview_pdf(db.session, _current_type(code), queries.china_today(now()))
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{code}-样本.pdf")


def register(bp: Blueprint) -> None:
    """Attach the pages to the legal blueprint."""
    routes: list[tuple[str, Any, tuple[str, ...]]] = [
        ("/outcomes", outcomes, ("GET",)),
        ("/outcomes/items/<code>/decision", decision_design, ("GET",)),
        ("/outcomes/items/<code>/decision", save_decision_design, ("POST",)),
        ("/outcomes/items/<code>/decision/publish", publish_decision_design, ("POST",)),
        ("/outcomes/certificate-types/new", new_certificate_type, ("GET", "POST")),
        ("/outcomes/certificate-types/<code>", certificate_type, ("GET",)),
        ("/outcomes/certificate-types/<code>", save_certificate_type, ("POST",)),
        ("/outcomes/certificate-types/<code>/publish", publish_certificate_type, ("POST",)),
        ("/outcomes/certificate-types/<code>/preview.pdf", certificate_type_preview, ("GET",)),
    ]
    for rule, view, methods in routes:
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=view, methods=list(methods))
