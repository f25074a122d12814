"""Legal affairs' 一件事 designer: draft a bundle (theme, items, their order), see where every field and
material of the items' forms goes in the composed form, resolve conflicts, publish (a second person).

Bundles are loaded through the actor's county, so an id from another county is simply not found.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from power_lists.readiness import open_items
from power_lists.versions import county_for
from service_hall.accounts.permissions import Permission
from service_hall.bundles import catalogue, versions
from service_hall.bundles.composition import SEPARATE, compose
from service_hall.bundles.models import THEME_LABELS, Bundle, BundleStatus
from service_hall.core.errors import ValidationFailed
from service_hall.extensions import db
from service_hall.jurisdictions.models import Jurisdiction
from service_hall.jurisdictions.operations import towns
from service_hall.web.access import current_actor, now, requires

bp = Blueprint("bundle_legal", __name__)
ITEM_ROWS = 6  # item rows offered on the page (the rest stay empty)


def _county() -> Jurisdiction:
    return county_for(db.session, current_actor())


def _choices(county: Jurisdiction) -> list[Any]:
    """Application items open in at least one town of the county, once each by code."""
    seen: dict[str, Any] = {}
    for town in towns(db.session):
        if town.county.id == county.id:
            for item in open_items(db.session, town, now=now()):
                seen.setdefault(item.code, item)
    return sorted(seen.values(), key=lambda i: i.position)


def _raw_from_form(bundle: Bundle | None) -> dict[str, Any]:
    form = request.form
    items = []
    for i in range(ITEM_ROWS):
        code = form.get(f"item-{i}", "").strip()
        if code:
            items.append({"code": code, "after": [a for a in form.getlist(f"after-{i}") if a and a != code]})
    raw: dict[str, Any] = {"code": form.get("code", "").strip() or (bundle.code if bundle else ""),
                           "name": form.get("name", ""), "theme": form.get("theme", ""),
                           "description": form.get("description", ""), "towns": form.getlist("towns"), "items": items}
    if bundle is not None:
        raw.update(_mapping_from_form(bundle))
    return raw


def _mapping_from_form(bundle: Bundle) -> dict[str, Any]:
    """The designer's choices, kept only where they differ from the catalogue's suggestion."""
    forms = [m.form for m in versions.members(db.session, bundle, now()) if m.form is not None]
    suggested = {(p.item_code, p.kind, p.name): p.key for p in compose(bundle.name, forms).placements}
    field_map: dict[str, dict[str, str]] = {}
    material_map: dict[str, dict[str, str]] = {}
    for (code, kind, name), key in suggested.items():
        posted = request.form.get(f"map|{kind}|{code}|{name}")
        if posted is None or posted == key:
            continue
        (field_map if kind == "field" else material_map).setdefault(code, {})[name] = posted
    resolutions = {k.removeprefix("resolve|"): v for k, v in request.form.items() if k.startswith("resolve|") and v}
    return {"field_map": field_map, "material_map": material_map, "resolutions": resolutions}


def _render(county: Jurisdiction, bundle: Bundle | None, errors: dict[str, str] | None = None,
            status: int = 200, values: dict[str, Any] | None = None) -> Any:
    comp = versions.composition(db.session, bundle, now()) if bundle is not None else None
    problems = (versions.problems(db.session, bundle, now())
                if bundle is not None and bundle.status is BundleStatus.DRAFT else {})
    return render_template(
        "bundles/legal_edit.html", county=county, bundle=bundle, comp=comp, problems=problems, errors=errors or {},
        values=values or {}, themes=THEME_LABELS, towns=[t for t in towns(db.session) if t.county.id == county.id],
        choices=_choices(county), rows=ITEM_ROWS, fields_catalogue=catalogue.FIELDS,
        materials_catalogue=catalogue.MATERIALS, SEPARATE=SEPARATE,
        versions=[b for b in versions.bundles_of(db.session, county) if bundle is not None and b.code == bundle.code],
    ), status


@bp.get("/")
@requires(Permission.POWER_LIST_READ)
def index() -> Any:
    county = _county()
    return render_template("bundles/legal_index.html", county=county, bundles=versions.bundles_of(db.session, county),
                           in_force={b.id for b in versions.in_force(db.session, county, now())})


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.POWER_LIST_EDIT)
def new() -> Any:
    county = _county()
    if request.method == "GET":
        return _render(county, None)
    try:
        draft = versions.save_draft(db.session, county, _raw_from_form(None), actor=current_actor(), now=now())
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(county, None, exc.details or {"_schema": str(exc)}, 422, values=request.form.to_dict())
    flash("草稿已保存，请核对表单合并情况后提交另一位法制审核人员发布")
    return redirect(url_for("bundle_legal.bundle", bundle_id=draft.id))


@bp.route("/<int:bundle_id>", methods=["GET", "POST"])
@requires(Permission.POWER_LIST_READ)
def bundle(bundle_id: int) -> Any:
    county = _county()
    found = versions.get_bundle(db.session, county, bundle_id)
    if request.method == "GET":
        return _render(county, found)
    actor = current_actor()
    if not actor.can(Permission.POWER_LIST_EDIT):
        from service_hall.core.errors import PermissionDenied

        raise PermissionDenied("无权修改一件事")
    try:
        draft = versions.save_draft(db.session, county, _raw_from_form(found), actor=actor, now=now())
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(county, found, exc.details or {"_schema": str(exc)}, 422)
    flash("已保存" if draft.id == found.id else f"已基于第{found.version}版新建草稿（第{draft.version}版）")
    return redirect(url_for("bundle_legal.bundle", bundle_id=draft.id))


@bp.post("/<int:bundle_id>/publish")
@requires(Permission.POWER_LIST_PUBLISH)
def publish(bundle_id: int) -> Any:
    county = _county()
    found = versions.get_bundle(db.session, county, bundle_id)
    try:
        versions.publish(db.session, found, actor=current_actor(), now=now())
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(county, versions.get_bundle(db.session, county, bundle_id), exc.details, 422)
    flash(f"“{found.name}”第{found.version}版已发布，即日起在办事指南“一件事”栏目公开")
    return redirect(url_for("bundle_legal.bundle", bundle_id=found.id))
