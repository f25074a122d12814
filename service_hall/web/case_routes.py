"""Page routes of the case actions, generated from the registry (:mod:`service_hall.cases.actions`).

The workbench and the portal each call :func:`register` with how they load a case (through the
person's jurisdiction, or as the applicant's own), how they show it again with errors, and where they
go afterwards. Every action is then the same: load the form through the action's schema → load the case
→ run the domain operation with the request's Context → flash the done message and redirect; refused
input re-renders the case page (422) with the messages next to the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, request

from service_hall.cases.actions import Audience, CaseAction, for_audience
from service_hall.cases.models import Application
from service_hall.cases.rules import rules_for
from service_hall.core.errors import Conflict, PermissionDenied, ValidationFailed
from service_hall.extensions import db
from service_hall.web.access import current_actor, requires
from service_hall.web.case_actions import attempt
from service_hall.web.case_io import collect_materials
from service_hall.web.unit_of_work import EarlyCommit, commit_early, context

Load = Callable[..., Application]
Render = Callable[[Application, dict[str, str], int], Any]


def register(bp: Blueprint, audience: Audience, *, rule: str, key: str, load: Load, render: Render,
             after: Callable[[Application], str]) -> None:
    """Add one POST route per action of ``audience`` under ``rule`` (e.g. ``/cases/<int:case_id>``)."""
    for entry in for_audience(audience):
        view = _view(entry, key=key, load=load, render=render, after=after)
        bp.add_url_rule(f"{rule}/{entry.url_segment}", endpoint=entry.name,
                        view_func=requires(entry.permission)(view), methods=["POST"])


def _view(entry: CaseAction, *, key: str, load: Load, render: Render, after: Callable[[Application], str]) -> Any:
    def view(**ids: Any) -> Any:
        ctx = context()
        raw = entry.schema.from_form(request.form)
        try:
            data = entry.schema.load_or_fail(raw)
            if entry.materials:
                data["files"], data["upload_errors"] = _uploads(load(**ids))
                data["form_post"] = request.form  # the fields a correction notice opened for editing
            if entry.audience is Audience.STAFF and entry.transition is not None:
                audited = entry.audited_as(data)
                assert audited is not None
                case, _ = attempt(audited, ids[key], lambda c, a: entry.run(ctx, c, data))
            else:
                case = load(**ids)
                entry.run(ctx, case, data)
        except ValidationFailed as exc:
            db.session.rollback()
            return render(load(**ids), exc.details or {"_schema": exc.message}, 422)
        except (Conflict, PermissionDenied) as exc:
            # The same page, the reason in words and the actions still open (a refusal concerning a
            # power has been recorded by ``attempt``).
            db.session.rollback()
            return render(load(**ids), {"_schema": exc.message}, exc.status)
        flash(entry.done_message(data, case))
        return redirect(after(case))

    view.__name__ = entry.name
    view.__doc__ = entry.summary
    return view


def _uploads(case: Application) -> tuple[dict[str, Any], dict[str, str]]:
    """Store the uploaded materials first; files that pass are kept even if the action is refused."""
    files, errors = collect_materials(current_actor(), rules_for(case.power_item).materials, {}, context().now)
    commit_early(EarlyCommit.KEPT_UPLOADS)
    return files, errors
