"""The deployment's :class:`~service_hall.cases.documents.DocumentService` implementations.

``SignedDocuments`` (the default) numbers, renders, signs and stores the e-certificate and the approval
decision inside the deciding transaction, so a failure rolls the decision back and no number is used
without its document. ``DeferredDocuments`` numbers and records the certificate at once but renders and
signs each PDF on its first download (``ensure_certificate_document``): the same documents, later — for
tests and tools that never open the PDF (``DOCUMENTS=deferred``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.accounts.models import User
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.cases.context import CaseSettings, Context
from service_hall.cases.documents import DocumentService
from service_hall.cases.models import Application
from service_hall.certificates import issuing
from service_hall.certificates import settings as document_settings
from service_hall.certificates.models import Certificate
from service_hall.certificates.notices import ensure_document
from service_hall.certificates.settings import DocumentSettings
from service_hall.files.models import StoredBlob


@dataclass(frozen=True)
class SignedDocuments:
    """Render and sign at the moment of decision."""

    settings: DocumentSettings | None = None

    def issue_certificate(self, session: Session, case: Application, *, actor: User | None,
                          now: dt.datetime) -> Certificate:
        """Issue the signed e-certificate and store the signed approval decision that names it.
        Raises DocumentError (the caller must roll back)."""
        certificate = issuing.issue(session, case, actor=actor, now=now, settings=self.settings)
        if certificate.decision_notice is not None:
            ensure_document(session, certificate.decision_notice, now=now, settings=self.settings)
        return certificate

    def revoke_certificates(self, session: Session, case: Application, *, actor: User | None,
                            now: dt.datetime, reason: str) -> list[Certificate]:
        """End the case's certificates in force with ``reason``. Raises nothing."""
        return issuing.revoke_for_case(session, case, actor=actor, now=now, reason=reason)


@dataclass(frozen=True)
class DeferredDocuments(SignedDocuments):
    """Number and record now; render and sign on first download."""

    def issue_certificate(self, session: Session, case: Application, *, actor: User | None,
                          now: dt.datetime) -> Certificate:
        """Issue the numbered certificate without its PDF. Raises nothing of its own."""
        return issuing.issue(session, case, actor=actor, now=now, settings=self.settings, render=False)


def ensure_certificate_document(session: Session, certificate: Certificate, *, now: dt.datetime,
                                settings: DocumentSettings | None = None) -> StoredBlob:
    """The stored signed PDF of ``certificate``, rendered first if it was issued without one. The row is
    locked meanwhile, so concurrent first downloads render once. Raises DocumentError."""
    if certificate.document_blob_id is not None:
        return certificate.document_blob
    settings = settings or document_settings.current()
    locked = session.scalar(select(Certificate).where(Certificate.id == certificate.id).with_for_update()
                            .execution_options(populate_existing=True))
    assert locked is not None
    if locked.document_blob_id is None:
        locked.document_blob = issuing.certificate_document(session, locked, settings, now)
        session.flush()
    return locked.document_blob


def offline_context(session: Session, actor: User | None, now: dt.datetime, *,
                    calendar: WorkingCalendar | None = None, settings: CaseSettings | None = None,
                    documents: DocumentService | None = None) -> Context:
    """A Context outside a request (the CLI, the worker, scripts, tests): the configured file store and the
    signing document service unless told otherwise. Raises DocumentError when no document settings are
    configured."""
    store = document_settings.current().store
    extra: dict[str, Any] = {"calendar_source": (lambda _s: calendar)} if calendar is not None else {}
    return Context(session=session, actor=actor, now=now, files=store, documents=documents or SignedDocuments(),
                   settings=settings or CaseSettings(), **extra)
