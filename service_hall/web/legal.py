"""Legal-affairs pages (司法所 / 法制审核): maintain the county's power list.

Versions are loaded through the actor's county, so an id from another county is simply not found.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from power_lists import jobs as list_jobs
from power_lists import queries, versions
from power_lists.announcements import entrustment_announcements
from power_lists.diff import diff_document, diff_versions
from power_lists.document import dump_item, version_document
from power_lists.errors import ImportRejected
from power_lists.files import FORMATS, MEDIA_TYPES, write_document
from power_lists.models import (
    DELEGATION_MODE_LABELS,
    ONLINE_DEPTH_LABELS,
    POWER_TYPE_LABELS,
    CaseType,
    PowerListVersion,
)
from power_lists.tabular import COLUMNS, column_for_path, item_to_row, write_delegation_lines
from service_hall.accounts.permissions import Permission
from service_hall.core.errors import Conflict, NotFound, ValidationFailed
from service_hall.core.problems import Problem
from service_hall.extensions import db, file_store
from service_hall.files.jobs import own_job
from service_hall.search import aliases
from service_hall.search.misses import misses as search_misses_list
from service_hall.web import job_pages, legal_outcomes
from service_hall.web.access import current_actor, now, requires

bp = Blueprint("legal", __name__)

_PATH_BY_HEADER = {c.header: c.path for c in COLUMNS if c.path}


def _county() -> Any:
    return versions.county_for(db.session, current_actor())


def _version(version_id: int) -> PowerListVersion:
    return queries.get_version(db.session, version_id, county_id=_county().id)


def _errors(exc: ValidationFailed) -> dict[str, str]:
    """Problems keyed by the form input they belong to."""
    if isinstance(exc, ImportRejected):
        out: dict[str, str] = {}
        for p in exc.problems:
            column = (p.column or "_schema").split("[")[0]
            key = _PATH_BY_HEADER.get(column) or _PATH_BY_HEADER.get(column_for_path(column)) or column
            key = {"accountability_basis": "accountability"}.get(key, key)
            out[key] = f"{out[key]}；{p.message}" if key in out else p.message
        return out
    if isinstance(exc.details, dict):
        return {str(k): str(v) for k, v in exc.details.items()}
    return {"_schema": exc.message}


@bp.get("/")
@requires(Permission.POWER_LIST_READ)
def index() -> Any:
    county = _county()
    today = queries.china_today(now())
    return render_template("legal/index.html", county=county, versions=queries.versions(db.session, county.id),
                           in_force=queries.version_in_force(db.session, county.id, today),
                           open_version=queries.open_version(db.session, county.id))


@bp.post("/versions")
@requires(Permission.POWER_LIST_EDIT)
def create_draft() -> Any:
    version = versions.create_draft(db.session, _county(), actor=current_actor(), now=now())
    flash(f"已新建{version.label}草稿（复制自最新发布的版本）")
    return redirect(url_for("legal.version", version_id=version.id))


@bp.get("/versions/<int:version_id>")
@requires(Permission.POWER_LIST_READ)
def version(version_id: int) -> Any:
    ver = _version(version_id)
    county = ver.county
    text, power_type, town = (request.args.get(k, "").strip() for k in ("q", "type", "town"))
    towns = versions.town_directory(db.session, county).by_code
    town_id = next((j.id for j in county.children if j.code == town), -1) if town else None
    items = queries.search_items(db.session, ver.id, text=text, power_type=power_type, town_id=town_id)
    return render_template("legal/version.html", version=ver, items=items, towns=towns,
                           power_types=POWER_TYPE_LABELS, modes=DELEGATION_MODE_LABELS,
                           args={"q": text, "type": power_type, "town": town}, formats=FORMATS,
                           announcements=entrustment_announcements(
                               ver, queries.versions(db.session, ver.county_id, published_only=True))
                           if ver.is_frozen else [])


@bp.get("/versions/<int:version_id>/items/<int:item_id>")
@requires(Permission.POWER_LIST_READ)
def item(version_id: int, item_id: int) -> Any:
    ver = _version(version_id)
    found = versions.get_item_in_version(db.session, ver, item_id)
    return render_template("legal/item.html", version=ver, item=found, modes=DELEGATION_MODE_LABELS)


def _form_context(ver: PowerListVersion, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {"version": ver, "values": values, "errors": errors,
            "power_type_options": [(t.value, label) for t, label in POWER_TYPE_LABELS.items()],
            "mode_options": [(m.value, label) for m, label in DELEGATION_MODE_LABELS.items()],
            "case_types": {c.value: c.label for c in CaseType},
            "depth_options": [(str(n), label) for n, label in ONLINE_DEPTH_LABELS.items()]}


def _cells_from_form() -> dict[str, str]:
    cells = {c.path: request.form.get(c.path, "") for c in COLUMNS if c.path}
    for flag in ("accepts_applications", "two_reviewers", "separate_decider", "guide.fee_charged",
                 "guide.pledge_allowed"):
        cells[flag] = "是" if request.form.get(flag) else "否"
    if not request.form.get("has_guide"):
        cells = {k: v for k, v in cells.items() if not k.startswith("guide.")}
    return cells


@bp.route("/versions/<int:version_id>/items/new", methods=["GET", "POST"])
@requires(Permission.POWER_LIST_EDIT)
def new_item(version_id: int) -> Any:
    ver = _version(version_id)
    versions.require_draft(ver)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"has_guide": "", "guide.visits": "0", "guide.online_depth": "4"}
    if request.method == "POST":
        values = dict(request.form)
        try:
            raw = versions.raw_item_from_cells(db.session, ver.county, _cells_from_form())
            created = versions.add_item(db.session, ver, raw, actor=current_actor(), now=now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = _errors(exc)
        else:
            flash(f"已添加事项 {created.code} {created.full_name}")
            return redirect(url_for("legal.item", version_id=ver.id, item_id=created.id))
    return render_template("legal/item_form.html", **_form_context(ver, values, errors)), (422 if errors else 200)


@bp.route("/versions/<int:version_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@requires(Permission.POWER_LIST_EDIT)
def edit_item(version_id: int, item_id: int) -> Any:
    ver = _version(version_id)
    found = versions.get_item_in_version(db.session, ver, item_id)
    versions.require_draft(ver)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values: dict[str, Any] = dict(request.form)
        try:
            raw = versions.raw_item_from_cells(db.session, ver.county, _cells_from_form())
            versions.update_item(db.session, found, raw, actor=current_actor(), now=now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = _errors(exc)
        else:
            flash(f"已保存事项 {found.code}")
            return redirect(url_for("legal.item", version_id=ver.id, item_id=found.id))
    else:
        data = dump_item(found)
        row = item_to_row(data, found.position)
        values = {c.path: ("" if v is None else str(v)) for c, v in zip(COLUMNS, row, strict=True) if c.path}
        values["power_type"], values["delegation_mode"] = data["power_type"], data["delegation_mode"]
        values["delegations"] = write_delegation_lines(data["delegations"])
        if data["guide"]:
            values["has_guide"] = "1"
            values["guide.case_type"] = data["guide"]["case_type"]
            values["guide.online_depth"] = str(data["guide"]["online_depth"])
    return render_template("legal/item_form.html", item=found, **_form_context(ver, values, errors)), \
        (422 if errors else 200)


@bp.post("/versions/<int:version_id>/items/<int:item_id>/revoke")
@requires(Permission.POWER_LIST_EDIT)
def revoke_item(version_id: int, item_id: int) -> Any:
    ver = _version(version_id)
    found = versions.get_item_in_version(db.session, ver, item_id)
    code, name = found.code, found.full_name
    versions.revoke_item(db.session, found, request.form.get("reason", ""), actor=current_actor(), now=now())
    flash(f"已从草稿中取消事项 {code} {name}")
    return redirect(url_for("legal.version", version_id=ver.id))


@bp.post("/versions/<int:version_id>/submit")
@requires(Permission.POWER_LIST_EDIT)
def submit(version_id: int) -> Any:
    ver = _version(version_id)
    versions.submit_for_review(db.session, ver, actor=current_actor(), now=now())
    flash(f"{ver.label}已提交法制审核，须由另一名法制审核人员审核发布")
    return redirect(url_for("legal.version", version_id=ver.id))


@bp.post("/versions/<int:version_id>/discard")
@requires(Permission.POWER_LIST_EDIT)
def discard(version_id: int) -> Any:
    ver = _version(version_id)
    label = ver.label
    versions.discard_draft(db.session, ver, actor=current_actor(), now=now())
    flash(f"已放弃{label}草稿")
    return redirect(url_for("legal.index"))


@bp.route("/versions/<int:version_id>/review", methods=["GET", "POST"])
@requires(Permission.POWER_LIST_PUBLISH)
def review(version_id: int) -> Any:
    ver = _version(version_id)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = dict(request.form)
        decision = request.form.get("decision")
        try:
            if decision == "reject":
                versions.reject(db.session, ver, request.form.get("comment", ""), actor=current_actor(), now=now())
            elif decision == "publish":
                effective = _date(request.form.get("effective_from", ""))
                versions.publish(db.session, ver, effective, actor=current_actor(), now=now(),
                                 comment=request.form.get("comment", ""))
            else:
                raise ValidationFailed("请选择审核结论", details={"decision": "请选择“审核通过并发布”或“退回修改”"})
        except ValidationFailed as exc:
            db.session.rollback()
            errors = _errors(exc)
        else:
            flash(f"{ver.label}已发布，自{ver.effective_from}起生效" if decision == "publish"
                  else f"{ver.label}已退回修改")
            return redirect(url_for("legal.version", version_id=ver.id))
    base = queries.previous_published(db.session, ver)
    return render_template("legal/review.html", version=ver, diff=diff_versions(db.session, base, ver),
                           errors=errors, values=values), (422 if errors else 200)


def _date(text: str) -> dt.date | None:
    """Raises ValidationFailed for a malformed date."""
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        message = "生效日期格式应为 YYYY-MM-DD"
        raise ValidationFailed(message, details={"effective_from": message}) from None


@bp.get("/versions/<int:version_id>/export/<fmt>")
@requires(Permission.POWER_LIST_READ)
def export(version_id: int, fmt: str) -> Any:
    if fmt not in FORMATS:
        abort(404)
    ver = _version(version_id)
    data = write_document(version_document(ver), fmt)  # type: ignore[arg-type]
    filename = f"power-list-{ver.county.code}-v{ver.number}.{fmt}"
    return Response(data, content_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.post("/versions/<int:version_id>/exports")
@requires(Permission.POWER_LIST_READ)
def export_job(version_id: int) -> Any:
    """Export the version as a file made in the background; the same export is never run twice at once."""
    job, created = list_jobs.request_export(db.session, owner=current_actor(), county_id=_county().id,
                                            version_id=version_id, fmt=request.form.get("format", ""), now=now())
    job_pages.start(job, created, joined="同一导出正在生成，无需重复提交")
    return redirect(url_for("legal.export_status", job_id=job.id))


@bp.get("/exports/<int:job_id>")
@requires(Permission.POWER_LIST_READ)
def export_status(job_id: int) -> Any:
    job = own_job(db.session, current_actor().id, job_id, kinds=(list_jobs.KIND,))
    ver = _version(int(job.params["version_id"]))
    return job_pages.status_page("legal/job.html", job, title=f"导出{ver.label}（{job.kind.split('.')[1].upper()}）",
                                 back_url=url_for("legal.version", version_id=ver.id), back_label=ver.label,
                                 download_url=url_for("legal.export_download", job_id=job.id))


@bp.get("/exports/<int:job_id>/download")
@requires(Permission.POWER_LIST_READ)
def export_download(job_id: int) -> Any:
    return job_pages.download(own_job(db.session, current_actor().id, job_id, kinds=(list_jobs.KIND,)))


@bp.get("/diff")
@requires(Permission.POWER_LIST_READ)
def diff() -> Any:
    county = _county()
    all_versions = queries.versions(db.session, county.id)
    old_id, new_id = request.args.get("old", type=int), request.args.get("new", type=int)
    result = None
    if old_id and new_id:
        result = diff_versions(db.session, queries.get_version(db.session, old_id, county_id=county.id),
                               queries.get_version(db.session, new_id, county_id=county.id))
    return render_template("legal/diff.html", versions=all_versions, diff=result, old_id=old_id, new_id=new_id)


@bp.route("/import", methods=["GET", "POST"])
@requires(Permission.POWER_LIST_EDIT)
def upload() -> Any:
    """Upload a list file; it is checked in the background (a big list takes a while) and its preview
    follows (docs/architecture.md, "Long work in the worker")."""
    county = _county()
    if request.method == "POST":
        upload_file = request.files.get("file")
        if upload_file is None or not upload_file.filename:
            return _import_page(county, "请选择要导入的文件", [])
        job, created = list_jobs.request_import(db.session, file_store().scoped(list_jobs.UPLOADS),
                                                owner=current_actor(), county=county, filename=upload_file.filename,
                                                content=upload_file.read(), now=now())
        job_pages.start(job, created, joined="同一文件正在校验，无需重复上传")
        return redirect(url_for("legal.import_job", job_id=job.id))
    return _import_page(county, "", [])


def _import_page(county: Any, message: str, problems: list[Any]) -> Any:
    return render_template("legal/import.html", message=message, problems=problems,
                           open_version=queries.open_version(db.session, county.id)), (422 if message else 200)


@bp.get("/import/jobs/<int:job_id>")
@requires(Permission.POWER_LIST_EDIT)
def import_job(job_id: int) -> Any:
    """The import's progress; once checked, its preview, or every problem by row and column."""
    job = own_job(db.session, current_actor().id, job_id, kinds=(list_jobs.KIND,))
    outcome = job.outcome or {}
    if "token" in outcome:
        return redirect(url_for("legal.import_preview", token=outcome["token"]))
    if "problems" in outcome:
        return _import_page(_county(), outcome["message"], [Problem(p["message"], p["row"], p["column"], p["unit"])
                                                            for p in outcome["problems"]])
    return job_pages.status_page("legal/job.html", job, title="导入清单文件",
                                 back_url=url_for("legal.upload"), back_label="导入清单")


@bp.get("/import/<token>")
@requires(Permission.POWER_LIST_EDIT)
def import_preview(token: str) -> Any:
    pending = versions.pending_import(db.session, token, actor=current_actor(), now=now())
    base = queries.latest_published(db.session, pending.county_id)
    return render_template("legal/import_preview.html", pending=pending, token=token,
                           diff=diff_document(base, pending.document), count=len(pending.document["items"]),
                           open_version=queries.open_version(db.session, pending.county_id))


@bp.post("/import/<token>/confirm")
@requires(Permission.POWER_LIST_EDIT)
def import_confirm(token: str) -> Any:
    created = versions.confirm_import(db.session, token, actor=current_actor(), now=now())
    flash(f"已导入为{created.label}草稿，共 {len(created.items)} 个事项")
    return redirect(url_for("legal.version", version_id=created.id))


# --- readiness and the 办事指南 layer -------------------------------------------------------------------

@bp.get("/readiness")
@requires(Permission.POWER_LIST_READ)
def readiness() -> Any:
    """Which application-type items are open for online applications, and what the others lack."""
    from power_lists.readiness import readiness_report

    county = _county()
    report = readiness_report(db.session, county, now=now())
    return render_template("legal/readiness.html", county=county, report=report,
                           draft=queries.open_version(db.session, county.id))


_GUIDE_INPUTS = [c for c in COLUMNS if c.path.startswith("guide.")]


@bp.route("/versions/<int:version_id>/items/<int:item_id>/guide", methods=["GET", "POST"])
@requires(Permission.POWER_LIST_EDIT)
def edit_guide(version_id: int, item_id: int) -> Any:
    """Complete one draft item's 办事指南 (the change is reviewed and published with the draft)."""
    from power_lists.guides import guide_from_cells, update_guide

    ver = _version(version_id)
    found = versions.get_item_in_version(db.session, ver, item_id)
    versions.require_draft(ver)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values: dict[str, Any] = dict(request.form)
        cells = {c.path: request.form.get(c.path, "") for c in _GUIDE_INPUTS}
        for flag in ("guide.fee_charged", "guide.pledge_allowed"):
            cells[flag] = "是" if request.form.get(flag) else "否"
        raw, problems = guide_from_cells(cells)
        try:
            if problems:
                raise ImportRejected(problems, message="办事指南有误，请按提示修改")
            update_guide(db.session, found, raw, actor=current_actor(), now=now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = _guide_errors(exc)
        else:
            flash(f"已保存{found.full_name}的办事指南（随{ver.label}审核发布后生效）")
            return redirect(url_for("legal.item", version_id=ver.id, item_id=found.id))
    else:
        row = item_to_row(dump_item(found), found.position)
        values = {c.path: ("" if v is None else str(v)) for c, v in zip(COLUMNS, row, strict=True)
                  if c.path.startswith("guide.")}
        guide = found.guide or {}
        values["guide.case_type"] = guide.get("case_type") or ""
        values["guide.online_depth"] = str(guide.get("online_depth") or "")
        values["guide.fee_charged"] = "1" if guide.get("fee_charged") else ""
        values["guide.pledge_allowed"] = "1" if guide.get("pledge_allowed") else ""
    return render_template("legal/guide_form.html", version=ver, item=found, values=values, errors=errors,
                           case_types=[(c.value, c.label) for c in CaseType],
                           depth_options=[(str(n), label) for n, label in ONLINE_DEPTH_LABELS.items()]), \
        (422 if errors else 200)


def _guide_errors(exc: ValidationFailed) -> dict[str, str]:
    """Guide problems keyed by the form input (``guide.<field>``)."""
    if not isinstance(exc, ImportRejected):
        return _errors(exc)
    by_label = {c.header: c.path for c in _GUIDE_INPUTS}
    by_label.update({a: c.path for c in _GUIDE_INPUTS for a in c.aliases})
    out: dict[str, str] = {}
    for p in exc.problems:
        column = (p.column or "").split("[")[0]
        key = by_label.get(column) or (f"guide.{column}" if column else "_schema")
        out[key] = f"{out[key]}；{p.message}" if key in out else p.message
    return out


# --- 常用说法 (search aliases) and the queries that found nothing -------------------------------------


def _alias_page(values: dict[str, str], errors: dict[str, str], status: int = 200) -> Any:
    county = _county()
    latest = queries.latest_published(db.session, county.id)
    items = latest.items if latest else []
    grouped = aliases.aliases_by_code(db.session, county.id)
    return render_template("legal/aliases.html", county=county, items=items, grouped=grouped,
                           names={i.code: i.full_name for i in items}, values=values, errors=errors), status


@bp.get("/aliases")
@requires(Permission.POWER_LIST_READ)
def search_aliases() -> Any:
    """Everyday words per item, used by the public search."""
    return _alias_page({"item_code": request.args.get("item_code", ""), "alias": request.args.get("alias", "")}, {})


@bp.post("/aliases")
@requires(Permission.POWER_LIST_EDIT)
def add_search_alias() -> Any:
    values = {"item_code": request.form.get("item_code", "").strip(), "alias": request.form.get("alias", "")}
    try:
        row = aliases.add_alias(db.session, _county(), values["item_code"], values["alias"], actor=current_actor(),
                                now=now())
    except (ValidationFailed, NotFound, Conflict) as exc:
        db.session.rollback()
        details = exc.details if isinstance(exc.details, dict) else {"alias": exc.message}
        return _alias_page(values, details, 422)
    flash(f"已为 {row.item_code} 添加常用说法“{row.alias}”")
    return redirect(url_for("legal.search_aliases"))


@bp.post("/aliases/delete")
@requires(Permission.POWER_LIST_EDIT)
def remove_search_alias() -> Any:
    try:
        alias_id = int(request.form.get("alias_id", ""))
    except ValueError:
        raise NotFound("未找到该常用说法") from None
    code = aliases.remove_alias(db.session, _county(), alias_id, actor=current_actor(), now=now())
    flash(f"已删除 {code} 的一个常用说法")
    return redirect(url_for("legal.search_aliases"))


@bp.get("/search-misses")
@requires(Permission.POWER_LIST_READ)
def search_misses() -> Any:
    """Queries that found nothing (no personal data), most frequent first, to add aliases for."""
    return render_template("legal/search_misses.html", misses=search_misses_list(db.session))


# What each item decides and issues: decision content and certificate types (docs/architecture.md).
legal_outcomes.register(bp)
