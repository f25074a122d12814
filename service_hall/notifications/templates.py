"""Message templates in Chinese, per event (template key) and channel: built-in defaults, which an
administrator may override with a preview and reset again (docs/notifications.md, "Templates").

Templates are Jinja text rendered in the sandbox at delivery time from the event's payload; only the
documented variables (:data:`VARIABLES`, per key :func:`variables_for`) may be used, which is checked on
save together with the syntax, each error with its line. The payload never carries names or identity
numbers; an SMS template must start with ``{{ signature }}`` (the deployment's 【签名】) and may not contain
an identity number either. Only three things go by SMS: a correction asked, a deadline in two days, a
result ready.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError, Undefined, meta, nodes
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session, SessionTransaction

from service_hall.accounts.models import User
from service_hall.audit.trail import record
from service_hall.core.errors import NotFound, ValidationFailed
from service_hall.notifications.models import ChannelName, MessageTemplate

INBOX, EMAIL, SMS = ChannelName.INBOX, ChannelName.EMAIL, ChannelName.SMS

ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
SMS_SEGMENT = 70  # characters in one SMS
SMS_LONG_SEGMENT = 67  # characters per part of a longer one (the rest carries the part header)


def sms_segments(text: str) -> int:
    """How many SMS the text costs: 70 characters fit one; longer texts go in parts of 67."""
    return 1 if len(text) <= SMS_SEGMENT else math.ceil(len(text) / SMS_LONG_SEGMENT)


@dataclass(frozen=True)
class Template:
    title: str
    body: str
    sms: str | None = None  # None: never by SMS
    email: str | None = None  # the mail's text when it must say less than the inbox (None: the body)

    def channels(self) -> tuple[ChannelName, ...]:
        return (INBOX, EMAIL, SMS) if self.sms else (INBOX, EMAIL)


_CASE = "您申请的“{{ item_name }}”（办件编号 {{ case_number }}）"
# A decision is shown once its notice is opened (电子送达): mail, which is not a receipt, only says it is there.
_DECIDED = _CASE + "有一份决定文书（{{ notice_number }}）待查收，请登录网上办事大厅打开查看。打开即视为送达。"

TEMPLATES: dict[str, Template] = {
    # To the applicant.
    "applicant.submitted": Template(
        "申请已提交：{{ item_name }}",
        _CASE + "已提交至{{ town_name }}便民服务中心。窗口将在五个工作日内完成受理审查，结果会通过站内消息告知您。"),
    "applicant.resubmitted": Template(
        "补正材料已提交：{{ item_name }}", _CASE + "的补正材料已提交，窗口将尽快审查。"),
    "applicant.withdrawn": Template("申请已撤回：{{ item_name }}", _CASE + "已撤回。"),
    "applicant.awaiting": Template(
        "申请已提交，待前置事项办结：{{ item_name }}",
        _CASE + "需要同一件事中前置事项的办理结果，待前置事项准予后自动转入受理审查，办理期限届时起算。"),
    "applicant.prerequisite_done": Template(
        "前置事项已办结，开始办理：{{ item_name }}",
        _CASE + "所需的前置事项已准予，本事项自今日起视为收到申请，窗口将在五个工作日内完成受理审查。"),
    "applicant.terminated": Template(
        "终止办理：{{ item_name }}",
        _CASE + "所需的前置事项未获准予或已撤回，本事项无法继续办理，已终止办理。详情请查看一件事办理进度。"),
    "applicant.special_started": Template(
        "办理时限暂停：{{ item_name }}",
        _CASE + "进入听证、现场勘验、检验检测或专家评审等特别程序，所需时间不计入办理期限。"),
    "applicant.special_ended": Template(
        "办理时限恢复计算：{{ item_name }}", _CASE + "的特别程序已结束，办理期限恢复计算。"),
    "notice.acceptance": Template(
        "已受理：{{ item_name }}",
        _CASE + "已于 {{ issued_on }} 受理，受理通知书（{{ notice_number }}）已送达。承诺办结期限：{{ due_on }}。"),
    "notice.correction": Template(
        "需补正材料：{{ item_name }}",
        _CASE + "需要补正材料。请在 {{ respond_by }} 前查看补正材料告知书（{{ notice_number }}）并提交补正材料。",
        sms="{{ signature }}您申请的{{ item_name }}需补正材料，请于{{ respond_by }}前"
            "登录网上办事大厅查看告知书并提交。"),
    "notice.refusal": Template(
        "受理审查结果已出：{{ item_name }}",
        _CASE + "不予受理，不予受理决定书（{{ notice_number }}）已送达，请查看理由和救济途径。", email=_DECIDED),
    "notice.extension": Template(
        "办理期限延长：{{ item_name }}",
        _CASE + "的办理期限经负责人批准延长，延长期限告知书（{{ notice_number }}）已送达。"
        "新的法定办结期限：{{ statutory_due_on }}。"),
    "notice.approval": Template(
        "办理结果已出：{{ item_name }}",
        _CASE + "已作出准予许可决定，决定书（{{ notice_number }}）已送达，请登录查看并按告知方式领取证照。",
        email=_DECIDED,
        sms="{{ signature }}您申请的{{ item_name }}已出办理结果，请登录网上办事大厅查看。"),
    "notice.denial": Template(
        "办理结果已出：{{ item_name }}",
        _CASE + "已作出不予许可决定，决定书（{{ notice_number }}）已送达，请查看理由和救济途径。",
        email=_DECIDED,
        sms="{{ signature }}您申请的{{ item_name }}已出办理结果，请登录网上办事大厅查看。"),
    "notice.delivery": Template(
        "送达回证：{{ item_name }}", _CASE + "的办理结果已送达（{{ channel_label }}），本件办结。"),
    "notice.revocation": Template(
        "行政许可决定文书：{{ item_name }}",
        _CASE + "的行政许可已被撤销，撤销决定书（{{ notice_number }}）已送达，请查看理由和救济途径。",
        email=_DECIDED),
    "applicant.correction_due": Template(
        "补正期限将至：{{ item_name }}",
        _CASE + "的补正期限为 {{ respond_by }}，还剩两天。逾期未补正的，视为放弃申请。",
        sms="{{ signature }}您申请的{{ item_name }}补正期限为{{ respond_by }}，还剩两天，请尽快提交补正材料。"),
    "applicant.rate_accepted": Template(
        "请评价受理服务：{{ item_name }}",
        _CASE + "已受理。欢迎在办件页对受理环节作出评价（好差评），评价指标：{{ indicators }}。"
        "您的评价将用于改进服务。"),
    "applicant.rate": Template(
        "请评价本次办事：{{ item_name }}",
        _CASE + "已办结。欢迎在办件页对本次服务作出评价（好差评），评价指标：{{ indicators }}。"
        "您的评价将用于改进服务。"),
    "applicant.message": Template(
        "办件留言：{{ item_name }}", "{{ town_name }}便民服务中心就" + _CASE + "给您留言：\n{{ excerpt }}"),
    # To the hall's staff.
    "staff.new_case": Template(
        "新申请待受理：{{ case_number }}",
        "{{ item_name }}（{{ case_number }}）已{{ what }}，请在受理期限 {{ intake_due_on }} 前审查。"),
    "staff.to_decide": Template(
        "待决定：{{ case_number }}", "{{ item_name }}（{{ case_number }}）审查完毕，请负责人作出决定。"),
    "staff.deadline_near": Template(
        "办结期限将至：{{ case_number }}",
        "{{ item_name }}（{{ case_number }}）的承诺办结期限为 {{ due_on }}，还剩两天。"),
    "staff.opinion_due": Template(
        "征求意见答复期限将至：{{ case_number }}",
        "{{ town_name }}就{{ item_name }}（{{ case_number }}）向{{ asked_of }}征求意见，请于 {{ opinion_due_on }} "
        "前在工作台答复。"),
    "staff.warning": Template(
        "预警：{{ case_number }}", "{{ item_name }}（{{ case_number }}）{{ situation }}：{{ detail }}"),
    "staff.message": Template(
        "申请人留言：{{ case_number }}", "{{ item_name }}（{{ case_number }}）的申请人留言：\n{{ excerpt }}"),
    "staff.rated": Template(
        "收到差评：{{ case_number }}",
        "{{ item_name }}（{{ case_number }}）收到 {{ score }} 分评价，请在整改期限内回访。"),
    "applicant.reuse_code": Template(
        "材料复用授权码",
        "{{ town_name }}便民服务中心窗口正在为您帮办代办，需要复用您以往上传的材料。授权码：{{ code }}，"
        "{{ minutes }} 分钟内有效，仅能使用一次。请只在窗口当面告诉工作人员；如不是您本人在窗口办理，请勿告诉任何人。",
        sms="{{ signature }}材料复用授权码{{ code }}，{{ minutes }}分钟内有效。仅在窗口当面告知工作人员，"
        "非本人办理请勿告知他人。"),
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


# What each template is for, as the administrator's list names it.
KEY_LABELS = {
    "applicant.submitted": "申请人：申请已提交", "applicant.resubmitted": "申请人：补正材料已提交",
    "applicant.withdrawn": "申请人：申请已撤回", "applicant.awaiting": "申请人：待前置事项办结",
    "applicant.prerequisite_done": "申请人：前置事项办结，开始办理", "applicant.terminated": "申请人：终止办理",
    "applicant.special_started": "申请人：进入特别程序",
    "applicant.special_ended": "申请人：特别程序结束", "notice.acceptance": "申请人：受理通知书",
    "notice.correction": "申请人：补正材料告知书", "notice.refusal": "申请人：不予受理决定书",
    "notice.extension": "申请人：延长期限告知书", "notice.approval": "申请人：准予许可决定书",
    "notice.denial": "申请人：不予许可决定书", "notice.delivery": "申请人：送达回证",
    "notice.revocation": "申请人：撤销决定书", "applicant.correction_due": "申请人：补正期限将至",
    "applicant.rate_accepted": "申请人：邀请评价受理环节", "applicant.rate": "申请人：邀请评价办结环节",
    "applicant.message": "申请人：窗口留言",
    "staff.new_case": "工作人员：新申请待受理", "staff.to_decide": "工作人员：待决定",
    "staff.deadline_near": "工作人员：办结期限将至", "staff.opinion_due": "工作人员：征求意见答复期限将至",
    "staff.warning": "工作人员：预警",
    "staff.message": "工作人员：申请人留言", "staff.rated": "工作人员：收到差评",
    "applicant.reuse_code": "申请人：材料复用授权码", "webhook.test": "事件推送测试",
}

# Every variable a template may use, with what it is. No variable carries a name or an identity number.
VARIABLES: dict[str, str] = {
    "case_number": "办件编号", "item_name": "事项名称", "item_code": "事项编码", "town_name": "乡镇名称",
    "status_label": "办件状态", "intake_due_on": "受理期限", "due_on": "承诺办结期限",
    "statutory_due_on": "法定办结期限", "notice_number": "文书编号", "notice_label": "文书名称",
    "issued_on": "文书日期", "respond_by": "补正期限", "channel_label": "送达方式", "excerpt": "留言摘要（120字以内）",
    "what": "提交情形（提交／补正后重新提交）", "situation": "预警情形", "detail": "预警详情", "score": "评分",
    "code": "一次性授权码", "minutes": "有效分钟数", "asked_of": "征求意见对象", "opinion_due_on": "征求意见答复期限",
    "signature": "短信签名【…】（由部署配置）", "indicators": "好差评指标（按网上／窗口办理）",
}
_CASE_VARIABLES = ("case_number", "item_name", "item_code", "town_name", "status_label", "intake_due_on",
                   "due_on", "statutory_due_on")
_NOTICE_VARIABLES = ("notice_number", "notice_label", "issued_on", "respond_by", "channel_label")

# Sample values for the preview.
SAMPLE: dict[str, str] = {
    "case_number": "QX-2026-000123", "item_name": "农村村民宅基地和建房（规划许可）审批", "item_code": "XK-001",
    "town_name": "青山镇", "status_label": "已受理", "intake_due_on": "2026-12-09", "due_on": "2026-12-23",
    "statutory_due_on": "2027-01-06", "notice_number": "青山镇许受〔2026〕12号", "notice_label": "受理通知书",
    "issued_on": "2026-12-02", "respond_by": "2026-12-16", "channel_label": "电子送达",
    "excerpt": "请补充拟建房屋的四至示意图。", "what": "提交", "situation": "超过承诺期限",
    "detail": "承诺期限 2026-12-23，尚未办结", "score": "2", "code": "123456", "minutes": "10",
    "asked_of": "白沙镇", "opinion_due_on": "2026-12-04",
    "indicators": "整体满意度、办事效率、办事指南精确度、办事便捷度、平台操作性",
}

# The parts an administrator edits, per channel.
PARTS: dict[ChannelName, tuple[tuple[str, str], ...]] = {
    INBOX: (("title", "标题"), ("body", "正文")),
    EMAIL: (("subject", "邮件主题"), ("text", "纯文本正文"), ("html", "HTML 正文（留空则由纯文本生成）")),
    SMS: (("text", "短信内容"),),
}
_LIMITS = {"title": 200, "subject": 200, "body": 2000, "text": 2000, "html": 8000}
SMS_LIMIT = 300
# Mail says what the text says: no images (tracking pixels), scripts, remote styles or event handlers.
_HTML_REFUSED = re.compile(r"<\s*(?:script|img|iframe|link|style|object|embed|form)\b|\bsrc\s*=|\bon[a-z]+\s*=|url\(",
                           re.IGNORECASE)
_SMS_START = re.compile(r"^\{\{-?\s*signature\s*-?\}\}")


class _Dash(Undefined):
    """A value the event did not carry reads as a dash, never as an empty gap or an error."""

    def __str__(self) -> str:
        return "—"

    def __html__(self) -> str:
        return "—"


_TEXT = SandboxedEnvironment(undefined=_Dash, autoescape=False)
_HTML = SandboxedEnvironment(undefined=_Dash, autoescape=True)


@functools.lru_cache(maxsize=512)
def _compiled(source: str, html: bool) -> Any:
    return (_HTML if html else _TEXT).from_string(source)


def _html_of(text: str) -> str:
    """The default HTML part: one paragraph per line of the text (values are escaped when rendered)."""
    return "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())


def _builtin(key: str) -> Template:
    found = TEMPLATES.get(key)
    if found is None:
        raise NotFound("未找到该消息模板")
    return found


def channels_of(key: str) -> tuple[ChannelName, ...]:
    """The channels a template exists for (SMS only where the law's notices need it). Raises NotFound."""
    return _builtin(key).channels()


def defaults(key: str, channel: ChannelName) -> dict[str, str]:
    """The built-in parts of one template on one channel. Raises NotFound (unknown key or channel)."""
    t = _builtin(key)
    if channel not in t.channels():
        raise NotFound("该消息没有此发送渠道的模板")
    if channel is INBOX:
        return {"title": t.title, "body": t.body}
    if channel is EMAIL:
        text = t.email or t.body
        return {"subject": t.title, "text": text, "html": _html_of(text)}
    assert t.sms is not None
    return {"text": t.sms}


def stored(session: Session, key: str, channel: ChannelName) -> MessageTemplate | None:
    return session.scalar(select(MessageTemplate).where(MessageTemplate.key == key,
                                                        MessageTemplate.channel == channel))


_OVERRIDES_KEY = "notifications.templates"


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_overrides(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_OVERRIDES_KEY, None)


def _overrides(session: Session) -> dict[tuple[str, ChannelName], dict[str, str]]:
    """The administrator's templates, read once per transaction (the dispatcher renders many messages)."""
    found = session.info.get(_OVERRIDES_KEY)
    if found is None:
        found = session.info[_OVERRIDES_KEY] = {(t.key, t.channel): dict(t.parts or {})
                                                for t in session.scalars(select(MessageTemplate))}
    return found


def effective(session: Session | None, key: str, channel: ChannelName) -> dict[str, str]:
    """The parts in force: the administrator's where saved, the built-in ones otherwise."""
    parts = defaults(key, channel)
    saved = _overrides(session).get((key, channel)) if session is not None else None
    if saved is not None:
        parts.update({k: v for k, v in saved.items() if k in parts})
        if channel is EMAIL and not parts.get("html", "").strip():
            parts["html"] = _html_of(parts["text"])
    return parts


def variables_for(key: str) -> tuple[str, ...]:
    """The variables ``key``'s templates may use: the case's, a notice's for notices, and those its built-in
    text uses. Raises NotFound."""
    t = _builtin(key)
    used: set[str] = {"signature", *_CASE_VARIABLES}
    if key.startswith("notice."):
        used |= set(_NOTICE_VARIABLES)
    for source in (t.title, t.body, t.sms or "", t.email or ""):
        used |= meta.find_undeclared_variables(_TEXT.parse(source))
    return tuple(name for name in VARIABLES if name in used)


@dataclass(frozen=True)
class Rendered:
    title: str  # the inbox's
    text: str  # the inbox's, with the link
    html: str  # the mail's HTML part (a whole page)
    sms: str | None
    email_title: str = ""
    email_text: str = ""  # the mail's text part, with the link


def _values(payload: Mapping[str, Any], signature: str) -> dict[str, Any]:
    values = {k: v for k, v in payload.items() if v is not None}
    values["signature"] = f"【{signature}】" if signature else ""
    return values


def _fill(parts: Mapping[str, str], values: Mapping[str, Any]) -> dict[str, str]:
    return {name: _compiled(source, name == "html").render(values) for name, source in parts.items()}


def _page(title: str, body_html: str, link: str) -> str:
    # No images, no tracking pixels, no remote styles: the mail says what the text part says.
    link_html = Markup('<p><a href="{}">查看详情</a></p>').format(link) if link else ""
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"</head><body><h1>{escape(title)}</h1>{body_html}{link_html}</body></html>")


def render(key: str, payload: Mapping[str, Any], *, signature: str = "", link: str = "",
           session: Session | None = None) -> Rendered:
    """The message ``key`` filled from ``payload``, with the administrator's templates when ``session`` is
    given. A saved template that fails at delivery (it was checked on save) gives way to the built-in one.
    Raises NotFound for an unknown template."""
    values = _values(payload, signature)
    filled: dict[ChannelName, dict[str, str]] = {}
    for channel in channels_of(key):
        try:
            filled[channel] = _fill(effective(session, key, channel), values)
        except TemplateError:
            filled[channel] = _fill(defaults(key, channel), values)
    inbox, email = filled[INBOX], filled[EMAIL]
    more = f"\n\n查看详情：{link}" if link else ""
    sms = filled[SMS]["text"] if SMS in filled else None
    return Rendered(title=inbox["title"], text=inbox["body"] + more,
                    html=_page(email["subject"], email["html"], link), sms=sms,
                    email_title=email["subject"], email_text=email["text"] + more)


# --- the administrator's editing -----------------------------------------------------------------------

def _line_of(tree: nodes.Template, name: str) -> int:
    return min((n.lineno for n in tree.find_all(nodes.Name) if n.name == name), default=1)


def check(key: str, channel: ChannelName, data: Mapping[str, Any]) -> dict[str, str]:
    """The parts of one template as saved: each known part a string, the syntax sound, only the key's
    variables, SMS starting with the signature and carrying no identity number, and the sample renders.
    Raises NotFound (unknown template or channel), ValidationFailed (per part, with the line)."""
    base = defaults(key, channel)
    allowed = set(variables_for(key))
    parts: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, label in PARTS[channel]:
        raw = data.get(name)
        source = (raw if isinstance(raw, str) else "").replace("\r\n", "\n").strip()
        parts[name] = source
        limit = SMS_LIMIT if channel is SMS else _LIMITS[name]
        if not source:
            if name != "html":
                errors[name] = f"请填写{label}"
            continue
        if len(source) > limit:
            errors[name] = f"{label}不能超过{limit}字"
            continue
        try:
            tree = _TEXT.parse(source)
        except TemplateSyntaxError as exc:
            errors[name] = f"第{exc.lineno}行模板语法有误（{exc.message}）；变量请写作 {{{{ 变量名 }}}}"
            continue
        reach = next(tree.find_all((nodes.Getattr, nodes.Getitem)), None)
        if reach is not None:
            errors[name] = f"第{reach.lineno}行访问了变量的属性；模板只能直接使用变量"
            continue
        unknown = sorted(meta.find_undeclared_variables(tree) - allowed, key=lambda n: _line_of(tree, n))
        if unknown:
            first = unknown[0]
            errors[name] = (f"第{_line_of(tree, first)}行使用了未说明的变量“{first}”"
                            f"（可用变量：{'、'.join(sorted(allowed, key=list(VARIABLES).index))}）")
            continue
        if channel is SMS and not _SMS_START.match(source):
            errors[name] = "短信须以 {{ signature }} 开头，发送时填入【签名】"
            continue
        if name == "html" and _HTML_REFUSED.search(source):
            errors[name] = "HTML 正文不能包含图片、脚本、外部样式或事件属性"
            continue
        if ID_NUMBER.search(source):
            errors[name] = "短信不得含有身份证号码" if channel is SMS else "模板不得含有身份证号码"
            continue
        try:
            _compiled(source, name == "html").render(_values(SAMPLE, "签名"))
        except TemplateError:
            errors[name] = "模板中有不允许的写法（只能使用变量、条件和过滤器，不能访问对象属性）"
    if errors:
        raise ValidationFailed("消息模板有误", details=errors)
    if channel is EMAIL and not parts["html"]:
        parts["html"] = base["html"] if parts["text"] == base["text"] else _html_of(parts["text"])
    return parts


@dataclass(frozen=True)
class Preview:
    parts: dict[str, str]  # each part rendered with the sample values (the HTML part as escaped markup)
    segments: int | None  # SMS: how many messages the sample costs


def preview(key: str, channel: ChannelName, data: Mapping[str, Any], *, signature: str) -> Preview:
    """The template as it would read with the sample values. Raises NotFound, ValidationFailed (as
    :func:`check`; also an SMS whose sample would carry an identity number)."""
    parts = check(key, channel, data)
    filled = _fill(parts, _values(SAMPLE, signature))
    segments = None
    if channel is SMS:
        if ID_NUMBER.search(filled["text"]):
            raise ValidationFailed("消息模板有误", details={"text": "短信不得含有身份证号码"})
        segments = sms_segments(filled["text"])
    return Preview(filled, segments)


def save(session: Session, key: str, channel: ChannelName, data: Mapping[str, Any], *, actor: User,
         now: dt.datetime) -> MessageTemplate:
    """Save the administrator's version (audited). Raises NotFound, ValidationFailed (as :func:`check`)."""
    parts = check(key, channel, data)
    found = stored(session, key, channel)
    if found is None:
        found = MessageTemplate(key=key, channel=channel)
        session.add(found)
    found.parts, found.updated_at, found.updated_by_id = parts, now, actor.id
    session.flush()
    session.info.pop(_OVERRIDES_KEY, None)
    record(session, actor=actor, action="notification_template.save", object_type="notification_template",
           object_id=found.id, now=now, payload={"key": key, "channel": channel.value})
    return found


def reset(session: Session, key: str, channel: ChannelName, *, actor: User, now: dt.datetime) -> bool:
    """Back to the built-in template (audited). Returns False when nothing was changed. Raises NotFound."""
    defaults(key, channel)
    found = stored(session, key, channel)
    if found is None:
        return False
    record(session, actor=actor, action="notification_template.reset", object_type="notification_template",
           object_id=found.id, now=now, payload={"key": key, "channel": channel.value})
    session.delete(found)
    session.flush()
    session.info.pop(_OVERRIDES_KEY, None)
    return True


def customised(session: Session) -> set[tuple[str, ChannelName]]:
    """Which (key, channel) an administrator has changed."""
    return {(t.key, t.channel) for t in session.scalars(select(MessageTemplate))}
