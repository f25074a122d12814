"""Administration: staff accounts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from service_hall.accounts.operations import (
    add_staff,
    reset_password,
    set_active,
    staff_account,
    staff_accounts,
    unlock,
)
from service_hall.accounts.permissions import Permission, Role
from service_hall.core.errors import ValidationFailed
from service_hall.extensions import db
from service_hall.jurisdictions.operations import all_jurisdictions
from service_hall.web.access import current_actor, now, requires
from service_hall.web.forms_util import form_values

bp = Blueprint("admin", __name__)


@bp.route("/users", methods=["GET", "POST"])
@requires(Permission.USER_MANAGE)
def users() -> Any:
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            user = add_staff(db.session, request.form, actor=current_actor(), now=now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.details or {"_schema": exc.message}
        else:
            flash(f"已创建账号 {user.username}")
            return redirect(url_for("admin.users"))
    staff = staff_accounts(db.session)
    jurisdictions = all_jurisdictions(db.session)
    roles = [r for r in Role if r is not Role.APPLICANT]
    return render_template("admin/users.html", staff=staff, errors=errors, values=form_values(),
                           roles=roles, jurisdictions=jurisdictions), (422 if errors else 200)


@bp.post("/users/<int:user_id>/active")
@requires(Permission.USER_MANAGE)
def toggle_active(user_id: int) -> Any:
    active = request.form.get("active") == "1"
    if not active and request.form.get("confirm") != "1":
        raise ValidationFailed("请勾选“确认停用”后再停用账号",
                               details={"confirm": "停用后该账号将无法登录，请勾选确认"})
    user = set_active(db.session, user_id, active, actor=current_actor(), now=now())
    flash(("已启用 " if active else "已停用 ") + user.username)
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset-password")
@requires(Permission.USER_MANAGE)
def reset_user_password(user_id: int) -> Any:
    """Give a staff account a temporary password that must be changed at the next sign-in (the same
    domain function as ``flask users reset-password``)."""
    user = staff_account(db.session, user_id)
    temporary = reset_password(db.session, user.username, actor=current_actor(), now=now())
    flash(f"已重置 {user.username} 的密码。临时密码（仅显示这一次，请当面告知）：{temporary}")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/unlock")
@requires(Permission.USER_MANAGE)
def unlock_user(user_id: int) -> Any:
    """Clear an account's sign-in throttling (service_hall/accounts/throttle.py)."""
    user = unlock(db.session, user_id, actor=current_actor(), now=now())
    flash(f"已解除 {user.username} 的登录限制")
    return redirect(url_for("admin.users"))


@bp.route("/calendar", methods=["GET", "POST"])
@requires(Permission.CALENDAR_MANAGE)
def calendar() -> Any:
    """The administrator-maintained calendar: holiday notices for years the package does not cover yet,
    or corrections."""
    from service_hall.calendar.entry import enter_calendar
    from service_hall.calendar.models import calendar_days
    from service_hall.calendar.working_days import covered_years

    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            entries = enter_calendar(db.session, request.form.get("lines", ""), actor=current_actor(), now=now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.details or {"lines": exc.message}
        else:
            flash(f"已录入 {len(entries)} 天的节假日安排")
            _restate_deadlines()
            return redirect(url_for("admin.calendar"))
    days = calendar_days(db.session)
    package = covered_years()
    return render_template("admin/calendar.html", days=days, errors=errors, values=form_values(),
                           package_years=f"{package.start}–{package.stop - 1}"), (422 if errors else 200)


@bp.post("/calendar/<day>/delete")
@requires(Permission.CALENDAR_MANAGE)
def calendar_delete(day: str) -> Any:
    from service_hall.calendar.entry import remove_calendar_entry

    date = remove_calendar_entry(db.session, day, actor=current_actor(), now=now())
    flash(f"已删除 {date} 的录入，恢复为官方日历或周末规则")
    _restate_deadlines()
    return redirect(url_for("admin.calendar"))


def _restate_deadlines() -> None:
    """The calendar changed: open deadlines that rested on guessed days are recomputed, and the notices
    that stated a date that moved are listed, so that the applicants can be told."""
    from service_hall.calendar.working_days import WorkingCalendar
    from service_hall.cases.accountability import recompute_provisional_deadlines

    db.session.flush()
    moved = recompute_provisional_deadlines(db.session, WorkingCalendar.from_session(db.session), now())
    if not moved:
        return
    flash(f"已按新的日历重新计算 {len(moved)} 件办件的期限。")
    stated = [m for m in moved if m.notice is not None]
    if stated:
        flash("以下文书所载期限已变化，请书面告知申请人调整后的日期：" + "；".join(
            f"{m.notice.number}（{m.case.case_number}：{m.before} → {m.after}）" for m in stated if m.notice))


# --- Going live: jurisdictions and staff from files (preview, then confirm) --------------------------

_NO_STORE = {"Cache-Control": "no-store"}


def _problems_page(template: str, exc: Any, **context: Any) -> Any:
    db.session.rollback()
    problems = getattr(exc, "problems", None) or []
    return render_template(template, message=exc.message, problems=problems, plan=None, token=None,
                           **context), 422


@bp.route("/jurisdictions/import", methods=["GET", "POST"])
@requires(Permission.JURISDICTION_MANAGE)
def jurisdictions_import() -> Any:
    """Upload a jurisdictions file and see what it would change; nothing is written here."""
    from service_hall.jurisdictions.imports import preview_import
    from service_hall.jurisdictions.operations import counties_overview
    from service_hall.web.staged_uploads import read_upload, stage

    template = "admin/jurisdictions_import.html"
    overview = counties_overview(db.session)
    if request.method == "GET":
        return render_template(template, overview=overview, plan=None, token=None, message=None, problems=[])
    try:
        filename, content = read_upload(request.files.get("file"))
        plan = preview_import(db.session, filename, content, now=now())
    except ValidationFailed as exc:
        return _problems_page(template, exc, overview=overview)
    db.session.rollback()  # the preview wrote nothing; make sure nothing lingers
    token = stage("jurisdictions", filename, content, user_id=current_actor().id, fingerprint=plan.fingerprint)
    return render_template(template, overview=overview, plan=plan, token=token, filename=filename,
                           message=None, problems=[])


@bp.post("/jurisdictions/import/confirm")
@requires(Permission.JURISDICTION_MANAGE)
def jurisdictions_confirm() -> Any:
    from service_hall.jurisdictions.imports import import_jurisdictions
    from service_hall.web.staged_uploads import unstage

    staged = unstage("jurisdictions", request.form.get("token", ""), user_id=current_actor().id)
    plan = import_jurisdictions(db.session, staged.filename, staged.content, now=now(), actor=current_actor(),
                                expected=staged.fingerprint)
    counts = plan.counts
    flash(f"已导入{plan.county_name}的区划：新增 {counts['added']}，更名 {counts['renamed']}，"
          f"改变隶属 {counts['moved']}，撤销 {counts['closed']}，恢复 {counts['reopened']}，未变 {counts['unchanged']}")
    return redirect(url_for("admin.jurisdictions_import"))


@bp.get("/jurisdictions/export")
@requires(Permission.JURISDICTION_MANAGE)
def jurisdictions_export() -> Any:
    from flask import Response

    from service_hall.jurisdictions.imports import export_jurisdictions

    fmt = "xlsx" if request.args.get("format") == "xlsx" else "csv"
    content = export_jurisdictions(db.session, fmt, county_code=request.args.get("county") or None)
    media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
             else "text/csv; charset=utf-8")
    return Response(content, mimetype=media,
                    headers={"Content-Disposition": f"attachment; filename=jurisdictions.{fmt}"})


@bp.route("/users/import", methods=["GET", "POST"])
@requires(Permission.USER_MANAGE)
def users_import() -> Any:
    """Upload a staff file and see the accounts it would create or update; nothing is written here."""
    from service_hall.accounts.imports import preview_staff_import, roles_help
    from service_hall.web.staged_uploads import read_upload, stage

    template = "admin/users_import.html"
    if request.method == "GET":
        return render_template(template, plan=None, token=None, message=None, problems=[], roles_help=roles_help())
    try:
        filename, content = read_upload(request.files.get("file"))
        plan = preview_staff_import(db.session, filename, content, now=now())
    except ValidationFailed as exc:
        return _problems_page(template, exc, roles_help=roles_help())
    db.session.rollback()
    token = stage("staff", filename, content, user_id=current_actor().id, fingerprint=plan.fingerprint)
    return render_template(template, plan=plan, token=token, filename=filename, message=None, problems=[],
                           roles_help=roles_help())


@bp.post("/users/import/confirm")
@requires(Permission.USER_MANAGE)
def users_import_confirm() -> Any:
    """Create the accounts and show their initial passwords, this once (the response is not cached)."""
    from service_hall.accounts.imports import import_staff
    from service_hall.web.staged_uploads import unstage

    staged = unstage("staff", request.form.get("token", ""), user_id=current_actor().id)
    result = import_staff(db.session, staged.filename, staged.content, now=now(), actor=current_actor(),
                          expected=staged.fingerprint)
    return render_template("admin/users_imported.html", result=result), 200, _NO_STORE


# --- offices (县级部门) and town service windows ------------------------------------------------------

def _admin_county() -> Any:
    from power_lists.versions import county_for

    return county_for(db.session, current_actor())


@bp.route("/offices", methods=["GET", "POST"])
@requires(Permission.OFFICE_MANAGE)
def offices() -> Any:
    """The county's offices (created by import, from the list, or here) and the towns' service windows."""
    from service_hall.offices.operations import offices_of, save_office, windows_of

    county = _admin_county()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            office = save_office(db.session, county, request.form, actor=current_actor(), now=now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.details or {"_schema": exc.message}
        else:
            flash(f"已添加部门 {office.name}")
            return redirect(url_for("admin.offices"))
    towns = [t for t in county.children if t.level.value == "town"]
    return render_template("admin/offices.html", county=county, offices=offices_of(db.session, county),
                           towns=towns, windows=windows_of(db.session, towns), errors=errors,
                           values=form_values()), (422 if errors else 200)


@bp.route("/offices/<int:office_id>", methods=["GET", "POST"])
@requires(Permission.OFFICE_MANAGE)
def office(office_id: int) -> Any:
    from service_hall.offices.operations import get_office, save_office

    county = _admin_county()
    found = get_office(db.session, county, office_id)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"name": found.name, "short_name": found.short_name, "credit_code": found.credit_code,
                              "seal_text": found.seal_text}
    if request.method == "POST":
        values = form_values()
        try:
            save_office(db.session, county, request.form, actor=current_actor(), now=now(), office=found)
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.details or {"_schema": exc.message}
        else:
            flash(f"已保存部门 {found.name}")
            return redirect(url_for("admin.offices"))
    return render_template("admin/office.html", office=found, errors=errors, values=values), (422 if errors else 200)


@bp.post("/windows")
@requires(Permission.OFFICE_MANAGE)
def save_window() -> Any:
    from service_hall.core.errors import NotFound
    from service_hall.offices.operations import save_window as save

    county = _admin_county()
    town = next((t for t in county.children if t.code == request.form.get("town_code")), None)
    if town is None:
        raise NotFound("未找到该乡镇（街道）")
    try:
        save(db.session, town, request.form, actor=current_actor(), now=now())
    except ValidationFailed as exc:
        db.session.rollback()
        flash(f"{town.name}：" + "；".join((exc.details or {"_schema": exc.message}).values()))
        return redirect(url_for("admin.offices"))
    flash(f"已保存{town.name}便民服务窗口")
    return redirect(url_for("admin.offices"))
