"""The form designer (表单设计) on the legal-affairs blueprint: each application item's form, edited one
step at a time with plain HTML forms (no JavaScript needed), previewed with the applicant's own form
macros, saved as a draft and published by a second person. See docs/forms.md, "The designer".

Items are found through the actor's county, so a code of another county's list is simply not found.
Every edit is checked whole before it is stored: a refused edit shows each problem at its input and
changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from forms.definition import TYPE_LABELS, FieldType, load_form_definition
from forms.diff import diff_definitions
from forms.editing import (
    add_field,
    error_prefix,
    field_errors,
    field_from_inputs,
    field_inputs,
    get_field,
    move_field,
    remove_field,
    remove_rule,
    reorder_fields,
    replace_field,
    rule_from_inputs,
    set_meta,
    set_rule,
)
from forms.models import draft_codes, form_definition_versions, form_version
from forms.submission import SubmissionContext, parse_html_form, validate_submission
from power_lists import queries, versions
from power_lists.form_design import discard_design, publish_design, save_design, working_form
from power_lists.item_forms import default_form, item_to_design
from power_lists.models import PowerItem
from service_hall.accounts.permissions import Permission
from service_hall.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction
from service_hall.web.access import current_actor, now, requires
from service_hall.web.forms_util import labelled_errors
from service_hall.web.legal import bp

MAX_IMPORT_BYTES = 512 * 1024
FIELD_TYPES = [(t.value, TYPE_LABELS[t]) for t in FieldType]
TYPE_NAMES = dict(FIELD_TYPES)
GENERATED = "generated"


def _county() -> Any:
    return versions.county_for(db.session, current_actor())


def _item(item_code: str) -> PowerItem:
    return item_to_design(db.session, _county().id, item_code)


def _villages(county: Jurisdiction) -> dict[str, str]:
    """The county's villages and communities, for the preview's address fields."""
    towns = [t.id for t in county.children]
    if not towns:
        return {}
    return {j.code: j.name for j in db.session.scalars(
        select(Jurisdiction).where(Jurisdiction.parent_id.in_(towns)).order_by(Jurisdiction.code))}


def _details(exc: DomainError) -> dict[str, str]:
    if isinstance(exc.details, dict) and exc.details:
        return {str(k): str(v) for k, v in exc.details.items()}
    return {"_schema": exc.message}


def _page(item: PowerItem, *, errors: dict[str, str] | None = None, status: int = 200,
          preview_values: dict[str, Any] | None = None, preview_errors: dict[str, str] | None = None,
          preview_ok: bool = False, import_text: str = "") -> Any:
    working = working_form(db.session, item, now())
    definition = load_form_definition(working.raw)
    errors = errors or {}
    by_field: dict[str, list[str]] = {}
    for path, message in errors.items():
        if path.startswith("fields["):
            by_field.setdefault(path.split("]")[0] + "]", []).append(f"{path}：{message}")
    draft = working.draft
    actor = current_actor()
    return render_template(
        "legal/form_design.html", item=item, working=working, raw=working.raw, definition=definition,
        errors=errors, by_field=by_field, field_types=FIELD_TYPES, type_labels=TYPE_NAMES,
        versions=form_definition_versions(db.session, item.code), villages=_villages(_county()),
        own_draft=draft is not None and actor is not None and draft.drafted_by_id == actor.id,
        preview_values=preview_values or {}, preview_errors=preview_errors or {}, preview_ok=preview_ok,
        preview_summary=labelled_errors(preview_errors or {}, definition),
        export_text=json.dumps(_document(item, working.raw), ensure_ascii=False, indent=2),
        import_text=import_text), status


def _document(item: PowerItem, raw: dict[str, Any]) -> dict[str, Any]:
    return {"item_code": item.code, "definition": raw}


def _save(item: PowerItem, raw: dict[str, Any], done: str) -> Any:
    save_design(db.session, item, raw, actor=current_actor(), now=now())
    flash(done)
    return None


def _refused(item: PowerItem, exc: DomainError, attempted: dict[str, Any] | None = None) -> Any:
    """The designer page again with each problem of the refused edit next to its field (named by the field
    it concerns in the attempted definition, so positions that moved still point to the right field)."""
    db.session.rollback()
    details = _details(exc)
    if attempted is not None:
        current = working_form(db.session, item, now()).raw
        details = _relocated(details, attempted, current)
    flash("未保存：" + exc.message)
    return _page(item, errors=details, status=422 if isinstance(exc, ValidationFailed) else exc.status)


def _relocated(details: dict[str, str], attempted: dict[str, Any], current: dict[str, Any]) -> dict[str, str]:
    names_now = [f.get("name") for f in current.get("fields") or [] if isinstance(f, dict)]
    tried = [f.get("name") if isinstance(f, dict) else None for f in attempted.get("fields") or []]
    out: dict[str, str] = {}
    for path, message in details.items():
        if path.startswith("fields["):
            index = int(path[7:path.index("]")])
            name = tried[index] if index < len(tried) else None
            label = next((f.get("label") for f in attempted.get("fields") or []
                          if isinstance(f, dict) and f.get("name") == name), name)
            if name in names_now:
                key = f"fields[{names_now.index(name)}]"
                out[key + path[path.index("]") + 1:]] = f"（{label}）{message}"
                continue
        out[path] = message
    return out


@bp.get("/forms")
@requires(Permission.FORM_DESIGN)
def forms() -> Any:
    """The county's application items and the state of each one's form."""
    from power_lists.readiness import published_form_codes

    county = _county()
    version = queries.open_version(db.session, county.id) or queries.latest_published(db.session, county.id)
    items = [i for i in (version.items if version else []) if i.opens_application]
    codes = [i.code for i in items]
    designed = published_form_codes(db.session, codes, now())
    return render_template("legal/forms.html", county=county, version=version, items=items, designed=designed,
                           drafts=draft_codes(db.session, codes))


@bp.get("/forms/<item_code>")
@requires(Permission.FORM_DESIGN)
def form_design(item_code: str) -> Any:
    return _page(_item(item_code))


@bp.post("/forms/<item_code>/meta")
@requires(Permission.FORM_DESIGN)
def form_meta(item_code: str) -> Any:
    item = _item(item_code)
    raw = set_meta(working_form(db.session, item, now()).raw, title=request.form.get("title", ""),
                   description=request.form.get("description", ""))
    try:
        _save(item, raw, "已保存表单标题和说明")
    except ValidationFailed as exc:
        return _refused(item, exc, raw)
    return redirect(url_for("legal.form_design", item_code=item.code))


@bp.post("/forms/<item_code>/fields")
@requires(Permission.FORM_DESIGN)
def form_add_field(item_code: str) -> Any:
    item = _item(item_code)
    table = request.form.get("table") or None
    position = request.form.get("position", "").strip()
    try:
        raw, path = add_field(working_form(db.session, item, now()).raw, ftype=request.form.get("type", ""),
                              name=request.form.get("name", ""), label=request.form.get("label", ""), table=table,
                              position=int(position) - 1 if position.isdigit() else None)
    except ValidationFailed as exc:
        return _refused(item, exc)
    try:
        _save(item, raw, f"已添加字段「{request.form.get('label', '').strip()}」，请继续设置它的属性")
    except ValidationFailed as exc:
        # The new field's problems go next to the inputs of the "add a field" form.
        db.session.rollback()
        details = _details(exc)
        prefix = error_prefix(path)
        errors = {k: v for k, v in details.items() if not k.startswith(prefix)}
        errors.update(field_errors(details, prefix))
        flash("未保存：" + exc.message)
        return _page(item, errors=errors, status=422)
    return redirect(url_for("legal.form_field", item_code=item.code, field_path=path))


@bp.route("/forms/<item_code>/fields/<field_path>", methods=["GET", "POST"])
@requires(Permission.FORM_DESIGN)
def form_field(item_code: str, field_path: str) -> Any:
    """Edit one field (or one table column) with every property its type takes."""
    item = _item(item_code)
    raw = working_form(db.session, item, now()).raw
    current = get_field(raw, field_path)
    errors: dict[str, str] = {}
    values = field_inputs(current)
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        field, errors = field_from_inputs(request.form, current)
        attempted = replace_field(raw, field_path, field)
        if not errors:
            try:
                _save(item, attempted, f"已保存字段「{field['label']}」")
            except ValidationFailed as exc:
                db.session.rollback()
                errors = field_errors(_details(exc), error_prefix(field_path))
                others = {k: v for k, v in _details(exc).items() if not k.startswith(error_prefix(field_path))}
                if others:
                    errors["_schema"] = "；".join(f"{k}：{v}" for k, v in others.items())
            else:
                return redirect(url_for("legal.form_design", item_code=item.code) + f"#field-{field_path}")
    parts = field_path.split(".")
    siblings = raw["fields"] if len(parts) == 1 else raw["fields"][int(parts[0])]["fields"]
    controllers = [f for f in siblings[:int(parts[-1])] if isinstance(f, dict)
                   and f.get("type") in (FieldType.CHOICE.value, FieldType.BOOLEAN.value)]
    return render_template("legal/form_field.html", item=item, path=field_path, field=current, values=values,
                           errors=errors, field_types=FIELD_TYPES, controllers=controllers,
                           ftype=values.get("type") or current.get("type"),
                           in_table=len(parts) == 2), (422 if errors else 200)


@bp.post("/forms/<item_code>/fields/<field_path>/move")
@requires(Permission.FORM_DESIGN)
def form_move_field(item_code: str, field_path: str) -> Any:
    item = _item(item_code)
    raw = working_form(db.session, item, now()).raw
    index = int(field_path.split(".")[-1]) if field_path.split(".")[-1].isdigit() else 0
    target = request.form.get("to", "").strip()
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""), 0)
    to = int(target) - 1 if target.isdigit() else index + step
    moved = move_field(raw, field_path, to)
    try:
        _save(item, moved, "已调整字段顺序")
    except ValidationFailed as exc:
        return _refused(item, exc, moved)
    return redirect(url_for("legal.form_design", item_code=item.code))


@bp.post("/forms/<item_code>/reorder")
@requires(Permission.FORM_DESIGN)
def form_reorder(item_code: str) -> Any:
    """The new order of the top-level fields (drag to reorder posts it): positions, comma-separated."""
    item = _item(item_code)
    try:
        order = [int(p) for p in request.form.get("order", "").split(",") if p.strip()]
    except ValueError:
        order = []
    try:
        raw = reorder_fields(working_form(db.session, item, now()).raw, order)
    except ValidationFailed as exc:
        return _refused(item, exc)
    try:
        _save(item, raw, "已调整字段顺序")
    except ValidationFailed as exc:
        return _refused(item, exc, raw)
    return redirect(url_for("legal.form_design", item_code=item.code))


@bp.post("/forms/<item_code>/fields/<field_path>/delete")
@requires(Permission.FORM_DESIGN)
def form_delete_field(item_code: str, field_path: str) -> Any:
    item = _item(item_code)
    raw = working_form(db.session, item, now()).raw
    label = get_field(raw, field_path).get("label")
    smaller = remove_field(raw, field_path)
    try:
        _save(item, smaller, f"已删除字段「{label}」")
    except ValidationFailed as exc:
        return _refused(item, exc, smaller)
    return redirect(url_for("legal.form_design", item_code=item.code))


def _rule_page(item: PowerItem, index: int | None, values: dict[str, str], errors: dict[str, str]) -> Any:
    raw = working_form(db.session, item, now()).raw
    fields = [f for f in raw.get("fields") or [] if isinstance(f, dict) and f.get("type") != FieldType.SECTION.value]
    return render_template("legal/form_rule.html", item=item, index=index, values=values, errors=errors,
                           fields=fields), (422 if errors else 200)


@bp.route("/forms/<item_code>/rules/new", methods=["GET", "POST"])
@requires(Permission.FORM_DESIGN)
def form_new_rule(item_code: str) -> Any:
    """Add an eligibility / cross-field rule."""
    return _rule_view(item_code, None)


@bp.route("/forms/<item_code>/rules/<int:index>", methods=["GET", "POST"])
@requires(Permission.FORM_DESIGN)
def form_rule(item_code: str, index: int) -> Any:
    """Edit one eligibility / cross-field rule."""
    return _rule_view(item_code, index)


def _rule_view(item_code: str, index: int | None) -> Any:
    item = _item(item_code)
    raw = working_form(db.session, item, now()).raw
    rules = raw.get("rules") or []
    if index is not None and not 0 <= index < len(rules):
        raise NotFound("未找到该规则")
    values = {k: str(v) for k, v in (rules[index] if index is not None else {}).items()}
    if request.method == "GET":
        return _rule_page(item, index, values, {})
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    attempted, at = set_rule(raw, index, rule_from_inputs(request.form))
    try:
        _save(item, attempted, "已保存规则")
    except ValidationFailed as exc:
        db.session.rollback()
        details = _details(exc)
        prefix = f"rules[{at}]"
        errors = {path[len(prefix) + 1:] or "_schema": message for path, message in details.items()
                  if path.startswith(prefix + ".")}
        rest = {k: v for k, v in details.items() if not k.startswith(prefix)}
        if rest:
            errors["_schema"] = "；".join(f"{k}：{v}" for k, v in rest.items())
        return _rule_page(item, index, values, errors or {"_schema": exc.message})
    return redirect(url_for("legal.form_design", item_code=item.code) + "#rules")


@bp.post("/forms/<item_code>/rules/<int:index>/delete")
@requires(Permission.FORM_DESIGN)
def form_delete_rule(item_code: str, index: int) -> Any:
    item = _item(item_code)
    smaller = remove_rule(working_form(db.session, item, now()).raw, index)
    try:
        _save(item, smaller, "已删除规则")
    except ValidationFailed as exc:
        return _refused(item, exc)
    return redirect(url_for("legal.form_design", item_code=item.code) + "#rules")


@bp.post("/forms/<item_code>/preview")
@requires(Permission.FORM_DESIGN)
def form_preview(item_code: str) -> Any:
    """Try the working form as an applicant would: the same checks, rules included; nothing is stored."""
    item = _item(item_code)
    definition = load_form_definition(working_form(db.session, item, now()).raw)
    values = parse_html_form(definition, request.form)
    context = SubmissionContext(today=queries.china_today(now()), villages=_villages(_county()))
    try:
        validate_submission(definition, request.form, context=context)
    except ValidationFailed as exc:
        return _page(item, preview_values=values, preview_errors=_details(exc), status=422)
    return _page(item, preview_values=values, preview_ok=True)


@bp.get("/forms/<item_code>/export")
@requires(Permission.FORM_DESIGN)
def form_export(item_code: str) -> Any:
    """The working definition as a JSON file, in the shape ``forms import`` takes."""
    item = _item(item_code)
    text = json.dumps(_document(item, working_form(db.session, item, now()).raw), ensure_ascii=False, indent=2)
    return Response(text + "\n", content_type="application/json; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=form-{item.code}.json"})


@bp.post("/forms/<item_code>/import")
@requires(Permission.FORM_DESIGN)
def form_import(item_code: str) -> Any:
    """Replace the draft with a pasted or uploaded definition (``{"item_code", "definition"}`` or the bare
    definition); checked whole first."""
    item = _item(item_code)
    upload = request.files.get("file")
    text = request.form.get("definition_json", "")
    if upload is not None and upload.filename:
        data = upload.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            return _import_refused(item, "文件过大（最大512KB）", text)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _import_refused(item, "文件不是 UTF-8 编码的 JSON", "")
    if len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
        return _import_refused(item, "内容过长（最大512KB）", "")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return _import_refused(item, f"不是有效的 JSON：第{exc.lineno}行第{exc.colno}列，{exc.msg}", text)
    except RecursionError:
        return _import_refused(item, "JSON 嵌套过深", "")
    if isinstance(document, dict) and "definition" in document:
        if document.get("item_code") not in (None, item.code):
            return _import_refused(item, f"文件是事项 {document.get('item_code')} 的表单，不是 {item.code}", text)
        document = document["definition"]
    if not isinstance(document, dict):
        return _import_refused(item, "应为表单定义对象", text)
    try:
        _save(item, document, "已导入表单定义为草稿")
    except ValidationFailed as exc:
        db.session.rollback()
        flash("未导入：" + exc.message)
        return _page(item, errors=_details(exc), status=422, import_text=text)
    return redirect(url_for("legal.form_design", item_code=item.code))


def _import_refused(item: PowerItem, message: str, text: str) -> Any:
    return _page(item, errors={"definition_json": message}, status=422, import_text=text)


@bp.post("/forms/<item_code>/publish")
@requires(Permission.FORM_DESIGN)
def form_publish(item_code: str) -> Any:
    item = _item(item_code)
    try:
        row = publish_design(db.session, item, actor=current_actor(), now=now())
    except (PermissionDenied, NotFound) as exc:
        db.session.rollback()
        return _page(item, errors={"publish": exc.message}, status=exc.status)
    flash(f"已发布{item.full_name}的申请表单第{row.version}版；此前提交的申请仍按原版本办理")
    return redirect(url_for("legal.form_design", item_code=item.code))


@bp.post("/forms/<item_code>/discard")
@requires(Permission.FORM_DESIGN)
def form_discard(item_code: str) -> Any:
    item = _item(item_code)
    discard_design(db.session, item, actor=current_actor(), now=now())
    flash("已放弃表单草稿")
    return redirect(url_for("legal.form_design", item_code=item.code))


@bp.get("/forms/<item_code>/diff")
@requires(Permission.FORM_DESIGN)
def form_diff(item_code: str) -> Any:
    """Compare two versions (or a version with the generated default, ``generated``)."""
    item = _item(item_code)
    all_versions = form_definition_versions(db.session, item.code)
    old_arg, new_arg = request.args.get("old", ""), request.args.get("new", "")
    changes = None
    if old_arg and new_arg:
        changes = diff_definitions(_version_raw(item, old_arg), _version_raw(item, new_arg))
    return render_template("legal/form_diff.html", item=item, versions=all_versions, changes=changes,
                           old=old_arg, new=new_arg)


def _version_raw(item: PowerItem, which: str) -> dict[str, Any]:
    if which == GENERATED:
        return default_form(item)
    if not which.isdigit():
        raise NotFound("未找到该版本")
    return dict(form_version(db.session, item.code, int(which)).definition)
