"""What the 一件事 pages share (not a blueprint): the composed form read from a posted page, its uploads
kept once and reusable, and the display of a bundle case's progress (docs/bundles.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import request

from forms.submission import parse_html_form
from service_hall.accounts.models import User
from service_hall.bundles.composition import Composition
from service_hall.files.models import ApplicantFile
from service_hall.web.case_io import accept_rules, collect_materials


def posted_values(comp: Composition) -> dict[str, Any]:
    """The composed form's values as posted (HTML input names of ``forms.submission``)."""
    return parse_html_form(comp.definition, request.form)


def posted_materials(owner: User, comp: Composition, now: dt.datetime,
                     codes: set[str] | None = None) -> tuple[dict[str, ApplicantFile], dict[str, str]]:
    """The posted uploads (or reused earlier files) by composed code, and upload errors; ``codes``
    limits them to those a correction notice asks for."""
    specs = [m for m in comp.definition.materials if codes is None or m.code in codes]
    return collect_materials(owner, specs, accept_rules(comp.definition), now)


def posted_reuse(owner: User, comp: Composition, chosen: dict[str, ApplicantFile],
                 errors: dict[str, str], *, consent_signed: bool = False) -> None:
    """免提交: the offers the applicant chose (``offer-<code>``) where they uploaded nothing, verified live
    and added to ``chosen``; a refused one becomes that material's error."""
    from service_hall.bundles import reuse
    from service_hall.core.errors import NotFound, PermissionDenied, ValidationFailed
    from service_hall.web.unit_of_work import context

    for material in comp.definition.materials:
        ref = request.form.get(f"offer-{material.code}", "")
        if not ref or material.code in chosen:
            continue
        try:
            chosen[material.code] = reuse.reuse(context(), applicant=owner, ref=ref, material_name=material.name,
                                                consent_signed=consent_signed)
        except (ValidationFailed, NotFound, PermissionDenied) as exc:
            errors[f"material-{material.code}"] = str(exc)


def section_errors(errors: dict[str, str], comp: Composition) -> dict[str, str]:
    """The error summary with each field and material named as the applicant sees it."""
    from service_hall.web.forms_util import labelled_errors

    return labelled_errors(errors, comp.definition, comp.definition.materials)


def initial_values(comp: Composition, applicant: User) -> dict[str, Any]:
    """The composed form prefilled from the applicant's account, as each item's own form would be."""
    from dataclasses import replace

    from forms.prefill import prefill, profile_of

    originals = [(f.name, comp.field_targets[f.name][0][1]) for f in comp.definition.fields]
    as_items = replace(comp.definition, fields=tuple(replace(f, name=original) for f, (_, original)
                                                     in zip(comp.definition.fields, originals, strict=True)))
    found = prefill(as_items, profile_of(applicant))
    return {composed: found[original] for composed, original in originals if original in found}


def _render_apply(town: Any, bundle: Any, applicant: User, values: dict[str, Any], errors: dict[str, str],
                  key: str, action: str, status: int = 200) -> Any:
    from flask import render_template

    from service_hall.bundles import versions
    from service_hall.bundles.models import Delivery
    from service_hall.bundles.reuse import offers
    from service_hall.extensions import db
    from service_hall.files.store import applicant_files
    from service_hall.web.unit_of_work import context

    ctx = context()
    comp = versions.composition(db.session, bundle, ctx.now)
    guide = versions.combined_guide(db.session, bundle, town, ctx.now)
    return render_template("bundles/apply.html", town=town, bundle=bundle, comp=comp, guide=guide, values=values,
                           applicant=applicant, offers=offers(db.session, applicant, comp, ctx.now),
                           errors=errors, summary=section_errors(errors, comp), submission_key=key,
                           files=applicant_files(db.session, applicant), action=action,
                           villages={j.code: j.name for j in town.children}, Delivery=Delivery), status


def handle_apply(town: Any, code: str, applicant: User, action: str) -> Any:
    """The 一件事 form as a page, for the applicant's portal and the clerk filing for a walk-in applicant
    (the clerk confirms the applicant's signed consent before any of their certificates is reused).
    GET shows it; POST submits. Returns the bundle case, or a response."""
    import secrets

    from flask import flash

    from service_hall.bundles import flow, versions
    from service_hall.bundles.models import Delivery
    from service_hall.core.errors import NotFound, ValidationFailed
    from service_hall.extensions import db
    from service_hall.web.unit_of_work import EarlyCommit, commit_early, context

    ctx = context()
    bundle = versions.bundle_in_force(db.session, town.county, code, ctx.now)
    if (reason := versions.suspension(db.session, bundle, town, ctx.now)) is not None:
        raise NotFound(reason)
    comp = versions.composition(db.session, bundle, ctx.now)
    if request.method == "GET":
        return _render_apply(town, bundle, applicant, initial_values(comp, applicant), {}, secrets.token_urlsafe(16),
                             action)
    values = posted_values(comp)
    materials, upload_errors = posted_materials(applicant, comp, ctx.now)
    posted_reuse(applicant, comp, materials, upload_errors, consent_signed=request.form.get("consent_signed") == "1")
    commit_early(EarlyCommit.KEPT_UPLOADS)  # offered for reuse even if the form has mistakes
    key = request.form.get("submission_key", "")
    try:
        bundle_case, created = flow.submit(ctx, applicant=applicant, town=town, bundle_code=code, values=values,
                                           materials=materials, submission_key=key,
                                           delivery=request.form.get("delivery", Delivery.TOGETHER.value),
                                           upload_errors=upload_errors)
    except ValidationFailed as exc:
        db.session.rollback()
        reuse = {c: f.id for c, f in materials.items()}
        return _render_apply(town, bundle, applicant, {**values, "_reuse": reuse}, exc.details or {}, key, action,
                             status=422)
    if created:
        flash(f"“{bundle.name}”已提交，申请编号 {bundle_case.number}，共 {len(bundle_case.links)} 个事项同时办理")
    return bundle_case
