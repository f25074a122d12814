"""Administration: staff accounts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from service_hall.accounts.operations import add_staff, set_active, staff_accounts
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
    user = set_active(db.session, user_id, active, actor=current_actor(), now=now())
    flash(("已启用 " if active else "已停用 ") + user.username)
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
