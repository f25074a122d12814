"""Issuing, revoking and reissuing e-certificates (行政许可法 第三十九条、第四十四条、第六十九条).

:func:`issue` runs inside the approving transaction: it takes the next number of the issuer's gap-free
counter, renders and signs the PDF and stores it, all before the caller commits — a failure anywhere
raises and the whole approval rolls back, so no number is ever used without a document (nor skipped).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from power_lists.models import DelegationMode, PowerItem, town_authority_name
from power_lists.offices import issuing_office
from service_hall.accounts.models import User
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.cases import events
from service_hall.cases.clock import local_date, next_number
from service_hall.cases.decisions import guide_validity
from service_hall.cases.models import Application, CaseStatus
from service_hall.certificates import settings as document_settings
from service_hall.certificates.models import Certificate, CertificateStatus
from service_hall.certificates.settings import PDF, DocumentSettings
from service_hall.certificates.types import entries_for, items_of, latest_item, sample_entries, type_for_item
from service_hall.core.errors import Conflict, ValidationFailed
from service_hall.documents.context import Authority, CertificateData, mask_id_number
from service_hall.files.models import StoredBlob
from service_hall.jurisdictions.models import Jurisdiction

if TYPE_CHECKING:
    from service_hall.documents.signing import SigningIdentity

PLEDGE_CONDITION = "本许可依申请人告知承诺作出，经核查承诺不实的，将依法撤销本许可"
REISSUABLE = (CaseStatus.APPROVED, CaseStatus.DELIVERED)


def render_certificate(data: CertificateData) -> bytes:
    """The PDF (WeasyPrint is loaded on first use only, so that verifying needs none of it)."""
    from service_hall.documents.rendering import render_certificate as render

    return render(data)


def sign_pdf(session: Session, pdf: bytes, identity: SigningIdentity) -> bytes:
    """Sign ``pdf``; the signature's reason carries the audit chain's head (service_hall/audit/trail.py,
    ``anchor``), so that each signed document also anchors the chain outside the database."""
    from service_hall.audit.trail import anchor
    from service_hall.documents.signing import DEFAULT_REASON
    from service_hall.documents.signing import sign_pdf as sign

    return sign(pdf, identity, reason=f"{DEFAULT_REASON}（{anchor(session)}）")


def authority_for(item: PowerItem, town: Jurisdiction) -> Authority:
    """Whose name the documents of a case bear, by the item's 赋权方式 (docs/power-list-format.md): 下放 —
    the town; 委托 — the entrusting department, with the town as entrusted body; 窗口前移 — the county
    department. The department's name and seal come from its office record (power_lists.offices)."""
    if item.delegation_mode is DelegationMode.DEVOLVED:
        return Authority.devolved(town_authority_name(town))
    issuer = issuing_office(item)
    if item.delegation_mode is DelegationMode.ENTRUSTED:
        return Authority.entrusted(department=issuer.name, town=town_authority_name(town), seal=issuer.seal_text)
    return Authority.front_window(issuer.name, seal=issuer.seal_text)


def issuer_code(item: PowerItem, town: Jurisdiction) -> str:
    """The short code that starts a certificate number and scopes its counter: the town's 9-digit
    区划代码 when the town issues in its own name (下放), otherwise the county's 6 digits and four
    characters derived from the department's name — so every town acting for one department shares the
    department's series."""
    if item.delegation_mode is DelegationMode.DEVOLVED:
        return town.code[:9]
    digest = hashlib.sha256(issuing_office(item).name.encode()).hexdigest()[:4].upper()
    return f"{town.county.code[:6]}D{digest}"


def legal_basis_text(item: PowerItem) -> str:
    """设定依据 (or 实施依据) as printed: 《法律》第N条, several joined by 、."""
    entries = item.setting_basis or item.implementing_basis or []
    articles: dict[str, list[str]] = {}  # one law named once, its articles after it, in the list's order
    for entry in entries:
        law = (entry.get("law") or "").strip()
        if not law:
            continue
        title = law if law.startswith("《") else f"《{law}》"
        article = (entry.get("article") or "").strip()
        found = articles.setdefault(title, [])
        if article and article not in found:
            found.append(article)
    parts = [title + "、".join(found) for title, found in articles.items()]
    return "、".join(parts) or "《中华人民共和国行政许可法》"


def validity_end(validity: str | None, start: dt.date) -> dt.date | None:
    """The last valid day for the guide's 审批结果有效期 (``5年`` → the day before the fifth anniversary);
    None for 长期 and for texts without a period (``按批准期限``, ``定期复核``)."""
    rule = guide_validity({"result_validity": validity})
    return rule.end_from(start) if rule is not None else None


def decided_term(decided: dict[str, Any], name: str) -> str | None:
    """The printed text of one decided term, or None. Raises nothing."""
    term = next((t for t in decided.get("terms") or [] if t.get("name") == name), None)
    return str(term["text"]) if term and term.get("text") else None


def _decided_lines(decided: dict[str, Any], name: str) -> list[str]:
    term = next((t for t in decided.get("terms") or [] if t.get("name") == name), None)
    if term is None:
        return []
    value = term.get("value")
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def holder_of(applicant: User) -> tuple[str, str, str]:
    """(name, ID number, label of the ID) of the applicant: a person's 身份证号码 or an enterprise's
    统一社会信用代码."""
    if applicant.credit_code:
        return applicant.organisation_name or applicant.real_name, applicant.credit_code, "统一社会信用代码"
    return applicant.real_name, applicant.id_number or "", "公民身份号码"


def printed_holder_id(certificate: Certificate) -> str:
    """The ID as printed and shown publicly: masked for a person, in full for an enterprise's code."""
    if certificate.holder_id_label == "统一社会信用代码":
        return certificate.holder_id_number
    return mask_id_number(certificate.holder_id_number) if certificate.holder_id_number else ""


def signing_identity(session: Session, settings: DocumentSettings, town_id: int,
                     issuer: str | None = None) -> SigningIdentity:
    """Who signs: the deployment's identity (created on first use in the county's name), or — for a
    document issued in another body's name (the entrusting office for 委托, the county office for 窗口前移,
    the town for 下放) — that body's own signing certificate under the same root. Raises SigningError."""
    town = session.get(Jurisdiction, town_id)
    assert town is not None
    root = settings.identity(f"{town.county.name}人民政府")
    return root.for_issuer(issuer) if issuer else root


def store_document(session: Session, settings: DocumentSettings, pdf: bytes, now: dt.datetime) -> StoredBlob:
    """Keep a signed PDF once, by its hash (the same bytes are never stored twice)."""
    digest = hashlib.sha256(pdf).hexdigest()
    blob = session.scalar(select(StoredBlob).where(StoredBlob.sha256 == digest))
    if blob is None:
        settings.store.write(digest, pdf)
        blob = StoredBlob(sha256=digest, size=len(pdf), content_type=PDF, created_at=now)
        session.add(blob)
        session.flush()
    return blob


def certificate_data(certificate: Certificate, settings: DocumentSettings, address: str = "",
                     case: Application | None = None) -> CertificateData:
    """What the PDF prints, from the certificate row (what was decided and designed, frozen at issue)."""
    authority = (Authority.entrusted(department=certificate.issuer_name, town=certificate.entrusted_body,
                                     seal=certificate.seal_text)
                 if certificate.entrusted_body else Authority(name=certificate.issuer_name, seal=certificate.seal_text))
    return CertificateData(
        certificate_number=certificate.number, certificate_name=certificate.certificate_name,
        holder_name=certificate.holder_name, holder_id=printed_holder_id(certificate),
        holder_id_label=certificate.holder_id_label, item_name=certificate.item_name, scope=certificate.scope,
        conditions=tuple(certificate.conditions or ()), valid_from=certificate.valid_from,
        valid_until=certificate.valid_until, legal_basis=certificate.legal_basis, authority=authority,
        issued_on=certificate.issued_on, verification_url=settings.verification_url(certificate.token),
        address=address, details=tuple((str(label), str(text)) for label, text in certificate.details or ()),
        layout=certificate.layout or "standard", validity_text=certificate.validity_text or "",
        **_labels(case or certificate.application))


def _labels(case: Application) -> dict[str, str]:
    """许可事项 / 许可范围 only on a 行政许可's certificate; 办理事项 / 核准内容 on the others'."""
    from power_lists.models import PowerType

    if case.power_item.power_type is PowerType.LICENSING:
        return {}
    return {"item_label": "办理事项", "scope_label": "核准内容"}


def _address(case: Application) -> str:
    site = (case.data or {}).get("site")
    if isinstance(site, dict):
        return str(site.get("detail") or "")
    return ""


def certificate_document(session: Session, certificate: Certificate, settings: DocumentSettings, now: dt.datetime,
                         *, case: Application | None = None) -> StoredBlob:
    """Render, sign and store the PDF of ``certificate``. Raises DocumentError."""
    case = case or certificate.application
    identity = signing_identity(session, settings, case.town_id, certificate.issuer_name)
    pdf = sign_pdf(session, render_certificate(certificate_data(certificate, settings, _address(case), case)), identity)
    return store_document(session, settings, pdf, now)


def issue(session: Session, case: Application, *, actor: User | None, now: dt.datetime,
          settings: DocumentSettings | None = None, replaces: Certificate | None = None,
          render: bool = True) -> Certificate:
    """Number, render, sign and store the e-certificate of the approved ``case`` (in the caller's
    transaction); with ``render=False`` the PDF is left for the first download. Raises DocumentError
    (rendering or signing failed: the caller must roll back)."""
    settings = settings or document_settings.current()
    item = case.power_item
    town = case.town
    authority = authority_for(item, town)
    code = issuer_code(item, town)
    today = local_date(now)
    seq = next_number(session, f"certificate:{code}", today.year)
    name, id_number, id_label = holder_of(case.applicant)
    guide: dict[str, Any] = item.guide or {}
    notice = next((n for n in reversed(case.notices) if n.kind.is_grant), None)
    decided: dict[str, Any] = (notice.content or {}).get("decision") or {} if notice else {}
    type_row = type_for_item(session, item.code, decided.get("certificate_type"))
    design = type_row.definition if type_row is not None else None
    conditions = _decided_lines(decided, "conditions")
    if case.pledge_signed_at is not None:
        conditions.append(PLEDGE_CONDITION)
    scope = decided_term(decided, "scope")
    valid_from = dt.date.fromisoformat(decided["valid_from"]) if decided.get("valid_from") else today
    if decided:  # what the decider fixed, and nothing else
        valid_until = dt.date.fromisoformat(decided["valid_until"]) if decided.get("valid_until") else None
        validity = decided_term(decided, "validity") or ""
    else:  # a decision taken before decision content existed: the guide's period, as it was printed
        valid_until, validity = validity_end(guide.get("result_validity"), today), ""
    details = None
    if design is not None:
        from service_hall.cases.procedures import case_form

        details = entries_for(design, form=case_form(session, case), data=case.data or {}, decision=decided,
                              facts={"item_name": item.full_name, "item_code": item.code,
                                     "legal_basis": legal_basis_text(item), "department": authority.issuer})
    certificate = Certificate(
        number=f"{code}{today.year}{seq:06d}", token=secrets.token_urlsafe(16), application_id=case.id,
        town_id=case.town_id, decision_notice_id=notice.id if notice else None, issuer_code=code,
        issuer_name=authority.issuer, entrusted_body=authority.entrusted_body, seal_text=authority.seal,
        certificate_name=(design or {}).get("name") or guide.get("result_name") or f"{item.name}决定书",
        holder_name=name, holder_id_number=id_number, holder_id_label=id_label, item_code=item.code,
        item_name=item.full_name, scope=scope or case.item_name, conditions=conditions, valid_from=valid_from,
        valid_until=valid_until, legal_basis=legal_basis_text(item), issued_on=today, issued_at=now,
        issued_by_id=actor.id if actor else None, status=CertificateStatus.VALID,
        replaces_id=replaces.id if replaces else None, lookup_count=0,
        type_code=(design or {}).get("code"), type_version=type_row.version if type_row else None,
        layout=(design or {}).get("layout"), details=details, validity_text=validity or None)
    if render:
        certificate.document_blob = certificate_document(session, certificate, settings, now, case=case)
    session.add(certificate)
    session.flush()
    record(session, actor=actor, action=AuditAction.CERTIFICATE_ISSUE, object_type="certificate",
           object_id=certificate.number, now=now, jurisdiction_id=case.town_id,
           payload={"number": certificate.number, "application_id": case.id,
                    "replaces": replaces.number if replaces else None})
    events.certificate(session, certificate, "certificate.issued", now=now)  # the outbox
    return certificate


_END_ACTIONS = {CertificateStatus.REVOKED: AuditAction.CERTIFICATE_REVOKED,
                CertificateStatus.REPLACED: AuditAction.CERTIFICATE_REPLACED}


def _end(session: Session, certificate: Certificate, status: CertificateStatus, *, actor: User | None,
         now: dt.datetime, reason: str) -> None:
    certificate.status = status
    certificate.revoked_at = now
    certificate.revocation_reason = reason
    certificate.revoked_by_id = actor.id if actor else None
    record(session, actor=actor, action=_END_ACTIONS[status], object_type="certificate",
           object_id=certificate.number, now=now, jurisdiction_id=certificate.town_id, reason=reason,
           payload={"number": certificate.number})
    events.certificate(session, certificate, f"certificate.{status.value}", now=now)  # the outbox


def revoke_for_case(session: Session, case: Application, *, actor: User | None, now: dt.datetime,
                    reason: str) -> list[Certificate]:
    """The approval of ``case`` was revoked: its valid certificates become 已撤销 with the same reason
    (the case transition has checked who may). Raises nothing."""
    revoked = [c for c in certificates_of(session, case) if c.status is CertificateStatus.VALID]
    for certificate in revoked:
        _end(session, certificate, CertificateStatus.REVOKED, actor=actor, now=now, reason=reason)
    session.flush()
    return revoked


def certificates_of(session: Session, case: Application) -> list[Certificate]:
    """Every certificate issued for ``case``, oldest first. Raises nothing."""
    return list(session.scalars(select(Certificate).where(Certificate.application_id == case.id)
                                .order_by(Certificate.id)))


def current_certificate(session: Session, case: Application) -> Certificate | None:
    """The case's certificate in force (None when none was issued or all were revoked/replaced)."""
    return next((c for c in reversed(certificates_of(session, case)) if c.status is CertificateStatus.VALID), None)


def reissue(session: Session, case: Application, *, actor: User, now: dt.datetime, reason: str,
            settings: DocumentSettings | None = None) -> Certificate:
    """换发 after a correction (e.g. the holder's name was corrected): a new certificate with a new
    number and the current data replaces the one in force, which is marked 已换发 with ``reason``;
    both stay in the history. Raises ValidationFailed (no reason), PermissionDenied (not a decider),
    Conflict (no certificate in force, case not approved), DocumentError."""
    from service_hall.accounts.permissions import Permission
    from service_hall.core.errors import PermissionDenied

    if not actor.can(Permission.CASE_DECIDE):
        raise PermissionDenied("只有负责人可以换发证照")
    text = (reason or "").strip()
    if not text or len(text) > 500:
        raise ValidationFailed("请写明换发理由", details={"reason": "请写明换发理由（500字以内）"})
    old = current_certificate(session, case)
    if old is None or case.status not in REISSUABLE:
        raise Conflict("本件没有可换发的有效证照")
    _end(session, old, CertificateStatus.REPLACED, actor=actor, now=now, reason=text)
    session.flush()
    return issue(session, case, actor=actor, now=now, settings=settings, replaces=old)


def preview_pdf(session: Session, definition: Mapping[str, Any], today: dt.date) -> bytes:
    """The type's layout as a PDF with sample data (unsigned, marked 样本), for legal affairs to look at
    before publishing. Raises DocumentError."""
    served = items_of(definition)
    item = latest_item(session, served[0]) if served else None
    town = item.delegations[0].town if item is not None and item.delegations else None
    authority = authority_for(item, town) if item is not None and town is not None else Authority(name="（发证机关）")
    return render_certificate(CertificateData(
        certificate_number="样本-000000", certificate_name=f"{definition.get('name') or '证照'}（样本）",
        holder_name="张三", holder_id="330199********0011", item_name=item.full_name if item else "（事项名称）",
        scope=item.full_name if item else "（事项名称）", valid_from=today,
        valid_until=dt.date(today.year + 2, today.month, min(today.day, 28)),
        legal_basis=legal_basis_text(item) if item else "（法律依据）", authority=authority, issued_on=today,
        verification_url="https://example.invalid/verify/sample",
        details=tuple((label, text) for label, text in sample_entries(definition)),
        layout=str(definition.get("layout") or "standard")))
