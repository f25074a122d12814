"""One unit of work per request (docs/architecture.md, "Unit of work").

:class:`~service_hall.app.ServiceHall` runs every view inside :func:`transaction`: the view loads,
checks and calls the domain, which only flushes; when the view returns a response below 400 the session
commits once, otherwise (an error page, a 422 form, an exception) everything rolls back. Views never
commit. Two kinds of write must survive the request's own failure and are committed early, by name,
through :func:`commit_early`: uploads that passed their checks (kept for reuse although the form around
them was refused) and refused attempts (recorded refusals and failed logins, which are what the refusal
is about). The deadline sweep that still runs before some requests when no worker is configured is not
the request's work and commits on its own, also by name. Nothing else may call it.

:func:`context` gives the request's :class:`~service_hall.cases.context.Context` (session, actor, now,
calendar, file store, document service), built once per request.
"""

from __future__ import annotations

import enum
import io
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, send_file

from service_hall.cases.context import CaseSettings, Context
from service_hall.cases.documents import DocumentService
from service_hall.extensions import db, file_store
from service_hall.web.access import current_actor, now


class EarlyCommit(enum.Enum):
    """Why a request commits before it has finished."""

    KEPT_UPLOADS = "kept_uploads"  # accepted files are offered again when the form is refused
    REFUSED_ATTEMPT = "refused_attempt"  # the record of a refusal outlives the refused request
    SWEEP = "sweep"  # the deadline sweep run before a request is the system's work, not the request's


def commit_early(reason: EarlyCommit) -> None:
    """Commit what the request has written so far, for one of the named reasons only."""
    assert isinstance(reason, EarlyCommit)
    db.session.commit()


def transaction(view: Callable[[], Any], make_response: Callable[[Any], Response]) -> Response:
    """Run ``view``; commit if its response is below 400, roll back otherwise or on any exception."""
    try:
        response = make_response(view())
    except BaseException:
        db.session.rollback()
        raise
    if response.status_code < 400:
        db.session.commit()
        _after_commit()
    else:
        db.session.rollback()
    return response


def _after_commit() -> None:
    """Run what waits for the request's commit (delivering the notifications it wrote); such hooks
    handle their own failures, so the committed response stands."""
    for hook in current_app.extensions.get("after_commit", ()):
        hook()


def send_stored_file(file: Any) -> Response:
    """An applicant file (``ApplicantFile``) from the file store, as a download under its own name."""
    content = file_store().read(file.blob.sha256)
    return send_file(io.BytesIO(content), mimetype=file.blob.content_type, as_attachment=True,
                     download_name=file.filename, max_age=0)


def documents_service(app: Flask) -> DocumentService:
    """The app's document service: ``DOCUMENTS=signed`` (default) renders and signs at the decision,
    ``DOCUMENTS=deferred`` on first download."""
    found = app.extensions.get("documents_service")
    if found is None:
        from service_hall.certificates.service import DeferredDocuments, SignedDocuments

        kind = DeferredDocuments if app.config.get("DOCUMENTS") == "deferred" else SignedDocuments
        found = app.extensions["documents_service"] = kind()
    return found  # type: ignore[no-any-return]


def context() -> Context:
    """The request's Context (built on first use)."""
    found = g.get("case_context")
    if found is None:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        found = g.case_context = Context(
            session=db.session, actor=current_actor(), now=now(), files=file_store(),
            documents=documents_service(app),
            settings=CaseSettings(follow_up_check_days=app.config["FOLLOW_UP_CHECK_DAYS"],
                                  rectification_days=app.config["RECTIFICATION_DAYS"]))
    return found  # type: ignore[no-any-return]
