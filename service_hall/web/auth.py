"""Sign-in, sign-out, applicant registration and the account page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user
from markupsafe import Markup

from service_hall.accounts import credentials, recovery, second_factor
from service_hall.accounts.credentials import close_session, open_session
from service_hall.accounts.models import ApplicantType, User
from service_hall.accounts.operations import LoginLocked, authenticate, change_password, register_applicant
from service_hall.accounts.permissions import Permission
from service_hall.core.errors import NotFound, PermissionDenied, ValidationFailed
from service_hall.extensions import db, limiter
from service_hall.notifications import codes
from service_hall.notifications.channels import DeliveryError
from service_hall.web.access import LOGIN, PUBLIC, code_limits, current_actor, now, requires, wall_clock
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
            if second_factor.required(user):
                # The password was right; the session starts once the code is too (second_factor.py).
                session.clear()
                session[PENDING] = {"u": user.id, "at": wall_clock().timestamp(), "next": safe_next("")}
                return redirect(url_for("auth.second_factor_login"))
            return _signed_in_to(user, safe_next(_home_for(user)))
    return render_template("auth/login.html", error=error, values=form_values(),
                           can_reset=codes.sms_configured(current_app.config)), status


# 动态验证码 at sign-in: who passed the password step, for how long the code may follow.
PENDING = "second_factor_pending"
PENDING_LIFETIME = 300


def _signed_in_to(user: Any, target: str) -> Any:
    sign_in(user)
    if user.must_change_password:
        flash("首次登录，请先修改初始密码")
        return redirect(url_for("auth.account"))
    return redirect(target)


@bp.route("/login/code", methods=["GET", "POST"])
@requires(PUBLIC)
@limiter.limit("20 per minute", methods=["POST"])
def second_factor_login() -> Any:
    """Sign-in step 2 for an account with a second factor: the six-digit code."""
    pending = session.get(PENDING)
    user = None
    if isinstance(pending, dict) and isinstance(pending.get("u"), int) and isinstance(pending.get("at"), float) \
            and 0 <= wall_clock().timestamp() - pending["at"] <= PENDING_LIFETIME:
        user = db.session.get(User, pending["u"])
    if user is None or not user.active or not second_factor.required(user):
        session.pop(PENDING, None)
        flash("登录已超时，请重新输入用户名和密码")
        return redirect(url_for("auth.login"))
    error, status = None, 200
    if request.method == "POST":
        try:
            second_factor.check_code(db.session, user, request.form.get("code", ""), now=wall_clock(),
                                     address=request.remote_addr or "", **code_limits())
        except PermissionDenied as exc:
            commit_early(EarlyCommit.REFUSED_ATTEMPT)  # the wrong code counts like a wrong password
            error = exc.message
            status = 429 if isinstance(exc, LoginLocked) else 401
        else:
            return _signed_in_to(user, str(pending.get("next") or "") or _home_for(user))
    return render_template("auth/second_factor.html", error=error, issuer=second_factor.ISSUER), status


# 找回密码 (service_hall/accounts/recovery.py): only with an SMS gateway; the same answer for every account.
SENT_TEXT = "如该账号存在并登记了手机号码，验证码已发送至该手机，10 分钟内有效。"


@bp.route("/forgot", methods=["GET", "POST"])
@requires(PUBLIC)
@limiter.limit("10 per minute", methods=["POST"])
def forgot() -> Any:
    """找回密码 step 1: a code by SMS to the account's registered mobile."""
    available = codes.sms_configured(current_app.config)
    if request.method == "POST" and available:
        login_name = request.form.get("login", "")
        issued = recovery.request_code(db.session, login_name, address=request.remote_addr or "", now=wall_clock())
        if issued is not None:
            text = codes.password_reset_text(current_app.config, issued.code,
                                             int(recovery.CODE_LIFETIME.total_seconds() // 60))
            try:
                codes.send_now(current_app.config, issued.mobile, text, idempotency_key=issued.idempotency_key)
            except DeliveryError as exc:
                # Said only to the log: the page answers alike whether or not a code went out.
                current_app.logger.warning("password reset SMS not sent: %s", exc.reason)
        flash(SENT_TEXT)
        return redirect(url_for("auth.reset", login=login_name.strip()[:64]))
    return render_template("auth/forgot.html", available=available, values=form_values())


@bp.route("/reset", methods=["GET", "POST"])
@requires(PUBLIC)
@limiter.limit("20 per minute", methods=["POST"])
def reset() -> Any:
    """找回密码 step 2: the code and a new password."""
    if not codes.sms_configured(current_app.config):
        return redirect(url_for("auth.forgot"))
    errors: dict[str, str] = {}
    values = form_values() or {"login": request.args.get("login", "")}
    if request.method == "POST":
        try:
            recovery.reset_with_code(db.session, request.form.get("login", ""), request.form.get("code", ""),
                                     request.form.get("new_password", ""),
                                     request.form.get("new_password_confirm", ""), now=wall_clock())
        except ValidationFailed as exc:
            errors = exc.details or {}
            if "code" in errors:
                commit_early(EarlyCommit.REFUSED_ATTEMPT)  # the wrong guess counts
        else:
            flash("密码已重置，所有已登录的设备均已退出，请用新密码登录")
            return redirect(url_for("auth.login"))
    values = {k: v for k, v in values.items() if "password" not in k and k != "code"}
    return render_template("auth/reset.html", errors=errors, values=values), 422 if errors else 200


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
    return render_template("auth/account.html", user=user, errors=errors,
                           second_factor_offered=second_factor.offered_to(user)), (422 if errors else 200)


@bp.get("/account/sessions")
@requires(LOGIN)
def sessions() -> Any:
    """登录设备与令牌: one's live browser sessions and API tokens, each with a way to end it."""
    user = current_actor()
    return render_template("auth/sessions.html", sessions=credentials.sessions_of(db.session, user, now=wall_clock()),
                           tokens=credentials.tokens_of(db.session, user, now=wall_clock()),
                           current=credentials.session_id(db.session, str(session.get("sid", ""))))


@bp.post("/account/sessions/<int:session_id>/revoke")
@requires(LOGIN)
def revoke_session(session_id: int) -> Any:
    credentials.revoke_session(db.session, current_actor(), session_id, now=wall_clock())
    flash("已注销该登录会话，该设备须重新登录")
    return redirect(url_for("auth.sessions"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@requires(LOGIN)
def revoke_token(token_id: int) -> Any:
    credentials.revoke_token(db.session, current_actor(), token_id, now=wall_clock())
    flash("已注销该 API 令牌")
    return redirect(url_for("auth.sessions"))


ENROLMENT = "second_factor_enrolment"


@bp.route("/account/second-factor", methods=["GET", "POST"])
@requires(LOGIN)
def second_factor_setup() -> Any:
    """Turn the 动态验证码 on (scan the secret, type a code back) or off (with a current code)."""
    user = current_actor()
    if not second_factor.offered_to(user):
        raise NotFound("申请人账号不使用动态验证码")
    errors: dict[str, str] = {}
    if request.method == "POST" and second_factor.required(user):
        try:
            second_factor.check_code(db.session, user, request.form.get("code", ""), now=wall_clock(),
                                     address=request.remote_addr or "", **code_limits())
        except PermissionDenied as exc:
            commit_early(EarlyCommit.REFUSED_ATTEMPT)
            errors = {"code": exc.message}
        else:
            second_factor.disable(db.session, user, actor=user, now=now())
            flash("已停用动态验证码，登录时只需密码")
            return redirect(url_for("auth.account"))
    secret = session.get(ENROLMENT)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[ENROLMENT] = second_factor.new_secret()
    if request.method == "POST" and not second_factor.required(user):
        try:
            second_factor.enable(db.session, user, secret, request.form.get("code", ""), now=wall_clock())
        except ValidationFailed as exc:
            errors = exc.details or {}
        else:
            session.pop(ENROLMENT, None)
            flash("已启用动态验证码：今后登录时须输入验证器应用中的 6 位数字")
            return redirect(url_for("auth.account"))
    uri = second_factor.provisioning_uri(user, secret)
    return render_template("auth/second_factor_setup.html", user=user, errors=errors,
                           enabled=second_factor.required(user), uri=uri,
                           secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                           qr=_qr_svg(uri)), (422 if errors else 200)


def _qr_svg(data: str) -> Markup:
    """The QR code of ``data`` as inline SVG (no image request, no script)."""
    from service_hall.documents.qr import qr_matrix

    matrix = qr_matrix(data)
    size = len(matrix)
    cells = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size * 5}" '
                  f'height="{size * 5}" role="img" aria-label="动态验证码二维码" shape-rendering="crispEdges">'
                  f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{cells}" fill="#000"/></svg>')
