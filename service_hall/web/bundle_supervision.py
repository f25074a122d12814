"""The supervisor's list of 征求意见 past their deadline, unanswered, on the towns they oversee."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from service_hall.accounts.permissions import Permission
from service_hall.bundles import opinions
from service_hall.cases.clock import local_date
from service_hall.extensions import db
from service_hall.jurisdictions.operations import visible_jurisdiction_ids
from service_hall.web.access import current_actor, now, requires

bp = Blueprint("bundle_supervision", __name__)


@bp.get("/")
@requires(Permission.SUPERVISION_READ)
def overdue() -> Any:
    today = local_date(now())
    rows = opinions.overdue(db.session, visible_jurisdiction_ids(db.session, current_actor()), today)
    return render_template("bundles/overdue_opinions.html", rows=rows, today=today)
