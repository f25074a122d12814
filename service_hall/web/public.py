"""Public pages: no login. Also the 长辈版 (elder mode) switch: a cookie read by base.html."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request

from service_hall.extensions import csrf, database_reachable, db
from service_hall.jurisdictions.operations import towns
from service_hall.web.access import PUBLIC, requires
from service_hall.web.forms_util import safe_next
from service_hall.web.http_cache import ELDER_COOKIE

bp = Blueprint("public", __name__)

DEFAULT_WINDOW_PHONE = "0571-6400 0000"  # 便民服务中心综合窗口 (config WINDOW_PHONE)


@bp.app_context_processor
def _elder_mode() -> dict[str, Any]:
    return {"elder_mode": request.cookies.get(ELDER_COOKIE) == "1",
            "window_phone": current_app.config.get("WINDOW_PHONE", DEFAULT_WINDOW_PHONE)}


@bp.post("/elder-mode")
@requires(PUBLIC)
@csrf.exempt
def elder_mode() -> Any:
    """Switch 长辈版 on (on=1) or off, then go back to the page the switch was pressed on.

    Exempt from CSRF on purpose: it changes only how pages look, and a token in every page's header would
    give every anonymous visitor a session cookie."""
    response = make_response(redirect(safe_next("/")))
    if request.form.get("on") == "1":
        response.set_cookie(ELDER_COOKIE, "1", max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    else:
        response.delete_cookie(ELDER_COOKIE)
    return response


@bp.get("/")
@requires(PUBLIC)
def home() -> Any:
    return render_template("public/home.html", towns=towns(db.session))


@bp.get("/healthz")
@requires(PUBLIC)
def healthz() -> Any:
    """Liveness for the load balancer: one round trip to the database, no session, no transaction."""
    ok = database_reachable()
    return jsonify({"status": "ok" if ok else "degraded", "database": "ok" if ok else "unreachable"}), \
        200 if ok else 503
