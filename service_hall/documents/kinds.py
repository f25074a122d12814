"""The words the documents and the case flow share: which statutory document (:class:`NoticeKind`) and how it
was delivered (:class:`DeliveryChannel`).

They live here, below both, because the document pipeline must not import the case flow
(``service_hall.cases.models`` stores these enums in its columns). The values are what the database stores.
"""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    """The statutory written documents of the application flow (行政许可法 第三十二、三十八、四十二、四十四条)."""

    ACCEPTANCE = "acceptance"  # 受理通知书
    CORRECTION = "correction"  # 补正材料告知书 (一次性告知)
    REFUSAL = "refusal"  # 不予受理决定书
    EXTENSION = "extension"  # 延长期限告知书
    APPROVAL = "approval"  # 准予行政许可决定书
    DENIAL = "denial"  # 不予行政许可决定书
    DELIVERY = "delivery"  # 送达回证
    REVOCATION = "revocation"  # 撤销行政许可决定书 (行政许可法 第六十九条)
    REVOCATION_INTENT = "revocation_intent"  # 撤销行政许可事先告知书 (陈述、申辩 before revoking)
    RECEIPT = "receipt"  # 收件凭证: what was received, and when (行政许可法 第三十二条); printed from the case

    @property
    def title(self) -> str:  # type: ignore[override]  # shadows str.title on purpose: the printed title
        """The document's title as printed and as shown in lists."""
        return _TITLES[self]

    @property
    def label(self) -> str:
        return _TITLES[self]

    @property
    def template(self) -> str:
        """The file in ``service_hall/documents/templates/`` that prints this kind."""
        return _TEMPLATES[self]

    @property
    def number_prefix(self) -> str:
        """文号 abbreviation, distinct per kind (不予受理 and 不予许可 must not share a number series)."""
        return _NUMBER_PREFIXES[self]


_TITLES = {
    NoticeKind.ACCEPTANCE: "受理通知书",
    NoticeKind.CORRECTION: "补正材料告知书",
    NoticeKind.REFUSAL: "不予受理决定书",
    NoticeKind.EXTENSION: "延长期限告知书",
    NoticeKind.APPROVAL: "准予行政许可决定书",
    NoticeKind.DENIAL: "不予行政许可决定书",
    NoticeKind.DELIVERY: "送达回证",
    NoticeKind.REVOCATION: "撤销行政许可决定书",
    NoticeKind.RECEIPT: "收件凭证",
    NoticeKind.REVOCATION_INTENT: "撤销行政许可事先告知书",
}
_TEMPLATES = {
    NoticeKind.ACCEPTANCE: "notice_acceptance.html",
    NoticeKind.CORRECTION: "notice_correction.html",
    NoticeKind.REFUSAL: "notice_refusal.html",
    NoticeKind.EXTENSION: "notice_extension.html",
    NoticeKind.APPROVAL: "decision_approval.html",
    NoticeKind.DENIAL: "decision_denial.html",
    NoticeKind.DELIVERY: "delivery_receipt.html",
    NoticeKind.REVOCATION: "decision_revocation.html",
    NoticeKind.RECEIPT: "notice_receipt.html",
    NoticeKind.REVOCATION_INTENT: "notice_revocation_intent.html",
}
_NUMBER_PREFIXES = {
    NoticeKind.ACCEPTANCE: "许受",
    NoticeKind.CORRECTION: "许补",
    NoticeKind.REFUSAL: "许不受",
    NoticeKind.EXTENSION: "许延",
    NoticeKind.APPROVAL: "许准",
    NoticeKind.DENIAL: "许不",
    NoticeKind.DELIVERY: "送达",
    NoticeKind.REVOCATION: "许撤",
    NoticeKind.RECEIPT: "收件",
    NoticeKind.REVOCATION_INTENT: "许撤告",
}


class DeliveryChannel(StrEnum):
    """送达方式 of a result document (行政许可法 第四十四条)."""

    ELECTRONIC = "electronic"
    WINDOW = "window"
    POST = "post"
    LEFT = "left"  # 留置送达: the recipient refused to sign; left at the address before a witness

    @property
    def label(self) -> str:
        """As offered to the clerk recording the delivery."""
        return _CHANNEL_LABELS[self]

    @property
    def legal_term(self) -> str:
        """As printed on the 送达回证: the term of the procedural law (窗口领取 is 直接送达)."""
        return _LEGAL_TERMS[self]


_CHANNEL_LABELS = {
    DeliveryChannel.ELECTRONIC: "电子送达",
    DeliveryChannel.WINDOW: "窗口领取（直接送达）",
    DeliveryChannel.POST: "邮寄送达",
    DeliveryChannel.LEFT: "留置送达（拒绝签收）",
}
_LEGAL_TERMS = {
    DeliveryChannel.ELECTRONIC: "电子送达",
    DeliveryChannel.WINDOW: "直接送达",
    DeliveryChannel.POST: "邮寄送达",
    DeliveryChannel.LEFT: "留置送达",
}
