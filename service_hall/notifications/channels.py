"""The channels behind one interface: in-app inbox, email over SMTP, SMS through a gateway adapter,
and webhooks. Each ``send`` either returns (delivered; an HTTP status where there is one) or raises
:class:`DeliveryError` saying whether trying again can help.

Every outgoing request carries the message's idempotency key, so a resend after a crash between sending
and marking is recognised by the receiver (docs/notifications.md, "Exactly once").
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import smtplib
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.notifications.models import ChannelName, InboxItem, OutboxMessage, Preference, WebhookSubscription
from service_hall.notifications.templates import ID_NUMBER, Rendered, sms_segments

HTTP_TIMEOUT = 5.0
SMTP_TIMEOUT = 10.0


class DeliveryError(Exception):
    """A channel could not deliver. ``permanent``: retrying will not help (the message goes to the dead
    letters at once); ``status_code``: the receiver's answer, if any."""

    def __init__(self, reason: str, *, permanent: bool = False, status_code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.status_code = status_code


class Channel(Protocol):
    name: ChannelName

    def send(self, session: Session, message: OutboxMessage, rendered: Rendered, link: str) -> int | None:
        """Deliver one message. Raises DeliveryError."""


def check_sms_text(text: str) -> None:
    """Refuse an SMS that would carry an identity number. Raises DeliveryError (permanent)."""
    if ID_NUMBER.search(text):
        raise DeliveryError("短信内容含有身份证号码，已拒绝发送", permanent=True)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp + "." + body``, hex."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class InboxChannel:
    """站内消息: a row in the recipient's inbox; the message id is unique there, so a resend is a no-op."""

    name = ChannelName.INBOX

    def send(self, session: Session, message: OutboxMessage, rendered: Rendered, link: str) -> int | None:
        if message.user_id is None:
            raise DeliveryError("站内消息没有收件人", permanent=True)
        exists = session.scalar(select(InboxItem.id).where(InboxItem.message_id == message.id))
        if exists is None:
            session.add(InboxItem(message_id=message.id, user_id=message.user_id,
                                  application_id=message.application_id, notice_id=message.event.notice_id,
                                  title=rendered.title[:200], body=rendered.text, created_at=message.created_at))
            session.flush()
        return None


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "plain" | "starttls" | "ssl"
    username: str | None
    password: str | None
    sender: str
    sender_name: str

    @classmethod
    def from_url(cls, url: str, sender: str, sender_name: str) -> SmtpSettings:
        """``smtp://user:pass@host:port`` (``?starttls=1`` to upgrade) or ``smtps://…``. Raises ValueError."""
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("SMTP_URL 应形如 smtp://用户:密码@主机:端口 或 smtps://…")
        query = parse_qs(parts.query)
        security = "ssl" if parts.scheme == "smtps" else ("starttls" if query.get("starttls") == ["1"] else "plain")
        return cls(parts.hostname, parts.port or (465 if security == "ssl" else 25), security,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None, sender, sender_name)


class EmailChannel:
    """Email over SMTP: a text part and an HTML part, no images or tracking. The Message-ID is derived from
    the idempotency key, so a resend after a crash is the same message to the receiving mail system."""

    name = ChannelName.EMAIL

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, session: Session, message: OutboxMessage, rendered: Rendered, link: str) -> int | None:
        pref = session.get(Preference, message.user_id) if message.user_id else None
        if pref is None or not pref.email:
            raise DeliveryError("收件人未登记电子邮箱", permanent=True)
        mail = EmailMessage()
        mail["Subject"] = rendered.email_title or rendered.title
        mail["From"] = formataddr((self.settings.sender_name, self.settings.sender))
        mail["To"] = pref.email
        domain = self.settings.sender.rpartition("@")[2] or "localhost"
        mail["Message-ID"] = f"<{hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]}@{domain}>"
        mail["X-Idempotency-Key"] = message.idempotency_key
        mail.set_content(rendered.email_text or rendered.text)
        mail.add_alternative(rendered.html, subtype="html")
        s = self.settings
        try:
            smtp_cls = smtplib.SMTP_SSL if s.security == "ssl" else smtplib.SMTP
            with smtp_cls(s.host, s.port, timeout=SMTP_TIMEOUT) as smtp:
                if s.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if s.username:
                    smtp.login(s.username, s.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            code = next(iter(exc.recipients.values()))[0]
            raise DeliveryError(f"邮件服务器拒收收件人（{code}）", permanent=code >= 500, status_code=code) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"邮件服务器拒绝（{exc.smtp_code}）", permanent=exc.smtp_code >= 500,
                                status_code=exc.smtp_code) from None
        except (OSError, smtplib.SMTPException) as exc:
            if isinstance(exc, TimeoutError) or "timed out" in str(exc):
                raise DeliveryError("邮件服务器响应超时") from None
            raise DeliveryError(f"无法连接邮件服务器（{type(exc).__name__}）") from None
        return 250


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes


def _check_address(host: str, port: int, allow_private: bool) -> str:
    """Refuse hosts that resolve to private, loopback, link-local or reserved addresses; return the address to
    connect to. Raises DeliveryError."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise DeliveryError(f"无法解析目标地址 {host}") from None
    if allow_private:
        return str(infos[0][4][0])
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
                or address.is_multicast or address.is_unspecified):
            raise DeliveryError("目标地址为内网或本机地址，按配置拒绝推送", permanent=True)
    return str(infos[0][4][0])


def post_json(url: str, body: bytes, headers: Mapping[str, str], *, allow_private: bool,
              timeout: float = HTTP_TIMEOUT) -> HttpAnswer:
    """POST without following redirects. Raises DeliveryError (bad URL, refused address, network failure)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DeliveryError("推送地址须为 http:// 或 https:// 开头的网址", permanent=True)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _check_address(parts.hostname, port, allow_private)
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(parts.hostname, port, timeout=timeout)
    else:
        # Connect to the address just checked, so a second DNS answer cannot point the request elsewhere.
        conn = http.client.HTTPConnection(address, port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json; charset=utf-8",
                                                      "User-Agent": "service-hall-notifications",
                                                      "Host": parts.netloc.rpartition("@")[2], **headers})
        resp = conn.getresponse()
        return HttpAnswer(resp.status, resp.read(65536))
    except TimeoutError:
        raise DeliveryError("目标服务器响应超时") from None
    except OSError as exc:
        raise DeliveryError(f"无法连接目标服务器：{type(exc).__name__}") from None
    finally:
        conn.close()


def _raise_for(answer: HttpAnswer, what: str) -> None:
    if 200 <= answer.status < 300:
        return
    if 300 <= answer.status < 400:
        raise DeliveryError(f"{what}返回重定向（{answer.status}），不跟随重定向", permanent=True,
                            status_code=answer.status)
    permanent = 400 <= answer.status < 500 and answer.status not in {408, 409, 425, 429}
    raise DeliveryError(f"{what}返回 {answer.status}", permanent=permanent, status_code=answer.status)


class SmsGateway(Protocol):
    """One adapter per SMS provider."""

    def send(self, mobile: str, text: str, *, idempotency_key: str) -> int:
        """Hand one SMS to the provider; returns its HTTP status. Raises DeliveryError."""


class HmacJsonGateway:
    """The generic gateway: a JSON POST ``{mobile, text, segments, idempotency_key}`` signed with
    HMAC-SHA256 of ``timestamp.body`` (headers ``X-Timestamp``, ``X-Signature``, ``Idempotency-Key``)."""

    def __init__(self, url: str, key: str, *, allow_private: bool = False) -> None:
        self.url = url
        self.key = key
        self.allow_private = allow_private

    def send(self, mobile: str, text: str, *, idempotency_key: str) -> int:
        body = json.dumps({"mobile": mobile, "text": text, "segments": sms_segments(text),
                           "idempotency_key": idempotency_key}, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        answer = post_json(self.url, body, {"X-Timestamp": timestamp, "X-Signature": sign(self.key, timestamp, body),
                                            "Idempotency-Key": idempotency_key}, allow_private=self.allow_private)
        _raise_for(answer, "短信网关")
        return answer.status


class SmsChannel:
    name = ChannelName.SMS

    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

    def send(self, session: Session, message: OutboxMessage, rendered: Rendered, link: str) -> int | None:
        if rendered.sms is None:
            raise DeliveryError("该消息不发送短信", permanent=True)
        mobile = message.user.mobile if message.user else None
        if not mobile:
            raise DeliveryError("收件人未登记手机号码", permanent=True)
        check_sms_text(rendered.sms)
        return self.gateway.send(mobile, rendered.sms, idempotency_key=message.idempotency_key)


def webhook_body(message: OutboxMessage) -> bytes:
    """The JSON a subscriber receives (shape: :class:`service_hall.notifications.schemas.WebhookPayload`)."""
    from service_hall.notifications.schemas import WebhookPayload

    event = message.event
    body: dict[str, Any] = WebhookPayload().dump({
        "event_id": event.event_id, "event": event.kind, "occurred_at": event.occurred_at,
        "data": event.payload})
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode()


def webhook_headers(secret: str, event_id: str, kind: str, body: bytes, timestamp: str) -> dict[str, str]:
    return {"X-Hall-Event": kind, "X-Hall-Event-Id": event_id, "X-Hall-Timestamp": timestamp,
            "X-Hall-Signature": "sha256=" + sign(secret, timestamp, body), "Idempotency-Key": event_id}


class WebhookChannel:
    name = ChannelName.WEBHOOK

    def __init__(self, *, allow_private: bool = False) -> None:
        self.allow_private = allow_private

    def send(self, session: Session, message: OutboxMessage, rendered: Rendered, link: str) -> int | None:
        sub = session.get(WebhookSubscription, message.subscription_id) if message.subscription_id else None
        if sub is None:
            raise DeliveryError("订阅已删除", permanent=True)
        body = webhook_body(message)
        headers = webhook_headers(sub.secret, message.event.event_id, message.event.kind, body, str(int(time.time())))
        answer = post_json(sub.url, body, headers, allow_private=self.allow_private)
        _raise_for(answer, "订阅方")
        return answer.status


def offered_by(config: Mapping[str, Any]) -> set[ChannelName]:
    """The channels besides the inbox that the configuration turns on (email, SMS). Raises nothing."""
    out = set()
    if config.get("SMTP_URL"):
        out.add(ChannelName.EMAIL)
    if config.get("SMS_GATEWAY_URL") and config.get("SMS_GATEWAY_KEY"):
        out.add(ChannelName.SMS)
    return out


def configure_session(session: Session, config: Mapping[str, Any]) -> None:
    """Tell ``session`` what the deployment offers (channels) and its rule of deemed electronic delivery."""
    from service_hall.notifications.events import offer_channels, set_deemed_delivery

    offer_channels(session, offered_by(config))
    set_deemed_delivery(session, int(config.get("ELECTRONIC_DELIVERY_DEEMED_DAYS") or 0))


def channels_from_config(config: Mapping[str, Any]) -> dict[ChannelName, Channel]:
    """The channels this deployment delivers, from the configuration. Raises ValueError (bad SMTP_URL)."""
    allow_private = bool(config.get("WEBHOOK_ALLOW_PRIVATE"))
    out: dict[ChannelName, Channel] = {ChannelName.INBOX: InboxChannel(),
                                       ChannelName.WEBHOOK: WebhookChannel(allow_private=allow_private)}
    if config.get("SMTP_URL"):
        out[ChannelName.EMAIL] = EmailChannel(SmtpSettings.from_url(
            config["SMTP_URL"], config.get("NOTIFY_FROM") or "noreply@localhost",
            config.get("NOTIFY_FROM_NAME") or "便民服务中心"))
    if config.get("SMS_GATEWAY_URL") and config.get("SMS_GATEWAY_KEY"):
        # The gateway is the operator's own configuration, so it may sit on the county's private network.
        out[ChannelName.SMS] = SmsChannel(HmacJsonGateway(config["SMS_GATEWAY_URL"], config["SMS_GATEWAY_KEY"],
                                                          allow_private=True))
    return out
