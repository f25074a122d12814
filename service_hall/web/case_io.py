"""Shared request handling for application forms (applicant portal and clerk filing on behalf)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g, request

from service_hall.accounts.models import User
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.extensions import db, file_store
from service_hall.files.models import ApplicantFile
from service_hall.files.store import accept_upload, owned_file


def calendar() -> WorkingCalendar:
    """The working calendar, read once per request (a JSON list computes each case's colours with it)."""
    if "calendar" not in g:
        g.calendar = WorkingCalendar.from_session(db.session)
    return g.calendar


def collect_materials(owner: User, material_specs: list[Any], accept_for: dict[str, dict[str, Any]],
                      now: dt.datetime, reusable: set[int] | None = None,
                      ) -> tuple[dict[str, ApplicantFile], dict[str, str]]:
    """Store each uploaded material (once, by hash) and resolve reused ones (the owner's own, and among
    ``reusable`` when given: a form field naming any other file is answered like a missing one).

    Returns ({material code: file}, {field: error}). Files that pass are kept even when other parts of
    the form fail, and offered again for reuse, so the applicant never uploads twice.
    """
    chosen: dict[str, ApplicantFile] = {}
    errors: dict[str, str] = {}
    for m in material_specs:
        key = f"material-{m.code}"
        upload = request.files.get(key)
        if upload is not None and upload.filename:
            try:
                chosen[m.code] = accept_upload(db.session, file_store(), owner, content=upload.read(),
                                               filename=upload.filename, material_name=m.name, field=key, now=now,
                                               **accept_for.get(m.code, {}))
            except ValidationFailed as exc:
                errors.update(exc.details or {})
            continue
        reuse = request.form.get(f"reuse-{m.code}", "")
        if reuse:
            try:
                if not reuse.isdigit() or (reusable is not None and int(reuse) not in reusable):
                    raise NotFound("未找到该材料")
                chosen[m.code] = owned_file(db.session, owner, int(reuse))
            except NotFound:
                errors[key] = "所选材料不存在"
    return chosen, errors


def accept_rules(definition: Any) -> dict[str, dict[str, Any]]:
    """Per material code, the upload limits the form definition sets (types and size)."""
    if definition is None:
        return {}
    return {m.code: {"accept": tuple(m.accept), "max_bytes": m.max_bytes} for m in definition.materials}


def form_payload(definition: Any) -> dict[str, Any]:
    if definition is None:
        return {}
    from forms.submission import parse_html_form

    return parse_html_form(definition, request.form)
