"""Public pages: no login."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from service_hall.extensions import db
from service_hall.jurisdictions.operations import towns
from service_hall.web.access import PUBLIC, requires

bp = Blueprint("public", __name__)


@bp.get("/")
@requires(PUBLIC)
def home() -> Any:
    return render_template("public/home.html", towns=towns(db.session))


@bp.get("/healthz")
@requires(PUBLIC)
def healthz() -> Any:
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
        status = 200
    except Exception:
        db.session.rollback()
        database = "unreachable"
        status = 503
    return jsonify({"status": "ok" if status == 200 else "degraded", "database": database}), status
