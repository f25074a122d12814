"""Applicant portal: find an item, apply once with materials, answer a correction, sign a 告知承诺 pledge,
track both deadlines, withdraw, rate the finished case (好差评)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from service_hall.accounts.permissions import Permission
from service_hall.cases import intake, ratings, review
from service_hall.cases.accountability import clock_view
from service_hall.cases.actions import Audience, allowed_actions
from service_hall.cases.models import CaseStatus
from service_hall.cases.queries import deadline_state, load_for_page, own_application, own_applications
from service_hall.cases.rules import rules_for
from service_hall.core.pagination import page_size
from service_hall.extensions import db
from service_hall.files.consent import issue_reuse_code
from service_hall.files.store import applicant_files
from service_hall.jurisdictions.operations import by_code, towns
from service_hall.notifications.operations import awaiting_receipt
from service_hall.web import case_routes
from service_hall.web.access import current_actor, now, requires
from service_hall.web.apply_flow import handle_apply
from service_hall.web.case_io import calendar

bp = Blueprint("portal", __name__)

# A case in one of these shows "已作出决定，待查收" in the list while its decision awaits the applicant's 查收.
DECISION_SHOWN = (CaseStatus.APPROVED, CaseStatus.DENIED, CaseStatus.REFUSED, CaseStatus.REVOKED)


@bp.get("/")
@requires(Permission.APPLICATION_READ_OWN)
def index() -> Any:
    actor = current_actor()
    cal = calendar()
    page = own_applications(db.session, actor, request.args.get("cursor"), size=page_size(request.args.get("size")))
    cases = [(c, *deadline_state(c, cal, now())) for c in page.rows]
    decided = [c.id for c in page.rows if c.status in DECISION_SHOWN]
    return render_template("portal/index.html", cases=cases, page=page, towns=towns(db.session),
                           awaiting=awaiting_receipt(db.session, decided))


@bp.get("/towns/<code>")
@requires(Permission.APPLICATION_SUBMIT)
def town(code: str) -> Any:
    from service_hall.bundles.versions import offered_in

    place = by_code(db.session, code)
    return render_template("portal/town.html", town=place, items=intake.open_items(db.session, place, now=now()),
                           bundles=offered_in(db.session, place, now()))


@bp.route("/apply/<town_code>/<item_code>", methods=["GET", "POST"])
@requires(Permission.APPLICATION_SUBMIT)
def apply(town_code: str, item_code: str) -> Any:
    place = by_code(db.session, town_code)
    result = handle_apply(place, item_code, current_actor(), "portal.apply",
                          {"town_code": town_code, "item_code": item_code})
    if hasattr(result, "ref"):
        return redirect(url_for("portal.application", ref=result.ref))
    return result


def _render_application(case: Any, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    load_for_page(db.session, case)
    cal = calendar()
    colour, left = deadline_state(case, cal, now())
    return render_template("portal/application.html", case=case, colour=colour, left=left,
                           can=allowed_actions(case, current_actor(), now()), CaseStatus=CaseStatus,
                           files=applicant_files(db.session, case.applicant), errors=errors or {},
                           rules=rules_for(case.power_item), clock=clock_view(case, cal, now()),
                           case_ratings=ratings.ratings_of(db.session, case), stages=ratings.STAGES,
                           open_stages=ratings.open_stages(db.session, case), score_labels=ratings.SCORE_LABELS,
                           indicator_set=ratings.INDICATORS[ratings.mode_of(case)], poor_tags=ratings.POOR_TAGS,
                           mode_label=ratings.MODES[ratings.mode_of(case)],
                           pledge_text=review.PLEDGE_TEXT, editable=intake.fields_to_correct(db.session, case),
                           villages={j.code: j.name for j in case.town.children}), status


@bp.get("/applications/<ref>")
@requires(Permission.APPLICATION_READ_OWN)
def application(ref: str) -> Any:
    return _render_application(own_application(db.session, current_actor(), ref))


@bp.post("/reuse-code")
@requires(Permission.APPLICATION_SUBMIT)
def reuse_code() -> Any:
    """材料复用授权码: a one-time code the applicant shows the window clerk (service_hall/files/consent.py)."""
    code, expires = issue_reuse_code(db.session, current_actor(), now=now())
    return render_template("portal/reuse_code.html", code=code, expires=expires)


case_routes.register(bp, Audience.APPLICANT, rule="/applications/<ref>", key="ref",
                    load=lambda ref: own_application(db.session, current_actor(), ref),
                    render=lambda case, errors, status: _render_application(case, errors, status),
                    after=lambda case: url_for("portal.application", ref=case.ref))
