"""The statutory notices of the flow (Notice rows) as signed PDFs.

A notice's PDF is rendered from the facts frozen in ``Notice.content``, the case and the item the case is
pinned to, signed, and stored once (``Notice.document_blob_id``); afterwards the stored bytes are served.
The approval decision is rendered when the certificate is issued; the others on their first download.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from power_lists.models import PowerType
from service_hall.cases.clock import CHINA
from service_hall.cases.models import Application, Notice
from service_hall.cases.transitions import party_notice
from service_hall.certificates import settings as document_settings
from service_hall.certificates.issuing import (
    authority_for,
    holder_of,
    legal_basis_text,
    sign_pdf,
    signing_identity,
    store_document,
)
from service_hall.certificates.models import Certificate
from service_hall.certificates.settings import DocumentSettings
from service_hall.core.errors import Conflict, NotFound
from service_hall.documents.context import (
    CorrectionItem,
    DeliveryRecord,
    NoticeData,
    PermitTerms,
    Remedies,
    mask_id_number,
)
from service_hall.documents.errors import DocumentDataError
from service_hall.documents.kinds import DeliveryChannel, NoticeKind
from service_hall.files.models import StoredBlob


def render_notice(kind: NoticeKind, data: NoticeData) -> bytes:
    """The PDF (WeasyPrint is loaded on first use only). Raises DocumentDataError, DocumentRenderError."""
    from service_hall.documents.rendering import render_notice as render

    return render(kind, data)


def has_document(notice: Notice) -> bool:
    """Whether the notice is printed as a PDF (every kind has a template in service_hall/documents/templates/)."""
    return notice.kind in NoticeKind


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _remedies(session: Session, case: Application, content: dict[str, Any]) -> Remedies:
    county = case.town.county
    return Remedies(reconsideration_body=content.get("reconsideration_body") or f"{county.name}人民政府",
                    court=f"{county.name}人民法院")


def _permit(session: Session, notice: Notice) -> PermitTerms | None:
    certificate = session.scalar(select(Certificate).where(Certificate.decision_notice_id == notice.id)
                                 .order_by(Certificate.id))
    if certificate is None:
        return None
    return PermitTerms(certificate_name=certificate.certificate_name, certificate_number=certificate.number,
                       scope=certificate.scope, valid_from=certificate.valid_from,
                       valid_until=certificate.valid_until, validity_text=certificate.validity_text or "")


def _delivery(session: Session, case: Application, notice: Notice) -> DeliveryRecord:
    content = notice.content
    document = session.scalar(select(Notice).where(Notice.number == content.get("document")))
    # 电子送达: the applicant's opening of the document is the moment of delivery (docs/notifications.md).
    at = dt.datetime.fromisoformat(content.get("opened_at") or content["delivered_at"]).astimezone(CHINA)
    from service_hall.accounts.models import User

    clerk = session.get(User, notice.issued_by_id) if notice.issued_by_id else None
    return DeliveryRecord(
        document_title=document.kind.label if document else "决定书",
        document_number=content.get("document") or "", method=DeliveryChannel(content["channel"]),
        delivered_at=at.replace(tzinfo=None), recipient=content.get("recipient") or "",
        address=content.get("address") or ("申请人网上办事账户" if content["channel"] == "electronic" else ""),
        delivered_by=clerk.real_name if clerk else "", note=content.get("receipt_note") or "",
        signer=content.get("signer_name") or "", signer_relation=content.get("signer_relation") or "",
        signed_at=(dt.datetime.fromisoformat(content["signed_at"]).astimezone(CHINA).replace(tzinfo=None)
                   if content.get("signed_at") else None),
        witness=content.get("witness") or "")


def notice_data(session: Session, notice: Notice) -> NoticeData:
    """The document data of a Notice row. Raises KeyError/ValueError only for corrupt content; the
    renderer raises DocumentDataError when a kind's required facts are missing."""
    case = notice.application
    item = case.power_item
    town = case.town
    content = notice.content or {}
    name, id_number, id_label = holder_of(case.applicant)
    shown_id = mask_id_number(id_number) if id_label == "公民身份号码" and id_number else id_number
    values: dict[str, Any] = {
        "document_number": notice.number, "authority": authority_for(item, town), "applicant_name": name,
        "applicant_id": shown_id, "item_name": case.item_name, "legal_basis": legal_basis_text(item),
        "issued_on": notice.issued_on, "case_number": case.case_number or "", "received_on": case.received_on,
        "licensing": item.power_type is PowerType.LICENSING}
    kind = notice.kind
    values["deadline_provisional"] = bool(content.get("provisional"))
    if kind.is_grant:
        decided = content.get("decision") or {}
        values["terms"] = tuple((str(t["label"]), str(t["text"])) for t in decided.get("terms") or [])
        values["permit"] = _permit(session, notice)
        values["opinion"] = content.get("opinion") or ""
        party = party_notice(case)
        if party is not None:
            values["other_party"] = party.content.get("party") or ""
            values["answer"] = party.content.get("answer") or ""
    elif kind.is_refusal:
        values["reasons"] = tuple(r for r in [content.get("reason")] if r)
        values["remedies"] = _remedies(session, case, content)
        party = party_notice(case)
        if party is not None:
            values["other_party"] = party.content.get("party") or ""
    elif kind is NoticeKind.PARTY_NOTICE:
        values["other_party"] = content.get("party") or ""
        values["deadline"] = _date(content.get("answer_by"))
    elif kind is NoticeKind.ACCEPTANCE:
        values["deadline"] = _date(content.get("statutory_due_on") or content.get("due_on"))
        values["deemed_accepted"] = bool(content.get("deemed"))
        values["deferred"] = tuple(content.get("pledge") or ())
        values["deferred_due"] = _date(content.get("pledge_due_on"))
    elif kind is NoticeKind.CORRECTION:
        values["items"] = tuple(CorrectionItem(material=i.get("name") or i.get("target") or "",
                                               problem=i.get("problem") or "") for i in content.get("items") or [])
        values["deadline"] = _date(content.get("respond_by"))
    elif kind is NoticeKind.REFUSAL:
        values["reasons"] = tuple(r for r in [content.get("reason")] if r)
        values["competent_office"] = content.get("competent_office") or ""
        values["remedies"] = _remedies(session, case, content)
    elif kind is NoticeKind.EXTENSION:
        values["reasons"] = tuple(r for r in [content.get("reason")] if r)
        values["deadline"] = _date(content.get("statutory_due_on"))
    elif kind is NoticeKind.DELIVERY:
        values["delivery"] = _delivery(session, case, notice)
    elif kind is NoticeKind.REVOCATION_INTENT:
        values["reasons"] = tuple(r for r in [content.get("reason")] if r)
        values["deadline"] = _date(content.get("answer_by"))
    elif kind is NoticeKind.REVOCATION:
        values["reasons"] = tuple(r for r in [content.get("reason")] if r)
        values["remedies"] = _remedies(session, case, content)
    return NoticeData(**values)


def render_signed(session: Session, notice: Notice, settings: DocumentSettings) -> bytes:
    """Render and sign the notice's PDF (no storing). Raises NotFound (kind without a document),
    DocumentDataError, DocumentError."""
    if not has_document(notice):
        raise NotFound("该文书暂不提供电子文本")
    pdf = render_notice(notice.kind, notice_data(session, notice))
    case = notice.application
    issuer = authority_for(case.power_item, case.town).issuer
    return sign_pdf(session, pdf, signing_identity(session, settings, case.town_id, issuer))


def ensure_document(session: Session, notice: Notice, *, now: dt.datetime,
                    settings: DocumentSettings | None = None) -> StoredBlob:
    """The stored signed PDF of ``notice``, rendering and storing it first if this is the first time.
    The notice row is locked while that happens, so concurrent first downloads render once.
    Raises NotFound (kind without a document), DocumentDataError, DocumentError."""
    if notice.document_blob_id is not None:
        blob = session.get(StoredBlob, notice.document_blob_id)
        assert blob is not None
        return blob
    content = notice.content or {}
    if notice.kind is NoticeKind.DELIVERY and content.get("channel") == "electronic" and not content.get("opened_at"):
        # 电子送达 happens at the opening or the deemed date (docs/notifications.md): no receipt before it.
        raise Conflict("申请人尚未查阅该文书，电子送达以申请人查阅或依规定视为送达的时间为准，届时方可出具送达回证")
    settings = settings or document_settings.current()
    locked = session.scalar(select(Notice).where(Notice.id == notice.id).with_for_update()
                            .execution_options(populate_existing=True))
    assert locked is not None
    if locked.document_blob_id is None:
        blob = store_document(session, settings, render_signed(session, locked, settings), now)
        locked.document_blob_id = blob.id
        session.flush()
    stored = session.get(StoredBlob, locked.document_blob_id)
    assert stored is not None
    return stored


def receipt_data(session: Session, case: Application) -> NoticeData:
    """The 收件凭证 of ``case``: the materials attached when it was last received (submission or the
    answer to a correction), with the moment. Raises DocumentDataError when the case was never received."""
    if case.submitted_at is None or case.received_on is None:
        raise DocumentDataError("本件尚未提交，不能出具收件凭证")
    name, id_number, id_label = holder_of(case.applicant)
    shown_id = mask_id_number(id_number) if id_label == "公民身份号码" and id_number else id_number
    received_at = (case.corrections[-1].answered_at if case.corrections and case.corrections[-1].answered_at
                   else case.submitted_at)
    lines = tuple(f"{m.material_name}（{m.file.filename}）" for m in case.materials)
    return NoticeData(
        document_number=f"收件编号 {case.case_number}", authority=authority_for(case.power_item, case.town),
        applicant_name=name, applicant_id=shown_id, item_name=case.item_name,
        legal_basis=legal_basis_text(case.power_item), issued_on=case.received_on,
        case_number=case.case_number or "", received_on=case.received_on, received=lines,
        received_at=received_at.astimezone(CHINA).replace(tzinfo=None))


def render_receipt(session: Session, case: Application, settings: DocumentSettings | None = None) -> bytes:
    """The signed PDF of the case's 收件凭证 (rendered each time from what the case recorded; nothing is
    stored). Raises DocumentDataError, DocumentError."""
    settings = settings or document_settings.current()
    pdf = render_notice(NoticeKind.RECEIPT, receipt_data(session, case))
    issuer = authority_for(case.power_item, case.town).issuer
    return sign_pdf(session, pdf, signing_identity(session, settings, case.town_id, issuer))
