"""The point where a case meets its result documents, as an interface (docs/architecture.md,
"DocumentService").

Case operations call these methods; they do not import the certificate package. The deployment's
implementation (``service_hall.certificates.service.SignedDocuments``) numbers, renders, signs and stores
inside the deciding transaction; ``DeferredDocuments`` numbers and records at once but renders each PDF
on its first download, for tests and tools that never look at the PDF.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from service_hall.accounts.models import User
    from service_hall.cases.models import Application


class DocumentService(Protocol):
    def issue_certificate(self, session: Session, case: Application, *, actor: User | None,
                          now: dt.datetime) -> Any:
        """Issue the e-certificate of an approved ``case`` (and the approval decision's document). Must not
        commit. Raises DocumentError when rendering or signing fails — the caller's transaction must then
        roll back, so that no number is used without its document."""

    def revoke_certificates(self, session: Session, case: Application, *, actor: User | None,
                            now: dt.datetime, reason: str) -> list[Any]:
        """The approval of ``case`` was revoked: its certificates in force end with ``reason``. Must not
        commit; raises nothing."""
