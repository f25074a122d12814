"""The applicant's 一件事: one form and one set of materials for several items, one progress view, one
answer to the combined correction notice, the choice of 统一出件, withdrawing the whole bundle."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from service_hall.accounts.permissions import Permission
from service_hall.bundles import flow
from service_hall.bundles.models import BundleCase, Delivery
from service_hall.core.errors import ValidationFailed
from service_hall.extensions import db
from service_hall.files.store import applicant_files
from service_hall.jurisdictions.operations import by_code
from service_hall.web.access import current_actor, requires
from service_hall.web.bundle_io import handle_apply, posted_materials
from service_hall.web.unit_of_work import EarlyCommit, commit_early, context

bp = Blueprint("bundle_portal", __name__)


@bp.get("/")
@requires(Permission.APPLICATION_READ_OWN)
def index() -> Any:
    ctx = context()
    rows = [(b, flow.progress(ctx, b)) for b in flow.applicant_bundle_cases(ctx, current_actor())]
    return render_template("bundles/my_cases.html", rows=rows)


@bp.route("/apply/<town_code>/<code>", methods=["GET", "POST"])
@requires(Permission.APPLICATION_SUBMIT)
def apply(town_code: str, code: str) -> Any:
    result = handle_apply(by_code(db.session, town_code), code, current_actor(),
                          url_for("bundle_portal.apply", town_code=town_code, code=code))
    if isinstance(result, BundleCase):
        return redirect(url_for("bundle_portal.case", ref=result.ref))
    return result


def _render_case(bundle_case: Any, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    ctx = context()
    state = flow.progress(ctx, bundle_case)
    comp = flow.composition_of(ctx, bundle_case)
    wanted = {p["composed"] for p in (state.open_correction.items if state.open_correction else [])}
    materials = [m for m in comp.definition.materials if m.code in wanted]
    from service_hall.bundles.reuse import reuse_notes

    notes = reuse_notes(db.session, [m.file_id for c in bundle_case.cases for m in c.materials], ctx.now)
    return render_template("bundles/case.html", bundle_case=bundle_case, state=state, materials=materials, notes=notes,
                           errors=errors or {}, files=applicant_files(db.session, bundle_case.applicant),
                           Delivery=Delivery), status


@bp.get("/cases/<ref>")
@requires(Permission.APPLICATION_READ_OWN)
def case(ref: str) -> Any:
    return _render_case(flow.own_bundle_case(context(), current_actor(), ref))


@bp.post("/cases/<ref>/correction")
@requires(Permission.APPLICATION_SUBMIT)
def answer(ref: str) -> Any:
    ctx = context()
    bundle_case = flow.own_bundle_case(ctx, current_actor(), ref)
    state = flow.progress(ctx, bundle_case)
    comp = flow.composition_of(ctx, bundle_case)
    wanted = {p["composed"] for p in (state.open_correction.items if state.open_correction else [])}
    materials, upload_errors = posted_materials(current_actor(), comp, ctx.now, codes=wanted)
    commit_early(EarlyCommit.KEPT_UPLOADS)
    try:
        flow.resubmit(ctx, bundle_case, values={}, materials=materials, upload_errors=upload_errors)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_case(flow.own_bundle_case(ctx, current_actor(), ref), exc.details or {}, 422)
    flash("补正材料已提交，各事项重新进入受理")
    return redirect(url_for("bundle_portal.case", ref=ref))


@bp.post("/cases/<ref>/withdraw")
@requires(Permission.APPLICATION_SUBMIT)
def withdraw(ref: str) -> Any:
    ctx = context()
    bundle_case = flow.own_bundle_case(ctx, current_actor(), ref)
    withdrawn = flow.withdraw(ctx, bundle_case, reason=request.form.get("reason", ""))
    flash(f"已撤回整件申请，{len(withdrawn)} 个尚未作出决定的事项一并撤回")
    return redirect(url_for("bundle_portal.case", ref=ref))


@bp.post("/cases/<ref>/delivery")
@requires(Permission.APPLICATION_SUBMIT)
def delivery(ref: str) -> Any:
    ctx = context()
    bundle_case = flow.own_bundle_case(ctx, current_actor(), ref)
    flow.set_delivery(ctx, bundle_case, request.form.get("delivery", ""))
    flash(f"出件方式：{bundle_case.delivery.label}")
    return redirect(url_for("bundle_portal.case", ref=ref))
