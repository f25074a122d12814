"""Every endpoint declares what it needs; one before-request hook enforces it (fail closed).

``requires(Permission.X)`` — a role permission; ``requires(PUBLIC)`` — anyone; ``requires(LOGIN)`` —
any signed-in account. An endpoint without a declaration is refused with 403 and logged, and a test
walks ``app.url_map`` so that none ships.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, flash, g, redirect, request, url_for
from flask_login import current_user

from service_hall.accounts.credentials import token_row
from service_hall.accounts.models import User
from service_hall.accounts.permissions import Permission
from service_hall.core.base import utcnow
from service_hall.core.errors import PermissionDenied
from service_hall.extensions import db

F = TypeVar("F", bound=Callable[..., Any])


class Access(enum.Enum):
    PUBLIC = "public"
    LOGIN = "login"


PUBLIC = Access.PUBLIC
LOGIN = Access.LOGIN
ACCESS_ATTR = "_required_access"
# What an account that must change its initial password may still open.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.account", "auth.logout"})


def requires(need: Permission | Access) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        setattr(view, ACCESS_ATTR, need)
        return view

    return decorate


def declared_access(view: Callable[..., Any]) -> Permission | Access | None:
    return getattr(view, ACCESS_ATTR, None)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def current_actor() -> User | None:
    """The signed-in account: bearer token for the API, the session for HTML pages."""
    if is_api_request():
        return g.get("api_user")
    user = current_user._get_current_object()
    return user if isinstance(user, User) else None


def now() -> dt.datetime:
    """The request's clock (tests can pin it via ``app.config['FIXED_NOW']``)."""
    fixed = current_app.config.get("FIXED_NOW")
    return fixed if fixed is not None else utcnow()


def wall_clock() -> dt.datetime:
    """Real time, for credentials: session and token lifetimes and sign-in delays. The business clock
    :func:`now` may be pinned far ahead (tests, ``FIXED_NOW``); tests of expiry pin this one instead
    (``FIXED_WALL_CLOCK``)."""
    fixed = current_app.config.get("FIXED_WALL_CLOCK")
    return fixed if fixed is not None else utcnow()


def code_limits() -> dict[str, Any]:
    """The sign-in delay settings for a wrong 动态验证码, the same as for a wrong password."""
    return {"free": current_app.config["LOGIN_MAX_FAILURES"],
            "max_delay": dt.timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])}


def _load_api_user() -> None:
    header = request.headers.get("Authorization", "")
    g.api_user = g.api_token = None
    if header.startswith("Bearer "):
        row = token_row(db.session, header[7:].strip(), now=wall_clock())
        if row is not None:
            row.last_used_at = wall_clock()
            g.api_token, g.api_user = row, row.user


def enforce_access() -> Any:
    if request.endpoint is None or request.endpoint == "static":
        return None
    if is_api_request():
        _load_api_user()
    view = current_app.view_functions.get(request.endpoint)
    need = declared_access(view) if view is not None else None
    if need is None:
        current_app.logger.error("endpoint %s declares no access rule; refused", request.endpoint)
        abort(403)
    if need is Access.PUBLIC:
        return None
    actor = current_actor()
    if actor is None:
        if is_api_request():
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if actor.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        # An initial password handed out by an administrator opens nothing but the page to change it.
        if is_api_request():
            raise PermissionDenied("请先登录网页修改初始密码")
        flash("首次登录，请先修改初始密码")
        return redirect(url_for("auth.account"))
    if need is Access.LOGIN:
        return None
    if not actor.can(need):
        abort(403)
    return None


def install(app: Flask) -> None:
    app.before_request(enforce_access)
