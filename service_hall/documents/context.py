"""The data contract of the documents: what a caller must supply to render a certificate or a notice.

Plain frozen dataclasses (no ORM objects), so that a template cannot reach the database and a document
can be rendered again later from the values it was issued with. Dates are ``datetime.date``; names,
numbers and legal texts are strings exactly as they must be printed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from service_hall.documents.errors import DocumentDataError
from service_hall.documents.kinds import DeliveryChannel, NoticeKind

#: Info dictionary key (``/certificatenumber``) under which a certificate PDF carries its number, so that
#: a verifier can look up its status. It comes from ``<meta name="certificatenumber">`` in the template:
#: WeasyPrint lower-cases custom ``<meta>`` names and keeps only their letters and digits.
CERTIFICATE_NUMBER_INFO_KEY = "certificatenumber"


@dataclass(frozen=True)
class Authority:
    """Who acts, and in whose name the document is issued (赋权方式 decides; docs/architecture.md,
    "Delegation modes").

    ``name`` is the body that handles the case; ``acting_for`` is set only under 委托 (entrustment): the
    town acts **in the entrusting department's name**, so the document is issued by ``acting_for`` and
    names the town as the entrusted body. Use the constructors rather than the fields directly.
    """

    name: str
    acting_for: str | None = None
    seal: str | None = None  # the issuer's seal text when it differs from its name (an office record's)

    @classmethod
    def devolved(cls, town: str) -> Authority:
        """下放 / 交由行使: the town acts in its own name."""
        return cls(name=town)

    @classmethod
    def entrusted(cls, *, department: str, town: str, seal: str | None = None) -> Authority:
        """委托: the town acts in the name of the entrusting county department."""
        return cls(name=town, acting_for=department, seal=seal)

    @classmethod
    def front_window(cls, department: str, seal: str | None = None) -> Authority:
        """窗口前移: the town only takes the application in; the county department decides and issues."""
        return cls(name=department, seal=seal)

    @property
    def issuer(self) -> str:
        """The name printed as issuing authority and on the seal."""
        return self.acting_for or self.name

    @property
    def seal_text(self) -> str:
        """The text on the seal: the issuer's own seal text, else its name."""
        return self.seal or self.issuer

    @property
    def entrusted_body(self) -> str | None:
        """Under 委托, the town that acts on the issuer's behalf (printed as 受委托实施机关)."""
        return self.name if self.acting_for else None


@dataclass(frozen=True)
class Remedies:
    """Where the applicant can challenge a decision (行政复议 within 60 days, 行政诉讼 within 6 months)."""

    reconsideration_body: str
    court: str
    reconsideration_days: int = 60
    litigation_months: int = 6


@dataclass(frozen=True)
class CorrectionItem:
    """One missing or faulty material in a correction notice (一次性告知): the material and what is wrong."""

    material: str
    problem: str


@dataclass(frozen=True)
class DeliveryRecord:
    """送达: which document went to whom, how and when."""

    document_title: str
    document_number: str
    method: DeliveryChannel
    delivered_at: dt.datetime
    recipient: str
    address: str = ""  # postal address, e-mail, or the portal account for electronic delivery
    delivered_by: str = ""
    note: str = ""
    # Who actually signed, how and when (not pre-printed as the recipient): 本人 or 代收人; 留置 has a witness.
    signer: str = ""
    signer_relation: str = ""  # "本人" | "代收人"
    signed_at: dt.datetime | None = None
    witness: str = ""


@dataclass(frozen=True)
class PermitTerms:
    """What an approval grants (printed in 准予许可决定书)."""

    certificate_name: str
    certificate_number: str
    scope: str
    valid_from: dt.date
    valid_until: dt.date | None  # None: 长期有效
    validity_text: str = ""  # as decided; empty: printed from the dates


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on an e-certificate (电子证照).

    ``holder_id`` is printed as given: pass a masked ID number for a person (see :func:`mask_id_number`)
    or the 统一社会信用代码 for an enterprise, with ``holder_id_label`` naming which it is.
    ``verification_url`` is what the QR code encodes: the public verification page of this certificate.
    """

    certificate_number: str
    certificate_name: str
    holder_name: str
    holder_id: str
    item_name: str
    scope: str
    valid_from: dt.date
    valid_until: dt.date | None  # None: 长期有效
    legal_basis: str
    authority: Authority
    issued_on: dt.date
    verification_url: str
    conditions: tuple[str, ...] = ()
    holder_id_label: str = "公民身份号码"
    address: str = ""
    # The certificate type's 信息项 as printed, (label, text) each, and its layout (standard, approval, card).
    details: tuple[tuple[str, str], ...] = ()
    layout: str = "standard"
    # The validity as decided ("自…至…", "长期有效（自…起）"); empty: printed from valid_from / valid_until.
    validity_text: str = ""
    scope_label: str = "许可范围"
    item_label: str = "许可事项"


@dataclass(frozen=True)
class NoticeData:
    """The data of a notice or decision; one shape for every :class:`NoticeKind`. Which of the optional
    fields a kind needs is checked by :meth:`check` (see :data:`REQUIRED_FIELDS`).

    * ``document_number``: the 文号, e.g. ``某镇许受字〔2025〕12号``.
    * ``received_on``: the day the application was received; ``issued_on``: the date of the document.
    * ``deadline``: acceptance — the day the decision is due; correction — the day the materials are due;
      extension — the new decision deadline.
    * ``reasons``: refusal, extension and denial (one or more; printed as a numbered list when several).
    * ``items``: correction — every missing or faulty material (the notice is the one-time notice).
    * ``competent_office``: refusal — the body the applicant should turn to, if the item is not ours.
    * ``remedies``: refusal and denial — reconsideration body and court.
    """

    document_number: str
    authority: Authority
    applicant_name: str
    item_name: str
    legal_basis: str
    issued_on: dt.date
    applicant_id: str = ""  # masked ID number or credit code, as printed
    case_number: str = ""
    received_on: dt.date | None = None
    deadline: dt.date | None = None
    deemed_accepted: bool = False  # acceptance by operation of law (no action within 5 working days)
    # The deadline rests on days the official calendar does not cover yet (weekends-only guess).
    deadline_provisional: bool = False
    deferred: tuple[str, ...] = ()  # acceptance under 容缺: the materials still to be supplied
    deferred_due: dt.date | None = None
    received: tuple[str, ...] = ()  # receipt: each material received, as printed ("申请表（申请表.pdf）")
    received_at: dt.datetime | None = None  # receipt: the moment of receipt, local time
    reasons: tuple[str, ...] = ()
    items: tuple[CorrectionItem, ...] = ()
    competent_office: str = ""
    remedies: Remedies | None = None
    permit: PermitTerms | None = None
    delivery: DeliveryRecord | None = None
    contact: str = ""  # 联系人及电话 printed at the foot
    # Only 行政许可 cites the 行政许可法 and bears the 行政许可专用章; the other types use their own wording
    # and the office's own seal (docs/architecture.md, "Procedures by power type").
    licensing: bool = True
    terms: tuple[tuple[str, str], ...] = ()  # the decision content as printed, (label, text) each
    other_party: str = ""  # 行政裁决: the other party (答辩通知书, 裁决书)
    answer: str = ""  # 行政裁决: the other party's answer, when given
    opinion: str = ""  # the decider's note on a favourable decision

    def check(self, kind: NoticeKind) -> None:
        """Raise :class:`DocumentDataError` naming every field ``kind`` requires but this data lacks."""
        missing = [name for name in REQUIRED_FIELDS[kind] if not getattr(self, name)]
        if missing:
            raise DocumentDataError(f"{kind.title} 缺少必填内容：{', '.join(missing)}")


REQUIRED_FIELDS: dict[NoticeKind, tuple[str, ...]] = {
    NoticeKind.ACCEPTANCE: ("received_on", "deadline"),
    NoticeKind.CORRECTION: ("received_on", "items", "deadline"),
    NoticeKind.REFUSAL: ("received_on", "reasons", "remedies"),
    NoticeKind.EXTENSION: ("received_on", "reasons", "deadline"),
    NoticeKind.APPROVAL: ("received_on", "permit"),
    NoticeKind.DENIAL: ("received_on", "reasons", "remedies"),
    NoticeKind.DELIVERY: ("delivery",),
    NoticeKind.REVOCATION: ("reasons", "remedies"),
    NoticeKind.RECEIPT: ("received_on", "received_at"),
    NoticeKind.REVOCATION_INTENT: ("reasons", "deadline"),
    NoticeKind.BENEFIT_GRANT: ("received_on", "terms"),
    NoticeKind.BENEFIT_DENIAL: ("received_on", "reasons", "remedies"),
    NoticeKind.CONFIRMATION: ("received_on",),
    NoticeKind.CONFIRMATION_DENIAL: ("received_on", "reasons", "remedies"),
    NoticeKind.REWARD: ("received_on", "terms"),
    NoticeKind.REWARD_DENIAL: ("received_on", "reasons", "remedies"),
    NoticeKind.PARTY_NOTICE: ("other_party", "deadline"),
    NoticeKind.ADJUDICATION: ("received_on", "terms", "other_party"),
    NoticeKind.ADJUDICATION_DISMISSAL: ("received_on", "reasons", "remedies"),
    NoticeKind.SERVICE_DONE: ("received_on",),
    NoticeKind.SERVICE_DECLINED: ("received_on", "reasons"),
    NoticeKind.OTHER_GRANT: ("received_on",),
    NoticeKind.OTHER_DENIAL: ("received_on", "reasons", "remedies"),
}


def mask_id_number(id_number: str) -> str:
    """Mask a 居民身份证 number for public display: first 6 and last 4 characters kept
    (``330102199001011234`` → ``330102********1234``). Shorter values are masked but for the last 2."""
    value = id_number.strip()
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return "*" * max(len(value) - 2, 0) + value[-2:]

