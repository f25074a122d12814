"""免提交: reuse instead of upload. Where a form asks for a material that this system issued itself (an
e-certificate of the type the shared catalogue names) or that an earlier case of the applicant already
accepted, it is offered instead of an upload; the applicant may still upload. A certificate is verified
live when offered, when reused and whenever a clerk looks at it: expired, revoked or replaced ones are
neither offered nor accepted. Staff reuse an applicant's files only with the applicant: in their own
session, or with their signed consent at the window confirmed by the clerk. See docs/bundles.md, "Reuse".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.accounts.models import User
from service_hall.audit.actions import AuditAction
from service_hall.audit.trail import record
from service_hall.bundles import catalogue
from service_hall.bundles.composition import Composition
from service_hall.bundles.models import ReusedMaterial
from service_hall.cases.clock import local_date
from service_hall.cases.context import Context
from service_hall.cases.models import Application, ApplicationMaterial, CaseStatus
from service_hall.cases.rules import rules_for
from service_hall.certificates.models import Certificate, CertificateStatus, PublicStatus
from service_hall.core.errors import NotFound, PermissionDenied, ValidationFailed
from service_hall.files.models import ApplicantFile

ACCEPTED = (CaseStatus.ACCEPTED, CaseStatus.SPECIAL_PROCEDURE, CaseStatus.REVIEWED, CaseStatus.APPROVED,
            CaseStatus.DELIVERED)
CERTIFICATE = "cert"
MATERIAL = "mat"


@dataclass(frozen=True)
class Offer:
    """Something the applicant already has that can serve as a material: ``ref`` is what the page posts."""

    ref: str  # "cert:<id>" or "mat:<id>"
    label: str


def _certificate_label(c: Certificate, today: dt.date) -> str:
    until = f"，有效期至{c.valid_until.isoformat()}" if c.valid_until else "，长期有效"
    return f"电子证照 {c.certificate_name} 编号{c.number}（{c.public_status(today).label}{until}）"


def material_key(comp: Composition, composed: str, names: dict[tuple[str, str], str]) -> str:
    """The catalogue key of a composed material: its shared key, or the suggestion for its own name."""
    if composed.startswith("S-"):
        return composed.removeprefix("S-")
    code, material = comp.material_targets[composed][0]
    return next((m.key for m in catalogue.MATERIALS if any(w in names.get((code, material), "")
                                                           for w in m.words)), "")


def offers(session: Session, applicant: User, comp: Composition, now: dt.datetime) -> dict[str, list[Offer]]:
    """By composed material code, the applicant's valid certificates of the type it asks for, then the
    materials of the same kind their earlier cases had accepted."""
    today = local_date(now)
    names = {(code, m): name for code, m, name in _material_names(comp)}
    certificates = list(session.scalars(
        select(Certificate).join(Application, Certificate.application_id == Application.id)
        .where(Application.applicant_id == applicant.id, Certificate.status == CertificateStatus.VALID)
        .order_by(Certificate.issued_at.desc())))
    accepted = list(session.scalars(
        select(ApplicationMaterial).join(Application, ApplicationMaterial.application_id == Application.id)
        .where(Application.applicant_id == applicant.id, Application.status.in_(ACCEPTED))
        .order_by(ApplicationMaterial.attached_at.desc())))
    out: dict[str, list[Offer]] = {}
    for material in comp.definition.materials:
        key = material_key(comp, material.code, names)
        entry = catalogue.MATERIAL_KEYS.get(key)
        if entry is None:
            continue
        found = [Offer(f"{CERTIFICATE}:{c.id}", "复用：" + _certificate_label(c, today)) for c in certificates
                 if any(w in c.certificate_name for w in entry.certificates)
                 and c.public_status(today) is PublicStatus.VALID]
        seen: set[int] = set()
        for m in accepted:
            if m.file_id in seen or not any(w in m.material_name for w in entry.words):
                continue
            seen.add(m.file_id)
            found.append(Offer(f"{MATERIAL}:{m.id}", f"复用：已受理的材料 {m.material_name}（{m.file.filename}，"
                                                       f"办件 {m.application.case_number}）"))
        if found:
            out[material.code] = found
    return out


def _material_names(comp: Composition) -> Iterable[tuple[str, str, str]]:
    for placement in comp.placements:
        if placement.kind == "material":
            yield placement.item_code, placement.name, placement.label


def reuse(ctx: Context, *, applicant: User, ref: str, material_name: str,
          consent_signed: bool = False) -> ApplicantFile:
    """The file that serves as the material ``material_name``, from an offer's ``ref``, checked live.

    Raises PermissionDenied (staff without the applicant's signed consent), NotFound (not the applicant's
    certificate or material), ValidationFailed (the certificate is expired, revoked or replaced).
    """
    actor = ctx.user
    consent = "session" if actor.id == applicant.id else "signed"
    if consent == "signed" and not consent_signed:
        raise PermissionDenied("复用申请人的电子证照或材料须申请人本人同意：请申请人签署授权后勾选确认")
    kind, _, raw_id = ref.partition(":")
    if not raw_id.isdigit():
        raise NotFound("未找到可复用的证照或材料")
    today = local_date(ctx.now)
    certificate = None
    source = None
    if kind == CERTIFICATE:
        certificate = ctx.session.get(Certificate, int(raw_id))
        if certificate is None or certificate.application.applicant_id != applicant.id:
            raise NotFound("未找到可复用的证照或材料")
        status = certificate.public_status(today)
        if status is not PublicStatus.VALID:
            raise ValidationFailed(f"电子证照 {certificate.number} {status.label}，不能复用，请上传材料",
                                   details={"reuse": f"电子证照 {certificate.number} {status.label}，不能复用"})
        file = _certificate_file(ctx.session, certificate, applicant, material_name, ctx.now)
        label, status_text = _certificate_label(certificate, today), status.value
    elif kind == MATERIAL:
        source = ctx.session.get(ApplicationMaterial, int(raw_id))
        if (source is None or source.application.applicant_id != applicant.id
                or source.application.status not in ACCEPTED):
            raise NotFound("未找到可复用的证照或材料")
        file = source.file
        label, status_text = f"已受理的材料 {source.material_name}（办件 {source.application.case_number}）", "accepted"
    else:
        raise NotFound("未找到可复用的证照或材料")
    ctx.session.add(ReusedMaterial(owner_id=applicant.id, file_id=file.id,
                                   certificate_id=certificate.id if certificate else None,
                                   source_material_id=source.id if source else None, label=label,
                                   status_at_reuse=status_text, consent=consent, reused_at=ctx.now,
                                   reused_by_id=actor.id))
    ctx.session.flush()
    record(ctx.session, actor=actor, action=AuditAction.MATERIAL_REUSE, object_type="applicant_file",
           object_id=file.id, now=ctx.now,
           payload={"applicant": applicant.id, "as": material_name, "what": label, "consent": consent})
    return file


def _certificate_file(session: Session, certificate: Certificate, applicant: User, material_name: str,
                      now: dt.datetime) -> ApplicantFile:
    """The applicant's file of the certificate's document, as the material ``material_name``."""
    from service_hall.certificates.service import ensure_certificate_document

    blob = ensure_certificate_document(session, certificate, now=now)
    file = session.scalar(select(ApplicantFile).where(
        ApplicantFile.owner_id == applicant.id, ApplicantFile.blob_id == blob.id,
        ApplicantFile.material_name == material_name))
    if file is None:
        file = ApplicantFile(owner=applicant, blob=blob, material_name=material_name,
                             filename=f"电子证照{certificate.number}.pdf", uploaded_at=now)
        session.add(file)
        session.flush()
    return file


ORDER = "order"  # how the applicant agreed to an automatic reuse: by applying for a bundle whose order says so


def result_material(certificate: Certificate, case: Application) -> tuple[str, str]:
    """(code, name) of the material of ``case`` that ``certificate`` serves as: the material of its form
    that asks for that certificate type, or else the input the bundle's order names."""
    for material in rules_for(case.power_item).materials:
        entry = next((m for m in catalogue.MATERIALS if any(w in material.name for w in m.words)), None)
        if entry is not None and any(w in certificate.certificate_name for w in entry.certificates):
            return material.code, material.name
    return f"result-{certificate.application_id}"[:32], f"前置事项办理结果：{certificate.certificate_name}"


def attach_result(session: Session, certificate: Certificate, case: Application, *,
                  now: dt.datetime) -> ApplicationMaterial | None:
    """A later bundle item receives the certificate an earlier item's grant issued, as a reused material
    verified live (docs/bundles.md, "Order"); None when it is not valid today. The applicant agreed by
    applying for the bundle whose order says one item's result is the other's input (``consent="order"``).
    A file the applicant uploaded for that material is replaced by the certificate."""
    today = local_date(now)
    status = certificate.public_status(today)
    if status is not PublicStatus.VALID:
        return None
    code, name = result_material(certificate, case)
    file = _certificate_file(session, certificate, case.applicant, name, now)
    label = _certificate_label(certificate, today)
    session.add(ReusedMaterial(owner_id=case.applicant_id, file_id=file.id, certificate_id=certificate.id,
                               source_material_id=None, label=label, status_at_reuse=status.value, consent=ORDER,
                               reused_at=now, reused_by_id=case.applicant_id))
    attached = next((m for m in case.materials if m.material_code == code), None)
    replaced = attached.file.filename if attached is not None else None
    if attached is None:
        attached = ApplicationMaterial(material_code=code, material_name=name, file=file, attached_at=now)
        case.materials.append(attached)
    else:
        attached.file, attached.attached_at = file, now
    session.flush()
    record(session, actor=None, action=AuditAction.MATERIAL_REUSE, object_type="application", object_id=case.id,
           now=now, jurisdiction_id=case.town_id,
           payload={"applicant": case.applicant_id, "as": name, "what": label, "consent": ORDER,
                    "certificate": certificate.number, "replaced": replaced})
    return attached


def reuse_notes(session: Session, file_ids: Iterable[int], now: dt.datetime) -> dict[int, str]:
    """What each reused file is, verified live now: "复用：电子证照 … 编号… 有效" (or 已撤销 / 已过期)."""
    ids = list(set(file_ids))
    if not ids:
        return {}
    today = local_date(now)
    out: dict[int, str] = {}
    for row in session.scalars(select(ReusedMaterial).where(ReusedMaterial.file_id.in_(ids))
                               .order_by(ReusedMaterial.reused_at)):
        if row.certificate_id is not None:
            certificate = session.get(Certificate, row.certificate_id)
            if certificate is not None:
                out[row.file_id] = (f"复用：电子证照 {certificate.certificate_name} 编号{certificate.number} "
                                    f"{certificate.public_status(today).label}")
        else:
            out[row.file_id] = "复用：" + row.label
    return out
