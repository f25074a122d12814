"""Applicant portal: find an item, apply once with materials, answer a correction, sign a 告知承诺 pledge,
track both deadlines, withdraw, rate the finished case (好差评)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from service_hall.accounts.permissions import Permission
from service_hall.cases import intake, ratings, review
from service_hall.cases.accountability import clock_view
from service_hall.cases.models import CaseStatus
from service_hall.cases.queries import deadline_state, own_application, own_applications
from service_hall.cases.rules import rules_for
from service_hall.cases.transitions import Action, allowed_actions
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.extensions import db
from service_hall.files.store import applicant_files
from service_hall.jurisdictions.operations import by_code, towns
from service_hall.web.access import current_actor, now, requires
from service_hall.web.case_io import accept_rules, calendar, collect_materials, form_payload

bp = Blueprint("portal", __name__)


@bp.get("/")
@requires(Permission.APPLICATION_READ_OWN)
def index() -> Any:
    actor = current_actor()
    cal = calendar()
    cases = [(c, *deadline_state(c, cal, now())) for c in own_applications(db.session, actor)]
    return render_template("portal/index.html", cases=cases, towns=towns(db.session))


@bp.get("/towns/<code>")
@requires(Permission.APPLICATION_SUBMIT)
def town(code: str) -> Any:
    place = by_code(db.session, code)
    return render_template("portal/town.html", town=place, items=intake.open_items(db.session, place, now=now()))


def _render_apply(place: Any, form: Any, applicant: Any, values: dict[str, Any], errors: dict[str, str],
                  submission_key: str, status: int = 200, endpoint: str = "portal.apply",
                  endpoint_args: dict[str, Any] | None = None) -> Any:
    villages = {j.code: j.name for j in place.children}
    return render_template("cases/apply.html", town=place, form=form, rules=form.rules, values=values, errors=errors,
                           villages=villages, submission_key=submission_key, applicant=applicant,
                           files=applicant_files(db.session, applicant),
                           action=url_for(endpoint, **(endpoint_args or {}))), status


def handle_apply(place: Any, item_code: str, applicant: Any, endpoint: str, endpoint_args: dict[str, Any]) -> Any:
    """GET shows the guide and form; POST submits (shared with the clerk's filing on behalf)."""
    actor = current_actor()
    form = intake.application_form(db.session, place, item_code, now=now())
    if request.method == "GET":
        draft_ref = request.args.get("draft")
        if draft_ref:
            draft = own_application(db.session, applicant, draft_ref)
            if draft.status != CaseStatus.DRAFT or draft.item_code != item_code or draft.town_id != place.id:
                raise NotFound("未找到该草稿")
            values = {**draft.data, "_reuse": {m.material_code: m.file_id for m in draft.materials}}
            return _render_apply(place, form, applicant, values, {}, draft.submission_key,
                                 endpoint=endpoint, endpoint_args=endpoint_args)
        return _render_apply(place, form, applicant, {}, {}, secrets.token_urlsafe(16),
                             endpoint=endpoint, endpoint_args=endpoint_args)
    values = form_payload(form.definition)
    materials, upload_errors = collect_materials(applicant, form.rules.materials, accept_rules(form.definition),
                                                 now())
    db.session.commit()  # keep accepted uploads even if the form has mistakes (offered for reuse)
    if request.form.get("save_draft"):
        draft = intake.save_draft(db.session, applicant=applicant, town=place, item_code=item_code, data=values,
                                  materials=materials, submission_key=request.form.get("submission_key", ""),
                                  now=now())
        db.session.commit()
        flash("草稿已保存，可随时在“我的办件”中继续填写")
        return redirect(url_for(endpoint, **endpoint_args, draft=draft.ref))
    try:
        case, created = intake.submit_application(
            db.session, applicant=applicant, town=place, item_code=item_code, data=values, materials=materials,
            submission_key=request.form.get("submission_key", ""), actor=actor, now=now(), calendar=calendar(),
            upload_errors=upload_errors)
    except ValidationFailed as exc:
        db.session.rollback()
        reuse = {code: f.id for code, f in materials.items()}
        return _render_apply(place, form, applicant, {**values, "_reuse": reuse}, exc.details or {},
                             request.form.get("submission_key", ""), status=422,
                             endpoint=endpoint, endpoint_args=endpoint_args)
    db.session.commit()
    if created:
        flash(f"申请已提交，办件编号 {case.case_number}")
    return case


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
    cal = calendar()
    colour, left = deadline_state(case, cal, now())
    return render_template("portal/application.html", case=case, colour=colour, left=left,
                           actions=allowed_actions(case), Action=Action, CaseStatus=CaseStatus,
                           files=applicant_files(db.session, case.applicant), errors=errors or {},
                           rules=rules_for(case.power_item), clock=clock_view(case, cal, now()),
                           rating=ratings.rating_of(db.session, case), score_labels=ratings.SCORE_LABELS,
                           pledge_text=review.PLEDGE_TEXT), status


@bp.get("/applications/<ref>")
@requires(Permission.APPLICATION_READ_OWN)
def application(ref: str) -> Any:
    return _render_application(own_application(db.session, current_actor(), ref))


def _act(ref: str, do: Callable[[Any, Any], Any], done: str) -> Any:
    """Load the applicant's own case, run the domain action, commit once; a refusal re-renders the page
    with its messages and nothing stored."""
    actor = current_actor()
    try:
        do(own_application(db.session, actor, ref), actor)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_application(own_application(db.session, actor, ref), exc.details or {}, 422)
    db.session.commit()
    flash(done)
    return redirect(url_for("portal.application", ref=ref))


@bp.post("/applications/<ref>/correction")
@requires(Permission.APPLICATION_SUBMIT)
def answer_correction(ref: str) -> Any:
    actor = current_actor()
    rules = rules_for(own_application(db.session, actor, ref).power_item)
    materials, upload_errors = collect_materials(actor, rules.materials, {}, now())
    db.session.commit()  # accepted uploads are kept for reuse even if the answer is refused
    return _act(ref, lambda case, a: intake.resubmit(db.session, case, actor=a, now=now(), calendar=calendar(),
                                                     data=None, materials=materials, upload_errors=upload_errors),
                "补正材料已提交，请等待窗口受理")


@bp.post("/applications/<ref>/withdraw")
@requires(Permission.APPLICATION_SUBMIT)
def withdraw(ref: str) -> Any:
    return _act(ref, lambda case, a: intake.withdraw(db.session, case, actor=a, now=now(),
                                                     reason=request.form.get("reason")), "申请已撤回")


@bp.post("/applications/<ref>/pledge")
@requires(Permission.APPLICATION_SUBMIT)
def sign_pledge(ref: str) -> Any:
    """告知承诺制: the applicant signs the pledge shown on the page."""
    return _act(ref, lambda case, a: review.sign_pledge(db.session, case, actor=a, now=now(),
                                                        agree=request.form.get("agree") == "1"),
                "告知承诺书已签署，窗口可当场作出许可决定")


@bp.post("/applications/<ref>/rating")
@requires(Permission.APPLICATION_SUBMIT)
def rate(ref: str) -> Any:
    """好差评: rate the finished case once, 1–5 with an optional comment."""
    return _act(ref, lambda case, a: ratings.rate(
        db.session, case, actor=a, now=now(), calendar=calendar(), score=request.form.get("score"),
        comment=request.form.get("comment"), rectification_days=current_app.config["RECTIFICATION_DAYS"]),
        "感谢您的评价")
