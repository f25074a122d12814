"""The window's 一件事: every bundle case of the town with its item cases, one combined correction
notice for all of them (一次性告知), 统一出件 once every item is decided. Each item case is handled on
its own case page as usual (review, decision, notices, clock)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service_hall.accounts.permissions import Permission
from service_hall.bundles import flow
from service_hall.cases.models import CaseStatus
from service_hall.core.errors import ValidationFailed
from service_hall.extensions import db
from service_hall.web.access import requires
from service_hall.web.unit_of_work import context

bp = Blueprint("bundle_workbench", __name__)
PIECE_ROWS = 3  # free-text rows per item case for a field or other problem


@bp.get("/")
@requires(Permission.CASE_READ)
def index() -> Any:
    from service_hall.bundles.versions import offered_in
    from service_hall.jurisdictions.operations import visible_towns

    ctx = context()
    rows = [(b, flow.progress(ctx, b)) for b in flow.staff_bundle_cases(ctx)]
    towns = visible_towns(db.session, ctx.user)
    offered = {b.code: b for t in towns for b in offered_in(db.session, t, ctx.now)}
    return render_template("bundles/staff_list.html", rows=rows, towns=towns, offered=list(offered.values()))


def _render(bundle_case: Any, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    ctx = context()
    from service_hall.bundles.reuse import reuse_notes
    from service_hall.cases.rules import rules_for

    notes = reuse_notes(db.session, [m.file_id for c in bundle_case.cases for m in c.materials], ctx.now)
    return render_template("bundles/staff_case.html", bundle_case=bundle_case, state=flow.progress(ctx, bundle_case),
                           notes=notes,
                           rules={c.id: rules_for(c.power_item) for c in bundle_case.cases}, errors=errors or {},
                           CaseStatus=CaseStatus, rows=PIECE_ROWS), status


@bp.get("/<int:bundle_case_id>")
@requires(Permission.CASE_READ)
def case(bundle_case_id: int) -> Any:
    return _render(flow.staff_bundle_case(context(), bundle_case_id))


@bp.post("/<int:bundle_case_id>/correction")
@requires(Permission.CASE_INTAKE)
def correction(bundle_case_id: int) -> Any:
    ctx = context()
    bundle_case = flow.staff_bundle_case(ctx, bundle_case_id)
    pieces: dict[int, list[dict[str, str]]] = {}
    for case in bundle_case.cases:
        chosen = []
        for code in request.form.getlist(f"missing-{case.id}"):
            chosen.append({"target": code, "problem": request.form.get(f"problem-{case.id}-{code}", "").strip()
                           or "请补正该材料"})
        for i in range(PIECE_ROWS):
            problem = request.form.get(f"other-{case.id}-{i}", "").strip()
            if problem:
                chosen.append({"target": "", "problem": problem})
        if chosen:
            pieces[case.id] = chosen
    try:
        days = int(request.form.get("respond_days", "10") or 10)
    except ValueError:
        days = 0
    try:
        notice = flow.request_correction(ctx, bundle_case, pieces=pieces, respond_days=days)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(flow.staff_bundle_case(ctx, bundle_case_id), exc.details or {}, 422)
    flash(f"已一次性告知补正（共 {len(notice.items)} 项，涉及 {len(pieces)} 个事项）")
    return redirect(url_for("bundle_workbench.case", bundle_case_id=bundle_case_id))


@bp.post("/<int:bundle_case_id>/deliver")
@requires(Permission.CERTIFICATE_ISSUE)
def deliver(bundle_case_id: int) -> Any:
    ctx = context()
    bundle_case = flow.staff_bundle_case(ctx, bundle_case_id)
    try:
        done = flow.deliver_together(ctx, bundle_case, channel=request.form.get("channel", ""),
                                     recipient=request.form.get("recipient", ""),
                                     address=request.form.get("address", ""))
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(flow.staff_bundle_case(ctx, bundle_case_id), exc.details or {}, 422)
    flash(f"统一出件：{len(done)} 项办理结果已一并送达")
    return redirect(url_for("bundle_workbench.case", bundle_case_id=bundle_case_id))


# --- 征求意见 ----------------------------------------------------------------------------------------

def _render_case_opinions(case: Any, errors: dict[str, str] | None = None, status: int = 200,
                          values: dict[str, str] | None = None) -> Any:
    from service_hall.bundles import opinions
    from service_hall.cases.clock import local_date
    from service_hall.offices.models import Office

    county = case.town.county
    towns = [t for t in county.children if t.level.value == "town" and t.id != case.town_id]
    offices = db.session.scalars(select(Office).where(Office.county_id == county.id).order_by(Office.name)).all()
    return render_template("bundles/case_opinions.html", case=case, requests=opinions.of_case(db.session, case),
                           towns=towns, offices=offices, county=county, errors=errors or {}, values=values or {},
                           today=local_date(context().now)), status


@bp.get("/cases/<int:case_id>/opinions")
@requires(Permission.CASE_READ)
def case_opinions(case_id: int) -> Any:
    from service_hall.cases.queries import staff_case

    return _render_case_opinions(staff_case(db.session, context().user, case_id))


@bp.post("/cases/<int:case_id>/opinions")
@requires(Permission.CASE_REVIEW)
def ask_opinion(case_id: int) -> Any:
    from service_hall.bundles import opinions
    from service_hall.cases.queries import staff_case

    ctx = context()
    case = staff_case(db.session, ctx.user, case_id)
    target = request.form.get("target", "")
    office_id = None
    if target.startswith("office:"):
        office_id = int(target.removeprefix("office:")) if target.removeprefix("office:").isdigit() else 0
        target = case.town.county.code
    try:
        days = int(request.form.get("days", "") or 0)
    except ValueError:
        days = 0
    try:
        asked = opinions.ask(ctx, case, target_code=target, office_id=office_id,
                             question=request.form.get("question", ""), days=days)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_case_opinions(staff_case(db.session, ctx.user, case_id), exc.details or {}, 422,
                                     values=request.form.to_dict())
    flash(f"已向{asked.asked_of}征求意见，请于 {asked.due_on} 前答复（办理期限照常计算）")
    return redirect(url_for("bundle_workbench.case_opinions", case_id=case_id))


@bp.get("/opinions")
@requires(Permission.CASE_READ)
def opinions_inbox() -> Any:
    from service_hall.bundles import opinions
    from service_hall.cases.clock import local_date

    ctx = context()
    return render_template("bundles/opinions.html", requests=opinions.asked_of(ctx), today=local_date(ctx.now),
                           errors={})


@bp.post("/opinions/<int:request_id>/answer")
@requires(Permission.CASE_REVIEW)
def answer_opinion(request_id: int) -> Any:
    from service_hall.bundles import opinions
    from service_hall.cases.clock import local_date

    ctx = context()
    asked = opinions.request_for_answer(ctx, request_id)
    try:
        opinions.answer(ctx, asked, text=request.form.get("answer", ""))
    except ValidationFailed as exc:
        db.session.rollback()
        return render_template("bundles/opinions.html", requests=opinions.asked_of(ctx), today=local_date(ctx.now),
                               errors={f"answer-{request_id}": (exc.details or {}).get("answer", str(exc))}), 422
    flash("已答复征求意见")
    return redirect(url_for("bundle_workbench.opinions_inbox"))


# --- 帮办代办: one window takes the whole bundle for a walk-in applicant ------------------------------

@bp.post("/file")
@requires(Permission.CASE_FILE_ON_BEHALF)
def file_start() -> Any:
    """Step 1: the walk-in applicant by mobile, the town (one of the clerk's) and the bundle."""
    from service_hall.accounts.operations import applicant_by_mobile
    from service_hall.jurisdictions.operations import visible_towns

    actor = context().user
    applicant = applicant_by_mobile(db.session, request.form.get("mobile", "").strip())
    town = next((t for t in visible_towns(db.session, actor) if t.code == request.form.get("town_code")), None)
    code = request.form.get("code", "")
    if applicant is None or town is None or not code:
        flash("未找到该手机号码对应的申请人，或未选择乡镇（街道）和一件事；新申请人请先在“代办申请”中开户")
        return redirect(url_for("bundle_workbench.index"))
    return redirect(url_for("bundle_workbench.file_apply", town_code=town.code, code=code, applicant_id=applicant.id))


@bp.route("/file/<town_code>/<code>/<int:applicant_id>", methods=["GET", "POST"])
@requires(Permission.CASE_FILE_ON_BEHALF)
def file_apply(town_code: str, code: str, applicant_id: int) -> Any:
    """Step 2: the applicant's own 一件事 form, filed by the clerk at the window."""
    from service_hall.accounts.models import User
    from service_hall.accounts.permissions import Role
    from service_hall.bundles.models import BundleCase
    from service_hall.core.errors import NotFound
    from service_hall.jurisdictions.operations import visible_towns
    from service_hall.web.bundle_io import handle_apply

    actor = context().user
    town = next((t for t in visible_towns(db.session, actor) if t.code == town_code), None)
    applicant = db.session.get(User, applicant_id)
    if town is None or applicant is None or applicant.role != Role.APPLICANT:
        raise NotFound("未找到该申请人或乡镇")
    result = handle_apply(town, code, applicant, url_for("bundle_workbench.file_apply", town_code=town_code,
                                                         code=code, applicant_id=applicant_id))
    if isinstance(result, BundleCase):
        return redirect(url_for("bundle_workbench.case", bundle_case_id=result.id))
    return result
