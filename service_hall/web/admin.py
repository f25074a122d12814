"""Administration: staff accounts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from service_hall.accounts.operations import create_staff, reset_password, set_active, staff_accounts, unlock
from service_hall.accounts.permissions import Permission, Role
from service_hall.audit.trail import record
from service_hall.core.errors import ValidationFailed
from service_hall.extensions import db
from service_hall.jurisdictions.operations import all_jurisdictions
from service_hall.web.access import current_actor, now, requires, wall_clock
from service_hall.web.forms_util import form_values

bp = Blueprint("admin", __name__)


@bp.route("/users", methods=["GET", "POST"])
@requires(Permission.USER_MANAGE)
def users() -> Any:
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            user = create_staff(db.session, request.form, now=now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.details or {"_schema": exc.message}
        else:
            record(db.session, actor=current_actor(), action="user.create", object_type="user",
                   object_id=user.id, now=now(), payload={"username": user.username, "role": str(user.role)})
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
    user = set_active(db.session, user_id, active, now=wall_clock())
    record(db.session, actor=current_actor(), action="user.activate" if active else "user.deactivate",
           object_type="user", object_id=user.id, now=now())
    flash(("已启用 " if active else "已停用 ") + user.username)
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset-password")
@requires(Permission.USER_MANAGE)
def reset_user_password(user_id: int) -> Any:
    """Give a staff account a temporary password that must be changed at the next sign-in."""
    user, temporary = reset_password(db.session, user_id, now=wall_clock())
    record(db.session, actor=current_actor(), action="user.reset_password", object_type="user", object_id=user.id,
           now=now())
    flash(f"已重置 {user.username} 的密码。临时密码（仅显示这一次，请当面告知）：{temporary}")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/unlock")
@requires(Permission.USER_MANAGE)
def unlock_user(user_id: int) -> Any:
    """Clear an account's sign-in throttling (service_hall/accounts/throttle.py)."""
    user = unlock(db.session, user_id)
    record(db.session, actor=current_actor(), action="user.unlock", object_type="user", object_id=user.id, now=now())
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
            entries = enter_calendar(db.session, request.form.get("lines", ""), actor_id=current_actor().id,
                                     now=now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.details or {"lines": exc.message}
        else:
            record(db.session, actor=current_actor(), action="calendar.enter", object_type="calendar",
                   object_id=entries[0].day.year, now=now(),
                   payload={"days": [[e.day.isoformat(), e.is_working, e.name] for e in entries]})
            flash(f"已录入 {len(entries)} 天的节假日安排")
            return redirect(url_for("admin.calendar"))
    days = calendar_days(db.session)
    package = covered_years()
    return render_template("admin/calendar.html", days=days, errors=errors, values=form_values(),
                           package_years=f"{package.start}–{package.stop - 1}"), (422 if errors else 200)


@bp.post("/calendar/<day>/delete")
@requires(Permission.CALENDAR_MANAGE)
def calendar_delete(day: str) -> Any:
    import datetime as dt

    from service_hall.calendar.models import remove_calendar_day
    from service_hall.core.errors import NotFound

    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise NotFound("日期无效") from None
    if not remove_calendar_day(db.session, date):
        raise NotFound("该日期没有录入记录")
    record(db.session, actor=current_actor(), action="calendar.remove", object_type="calendar",
           object_id=date.isoformat(), now=now())
    flash(f"已删除 {date} 的录入，恢复为官方日历或周末规则")
    return redirect(url_for("admin.calendar"))
