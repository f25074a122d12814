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
                 errors: dict[str, str]) -> None:
    """免提交: the offers the applicant chose (``offer-<code>``) where they uploaded nothing, verified live
    and added to ``chosen``; a refused one becomes that material's error."""
    from service_hall.bundles import reuse
    from service_hall.core.errors import NotFound, ValidationFailed
    from service_hall.web.unit_of_work import context

    for material in comp.definition.materials:
        ref = request.form.get(f"offer-{material.code}", "")
        if not ref or material.code in chosen:
            continue
        try:
            chosen[material.code] = reuse.reuse(context(), applicant=owner, ref=ref, material_name=material.name)
        except (ValidationFailed, NotFound) as exc:
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
