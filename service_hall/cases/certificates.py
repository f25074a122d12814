"""The point where an approval becomes a result document, and where a revocation ends it.

:func:`issue_certificate` is called once for every approval (after review, on the spot for a 即办件, or
against a 告知承诺 pledge), inside the approving transaction: it issues the numbered, signed e-certificate
(:mod:`service_hall.certificates.issuing`) and stores the signed 准予许可决定书 that names it.
:func:`revoke_certificates` is called when the approval is revoked.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from service_hall.accounts.models import User
from service_hall.cases.models import Application
from service_hall.certificates import issuing
from service_hall.certificates.models import Certificate
from service_hall.certificates.notices import ensure_document


def issue_certificate(session: Session, case: Application, actor: User | None, now: dt.datetime) -> Certificate:
    """Issue the e-certificate of an approved ``case`` and the signed approval decision; return the
    certificate. Must not commit. Raises DocumentError when rendering or signing fails — the caller's
    transaction must then roll back, so that no number is used without its document."""
    certificate = issuing.issue(session, case, actor=actor, now=now)
    if certificate.decision_notice is not None:
        ensure_document(session, certificate.decision_notice, now=now)
    return certificate


def revoke_certificates(session: Session, case: Application, actor: User | None, now: dt.datetime,
                        reason: str) -> list[Certificate]:
    """The approval of ``case`` was revoked (撤销): its certificates in force become 已撤销 with the
    reason. Must not commit; raises nothing."""
    return issuing.revoke_for_case(session, case, actor=actor, now=now, reason=reason)
