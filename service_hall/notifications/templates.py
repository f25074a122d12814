"""Message templates in Chinese, per template key and channel.

A template is rendered at delivery time from the event's payload (``str.format`` fields listed beside
each key). SMS templates are short, start with the deployment's 【签名】 and never name an identity
number (the payload carries none; :func:`service_hall.notifications.channels.check_sms_text` refuses one
anyway). Only three things go by SMS: a correction asked, a deadline in two days, a result ready.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from service_hall.notifications.models import ChannelName

INBOX, EMAIL, SMS = ChannelName.INBOX, ChannelName.EMAIL, ChannelName.SMS


@dataclass(frozen=True)
class Template:
    title: str
    body: str
    sms: str | None = None  # None: never by SMS

    def channels(self) -> tuple[ChannelName, ...]:
        return (INBOX, EMAIL, SMS) if self.sms else (INBOX, EMAIL)


_CASE = "您申请的“{item_name}”（办件编号 {case_number}）"

TEMPLATES: dict[str, Template] = {
    # To the applicant.
    "applicant.submitted": Template(
        "申请已提交：{item_name}",
        _CASE + "已提交至{town_name}便民服务中心。窗口将在五个工作日内完成受理审查，结果会通过站内消息告知您。"),
    "applicant.resubmitted": Template(
        "补正材料已提交：{item_name}", _CASE + "的补正材料已提交，窗口将尽快审查。"),
    "applicant.withdrawn": Template("申请已撤回：{item_name}", _CASE + "已撤回。"),
    "applicant.special_started": Template(
        "办理时限暂停：{item_name}",
        _CASE + "进入听证、现场勘验、检验检测或专家评审等特别程序，所需时间不计入办理期限。"),
    "applicant.special_ended": Template(
        "办理时限恢复计算：{item_name}", _CASE + "的特别程序已结束，办理期限恢复计算。"),
    "notice.acceptance": Template(
        "已受理：{item_name}",
        _CASE + "已于 {issued_on} 受理，受理通知书（{notice_number}）已送达。承诺办结期限：{due_on}。"),
    "notice.correction": Template(
        "需补正材料：{item_name}",
        _CASE + "需要补正材料。请在 {respond_by} 前查看补正材料告知书（{notice_number}）并提交补正材料。",
        sms="{signature}您申请的{item_name}需补正材料，请于{respond_by}前登录网上办事大厅查看告知书并提交。"),
    "notice.refusal": Template(
        "不予受理：{item_name}", _CASE + "不予受理，不予受理决定书（{notice_number}）已送达，请查看理由和救济途径。"),
    "notice.extension": Template(
        "办理期限延长：{item_name}",
        _CASE + "的办理期限经负责人批准延长，延长期限告知书（{notice_number}）已送达。"
        "新的法定办结期限：{statutory_due_on}。"),
    "notice.approval": Template(
        "办理结果：准予许可（{item_name}）",
        _CASE + "已作出准予许可决定，决定书（{notice_number}）已送达，请登录查看并按告知方式领取证照。",
        sms="{signature}您申请的{item_name}已出办理结果，请登录网上办事大厅查看。"),
    "notice.denial": Template(
        "办理结果：不予许可（{item_name}）",
        _CASE + "已作出不予许可决定，决定书（{notice_number}）已送达，请查看理由和救济途径。",
        sms="{signature}您申请的{item_name}已出办理结果，请登录网上办事大厅查看。"),
    "notice.delivery": Template(
        "送达回证：{item_name}", _CASE + "的办理结果已送达（{channel_label}），本件办结。"),
    "notice.revocation": Template(
        "许可已撤销：{item_name}",
        _CASE + "的行政许可已被撤销，撤销决定书（{notice_number}）已送达，请查看理由和救济途径。"),
    "applicant.correction_due": Template(
        "补正期限将至：{item_name}",
        _CASE + "的补正期限为 {respond_by}，还剩两天。逾期未补正的，视为放弃申请。",
        sms="{signature}您申请的{item_name}补正期限为{respond_by}，还剩两天，请尽快提交补正材料。"),
    "applicant.rate": Template(
        "请评价本次办事：{item_name}",
        _CASE + "已办结。欢迎在办件页对本次服务作出评价（好差评），您的评价将用于改进服务。"),
    "applicant.message": Template(
        "办件留言：{item_name}", "{town_name}便民服务中心就" + _CASE + "给您留言：\n{excerpt}"),
    # To the hall's staff.
    "staff.new_case": Template(
        "新申请待受理：{case_number}", "{item_name}（{case_number}）已{what}，请在受理期限 {intake_due_on} 前审查。"),
    "staff.to_decide": Template(
        "待决定：{case_number}", "{item_name}（{case_number}）审查完毕，请负责人作出决定。"),
    "staff.deadline_near": Template(
        "办结期限将至：{case_number}", "{item_name}（{case_number}）的承诺办结期限为 {due_on}，还剩两天。"),
    "staff.warning": Template(
        "预警：{case_number}", "{item_name}（{case_number}）{situation}：{detail}"),
    "staff.message": Template(
        "申请人留言：{case_number}", "{item_name}（{case_number}）的申请人留言：\n{excerpt}"),
    "staff.rated": Template(
        "收到差评：{case_number}", "{item_name}（{case_number}）收到 {score} 分评价，请在整改期限内回访。"),
    "webhook.test": Template("事件推送测试", "这是一条测试事件。"),
}
# The decisions of the procedures other than 行政许可 (docs/architecture.md, "Procedures by power type"):
# each named by its own document.
for _kind in ("benefit_grant", "confirmation", "reward", "adjudication", "service_done", "other_grant"):
    TEMPLATES[f"notice.{_kind}"] = Template(
        "办理结果：{notice_label}（{item_name}）",
        _CASE + "已出办理结果，{notice_label}（{notice_number}）已送达，请登录查看。",
        sms="{signature}您申请的{item_name}已出办理结果，请登录网上办事大厅查看。")
for _kind in ("benefit_denial", "confirmation_denial", "reward_denial", "adjudication_dismissal", "service_declined",
              "other_denial"):
    TEMPLATES[f"notice.{_kind}"] = Template(
        "办理结果：{notice_label}（{item_name}）",
        _CASE + "已出办理结果，{notice_label}（{notice_number}）已送达，请查看理由和救济途径。",
        sms="{signature}您申请的{item_name}已出办理结果，请登录网上办事大厅查看。")


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "—"


@dataclass(frozen=True)
class Rendered:
    title: str
    text: str
    html: str
    sms: str | None


def render(key: str, payload: dict[str, Any], *, signature: str = "", link: str = "") -> Rendered:
    """The message ``key`` filled from ``payload``. Raises KeyError for an unknown template."""
    template = TEMPLATES[key]
    values = _Blank({k: v for k, v in payload.items() if v is not None})
    values["signature"] = f"【{signature}】" if signature else ""
    title = template.title.format_map(values)
    body = template.body.format_map(values)
    text = body + (f"\n\n查看详情：{link}" if link else "")
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in body.splitlines() if line)
    link_html = f'<p><a href="{html.escape(link)}">查看详情</a></p>' if link else ""
    # No images, no tracking pixels, no remote styles: the mail says what the inbox says.
    page = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"</head><body><h1>{html.escape(title)}</h1>{paragraphs}{link_html}</body></html>")
    sms = template.sms.format_map(values) if template.sms else None
    return Rendered(title, text, page, sms)
