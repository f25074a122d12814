"""The application form as a page, shared by the applicant portal and the clerk's filing on behalf
(帮办代办): show the guide and form, keep a draft, submit once."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from forms.prefill import prefill, profile_of
from service_hall.cases import intake
from service_hall.cases.models import CaseStatus
from service_hall.cases.queries import own_application
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.extensions import db
from service_hall.files.models import ApplicantFile
from service_hall.files.store import applicant_files
from service_hall.web.case_io import accept_rules, collect_materials, form_payload
from service_hall.web.forms_util import labelled_errors
from service_hall.web.unit_of_work import EarlyCommit, commit_early, context


@dataclass(frozen=True)
class ApplyScope:
    """Which of the applicant's stored files and drafts the person at the form may see and reuse.

    The applicant sees all of their own. A clerk filing on their behalf sees only what this filing
    created, unless the applicant, present at the window, granted more (see service_hall/files/consent.py).
    """

    files: Callable[[], list[ApplicantFile]]
    may_open_draft: Callable[[Any], bool] = lambda draft: True
    kept: Callable[[list[ApplicantFile], Any], None] = lambda files, draft: None
    note: str = field(default="")


def own_scope(applicant: Any) -> ApplyScope:
    """The applicant filling in their own form."""
    return ApplyScope(files=lambda: applicant_files(db.session, applicant))


def _render_apply(place: Any, form: Any, applicant: Any, values: dict[str, Any], errors: dict[str, str],
                  submission_key: str, scope: ApplyScope, status: int = 200, endpoint: str = "portal.apply",
                  endpoint_args: dict[str, Any] | None = None) -> Any:
    villages = {j.code: j.name for j in place.children}
    return render_template("cases/apply.html", town=place, form=form, rules=form.rules, values=values, errors=errors,
                           summary=labelled_errors(errors, form.definition, form.rules.materials),
                           villages=villages, submission_key=submission_key, applicant=applicant,
                           files=scope.files(), reuse_note=scope.note,
                           action=url_for(endpoint, **(endpoint_args or {}))), status


def handle_apply(place: Any, item_code: str, applicant: Any, endpoint: str, endpoint_args: dict[str, Any],
                 scope: ApplyScope | None = None) -> Any:
    """GET shows the guide and form; POST submits. Returns the submitted case, or a response."""
    scope = scope or own_scope(applicant)
    ctx = context()
    form = intake.application_form(db.session, place, item_code, now=ctx.now)
    if request.method == "GET":
        draft_ref = request.args.get("draft")
        if draft_ref:
            draft = own_application(db.session, applicant, draft_ref)
            if (draft.status != CaseStatus.DRAFT or draft.item_code != item_code or draft.town_id != place.id
                    or not scope.may_open_draft(draft)):
                raise NotFound("未找到该草稿")
            values = {**draft.data, "_reuse": {m.material_code: m.file_id for m in draft.materials}}
            return _render_apply(place, form, applicant, values, {}, draft.submission_key, scope,
                                 endpoint=endpoint, endpoint_args=endpoint_args)
        return _render_apply(place, form, applicant, prefill(form.definition, profile_of(applicant)), {},
                             secrets.token_urlsafe(16), scope, endpoint=endpoint, endpoint_args=endpoint_args)
    values = form_payload(form.definition)
    offered = {f.id for f in scope.files()}
    materials, upload_errors = collect_materials(applicant, form.rules.materials, accept_rules(form.definition),
                                                 ctx.now, reusable=offered)
    scope.kept([f for f in materials.values() if f.id not in offered], None)
    commit_early(EarlyCommit.KEPT_UPLOADS)  # offered for reuse even if the form has mistakes
    key = request.form.get("submission_key", "")
    if request.form.get("save_draft"):
        draft = intake.save_draft(ctx, applicant=applicant, town=place, item_code=item_code, data=values,
                                  materials=materials, submission_key=key)
        scope.kept([], draft)
        flash("草稿已保存，可随时在“我的办件”中继续填写")
        return redirect(url_for(endpoint, **endpoint_args, draft=draft.ref))
    try:
        case, created = intake.submit_application(
            ctx, applicant=applicant, town=place, item_code=item_code, data=values, materials=materials,
            submission_key=key, upload_errors=upload_errors)
    except ValidationFailed as exc:
        db.session.rollback()
        reuse = {code: f.id for code, f in materials.items()}
        return _render_apply(place, form, applicant, {**values, "_reuse": reuse}, exc.details or {}, key, scope,
                             status=422, endpoint=endpoint, endpoint_args=endpoint_args)
    if created:
        flash(f"申请已提交，办件编号 {case.case_number}")
    return case
