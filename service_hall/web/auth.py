"""Sign-in, sign-out, applicant registration and the account page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user

from service_hall.accounts.credentials import close_session, open_session
from service_hall.accounts.models import ApplicantType
from service_hall.accounts.operations import LoginLocked, authenticate, change_password, register_applicant
from service_hall.accounts.permissions import Permission
from service_hall.core.errors import PermissionDenied, ValidationFailed
from service_hall.extensions import db, limiter
from service_hall.web.access import LOGIN, PUBLIC, current_actor, now, requires, wall_clock
from service_hall.web.forms_util import form_values, safe_next
from service_hall.web.unit_of_work import EarlyCommit, commit_early

bp = Blueprint("auth", __name__)


# Where each kind of account starts after signing in: the first permission it holds decides.
HOME_BY_PERMISSION = (
    (Permission.SUPERVISION_READ, "supervision.index"),
    (Permission.CASE_READ, "workbench.index"),
    (Permission.POWER_LIST_EDIT, "legal.index"),
    (Permission.USER_MANAGE, "admin.users"),
    (Permission.APPLICATION_READ_OWN, "portal.index"),
)


def _home_for(user: Any) -> str:
    endpoint = next((e for p, e in HOME_BY_PERMISSION if user.can(p)), "public.home")
    return url_for(endpoint)


def sign_in(user: Any) -> None:
    """Start a server-side session for ``user`` in this browser (service_hall/accounts/credentials.py)."""
    session.clear()
    login_user(user)
    session["sid"] = open_session(db.session, user, now=wall_clock())


@bp.route("/login", methods=["GET", "POST"])
@requires(PUBLIC)
@limiter.limit("20 per minute", methods=["POST"])
def login() -> Any:
    error = None
    status = 200
    if request.method == "POST":
        try:
            user = authenticate(db.session, request.form.get("username", ""), request.form.get("password", ""),
                                now=wall_clock(), address=request.remote_addr or "",
                                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                                lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        except (LoginLocked, PermissionDenied) as exc:
            commit_early(EarlyCommit.REFUSED_ATTEMPT)  # the failure count outlives the 401
            error = exc.message
            status = 429 if isinstance(exc, LoginLocked) else 401
        else:
            sign_in(user)
            if user.must_change_password:
                flash("首次登录，请先修改初始密码")
                return redirect(url_for("auth.account"))
            return redirect(safe_next(_home_for(user)))
    return render_template("auth/login.html", error=error, values=form_values()), status


@bp.post("/logout")
@requires(LOGIN)
def logout() -> Any:
    close_session(db.session, str(session.get("sid", "")), now=wall_clock())
    logout_user()
    session.clear()
    flash("您已安全退出")
    return redirect(url_for("public.home"))


@bp.route("/register", methods=["GET", "POST"])
@requires(PUBLIC)
@limiter.limit("10 per minute", methods=["POST"])
def register() -> Any:
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            user = register_applicant(db.session, request.form, now=now())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.details or {"_schema": exc.message}
        else:
            sign_in(user)
            flash("注册成功，欢迎使用")
            return redirect(url_for("public.home"))
    return render_template("auth/register.html", errors=errors, values=form_values(),
                           applicant_types=list(ApplicantType)), (422 if errors else 200)


@bp.route("/account", methods=["GET", "POST"])
@requires(LOGIN)
def account() -> Any:
    user = current_actor()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            change_password(db.session, user, request.form.get("old_password", ""),
                            request.form.get("new_password", ""), now=wall_clock())
        except PermissionDenied as exc:
            errors = {"old_password": exc.message}
        except ValidationFailed as exc:
            errors = exc.details or {}
        else:
            sign_in(user)  # every other session and API token has ended; this browser stays signed in
            flash("密码已修改，其他设备上的登录和 API 令牌均已失效")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", user=user, errors=errors), (422 if errors else 200)
