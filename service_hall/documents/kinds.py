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
    # The outcomes of the other application power types (docs/architecture.md, "Procedures by power type").
    BENEFIT_GRANT = "benefit_grant"  # 给付决定书: the amount and the payment schedule
    BENEFIT_DENIAL = "benefit_denial"  # 不予给付决定书
    CONFIRMATION = "confirmation"  # 确认书
    CONFIRMATION_DENIAL = "confirmation_denial"  # 不予确认决定书
    REWARD = "reward"  # 奖励决定书: the award (an amount, an honour)
    REWARD_DENIAL = "reward_denial"  # 不予奖励决定书
    PARTY_NOTICE = "party_notice"  # 答辩通知书: 行政裁决, to the other party
    ADJUDICATION = "adjudication"  # 行政裁决书
    ADJUDICATION_DISMISSAL = "adjudication_dismissal"  # 驳回行政裁决申请决定书
    SERVICE_DONE = "service_done"  # 办结通知书: 公共服务, done and recorded
    SERVICE_DECLINED = "service_declined"  # 不予办理告知书: 公共服务
    OTHER_GRANT = "other_grant"  # 准予办理决定书: 其他行政权力
    OTHER_DENIAL = "other_denial"  # 不予办理决定书: 其他行政权力

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

    def number_prefix_for(self, licensing: bool) -> str:
        """The abbreviation for a case of a 行政许可 (``许受``) or of another power type (``受``): the
        documents every procedure shares drop the 许 outside licensing."""
        return self.number_prefix if licensing else _GENERAL_PREFIXES.get(self, self.number_prefix)

    @property
    def is_grant(self) -> bool:
        """The favourable decision of a procedure (准予许可, 给付, 确认, 奖励, 裁决, 办结, 准予办理)."""
        return self in GRANTS

    @property
    def is_refusal(self) -> bool:
        """The unfavourable decision of a procedure, after review (不予许可, 不予给付 …)."""
        return self in REFUSALS


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
    NoticeKind.BENEFIT_GRANT: "给付决定书",
    NoticeKind.BENEFIT_DENIAL: "不予给付决定书",
    NoticeKind.CONFIRMATION: "确认书",
    NoticeKind.CONFIRMATION_DENIAL: "不予确认决定书",
    NoticeKind.REWARD: "奖励决定书",
    NoticeKind.REWARD_DENIAL: "不予奖励决定书",
    NoticeKind.PARTY_NOTICE: "答辩通知书",
    NoticeKind.ADJUDICATION: "行政裁决书",
    NoticeKind.ADJUDICATION_DISMISSAL: "驳回行政裁决申请决定书",
    NoticeKind.SERVICE_DONE: "办结通知书",
    NoticeKind.SERVICE_DECLINED: "不予办理告知书",
    NoticeKind.OTHER_GRANT: "准予办理决定书",
    NoticeKind.OTHER_DENIAL: "不予办理决定书",
}
GRANTS = frozenset({NoticeKind.APPROVAL, NoticeKind.BENEFIT_GRANT, NoticeKind.CONFIRMATION, NoticeKind.REWARD,
                    NoticeKind.ADJUDICATION, NoticeKind.SERVICE_DONE, NoticeKind.OTHER_GRANT})
REFUSALS = frozenset({NoticeKind.DENIAL, NoticeKind.BENEFIT_DENIAL, NoticeKind.CONFIRMATION_DENIAL,
                      NoticeKind.REWARD_DENIAL, NoticeKind.ADJUDICATION_DISMISSAL, NoticeKind.SERVICE_DECLINED,
                      NoticeKind.OTHER_DENIAL})
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
    NoticeKind.PARTY_NOTICE: "notice_party.html",
    **{kind: "decision_outcome.html" for kind in (
        NoticeKind.BENEFIT_GRANT, NoticeKind.CONFIRMATION, NoticeKind.REWARD, NoticeKind.ADJUDICATION,
        NoticeKind.SERVICE_DONE, NoticeKind.OTHER_GRANT)},
    **{kind: "decision_outcome_refusal.html" for kind in (
        NoticeKind.BENEFIT_DENIAL, NoticeKind.CONFIRMATION_DENIAL, NoticeKind.REWARD_DENIAL,
        NoticeKind.ADJUDICATION_DISMISSAL, NoticeKind.SERVICE_DECLINED, NoticeKind.OTHER_DENIAL)},
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
    NoticeKind.BENEFIT_GRANT: "给",
    NoticeKind.BENEFIT_DENIAL: "不给",
    NoticeKind.CONFIRMATION: "确",
    NoticeKind.CONFIRMATION_DENIAL: "不确",
    NoticeKind.REWARD: "奖",
    NoticeKind.REWARD_DENIAL: "不奖",
    NoticeKind.PARTY_NOTICE: "裁答",
    NoticeKind.ADJUDICATION: "裁",
    NoticeKind.ADJUDICATION_DISMISSAL: "裁驳",
    NoticeKind.SERVICE_DONE: "办结",
    NoticeKind.SERVICE_DECLINED: "不办",
    NoticeKind.OTHER_GRANT: "准办",
    NoticeKind.OTHER_DENIAL: "不准办",
}
# The documents every procedure shares, numbered outside 行政许可 without the 许.
_GENERAL_PREFIXES = {
    NoticeKind.ACCEPTANCE: "受", NoticeKind.CORRECTION: "补", NoticeKind.REFUSAL: "不受", NoticeKind.EXTENSION: "延",
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
