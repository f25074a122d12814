"""One-time codes sent to an account holder's own mobile (and inbox): the 材料复用授权码 a window clerk
asks for while filing on the applicant's behalf (帮办代办, service_hall/files/consent.py).

The code is sent through the outbox like every message (inbox at once, SMS by the configured gateway),
never shown to the clerk: the applicant, present at the window, reads it out. No function commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service_hall.cases.intake import present_applicant
from service_hall.core.errors import ValidationFailed
from service_hall.files.consent import CODE_LIFETIME, issue_reuse_code
from service_hall.files.models import ReuseGrant
from service_hall.jurisdictions.models import Jurisdiction
from service_hall.notifications.channels import (
    DeliveryError,
    SmsChannel,
    channels_from_config,
    check_sms_text,
    offered_by,
)
from service_hall.notifications.events import emit, offered_channels
from service_hall.notifications.models import ChannelName
from service_hall.notifications.sealing import SEALED_KEY, seal

RESEND_AFTER = dt.timedelta(seconds=60)


def masked(mobile: str) -> str:
    """``139****0001``: enough for the applicant to recognise their phone, not enough to reveal it."""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 8 else "****"


def send_reuse_code(session: Session, data: Mapping[str, Any], *, towns: Sequence[Jurisdiction],
                    now: dt.datetime) -> str:
    """Issue a 材料复用授权码 for the applicant matching ``mobile`` and ``id_number`` in ``data`` and send it
    to that applicant's registered mobile by SMS and to their inbox; returns the masked mobile.

    Raises ValidationFailed: SMS not configured, no applicant matching both numbers (the same answer
    as step 1), no town of the clerk's chosen, or a code sent less than a minute ago.
    """
    if ChannelName.SMS not in offered_channels(session):
        raise ValidationFailed("未配置短信", details={
            "reuse_code": "本中心未开通短信，请申请人登录后在“我的办件”页面生成授权码"})
    applicant = present_applicant(session, data)
    town = next((t for t in towns if t.code == data.get("town_code")), None)
    errors: dict[str, str] = {}
    if applicant is None or not applicant.mobile:
        errors["mobile"] = "未找到手机号码和证件号码均相符的申请人；尚无账号的，请勾选“为其开户”"
    if town is None:
        errors["town_code"] = "只能在本乡镇（街道）代办"
    if errors or applicant is None or town is None:
        raise ValidationFailed("代办信息有误，请按提示修改", details=errors)
    latest = session.scalar(select(ReuseGrant.created_at).where(ReuseGrant.user_id == applicant.id)
                            .order_by(ReuseGrant.created_at.desc()).limit(1))
    if latest is not None and now - latest < RESEND_AFTER:
        raise ValidationFailed("发送过于频繁", details={"reuse_code": "授权码刚刚已发送，请一分钟后再试"})
    code, _ = issue_reuse_code(session, applicant, now=now)
    # Not one of EVENT_KINDS: no webhook subscription ever receives the code.
    emit(session, "account.reuse_code", now=now,
         data={SEALED_KEY: seal(code, now=now), "minutes": str(int(CODE_LIFETIME.total_seconds() // 60)),
               "town_name": town.name},
         messages=[(applicant, "applicant.reuse_code")])
    return masked(applicant.mobile or "")



def sms_configured(config: Mapping[str, Any]) -> bool:
    return ChannelName.SMS in offered_by(config)


def send_now(config: Mapping[str, Any], mobile: str, text: str, *, idempotency_key: str) -> None:
    """Send one SMS at once through the configured gateway, bypassing the outbox so that the text (a
    secret code) is stored nowhere. Raises DeliveryError (not configured, refused text, gateway failed)."""
    channel = channels_from_config(config).get(ChannelName.SMS)
    if not isinstance(channel, SmsChannel):
        raise DeliveryError("未配置短信网关", permanent=True)
    check_sms_text(text)
    channel.gateway.send(mobile, text, idempotency_key=idempotency_key)


def password_reset_text(config: Mapping[str, Any], code: str, minutes: int) -> str:
    signature = config.get("SMS_SIGNATURE") or ""
    return (f"{f'【{signature}】' if signature else ''}您正在找回密码，验证码{code}，{minutes}分钟内有效。"
            "如非本人操作，请忽略本短信，不要告诉任何人。")
