"""Shapes at the package's boundaries (marshmallow): the webhook payload subscribers receive, and the
input of the account's channel choices, case messages and webhook subscriptions."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from service_hall.cases.schemas import ActionInput, _text

# What a subscriber may learn about a case: no names, no identity numbers, no applicant links.
PUBLIC_CASE_FIELDS = ("case_number", "item_code", "item_name", "town_code", "status", "from_status", "action",
                      "notice_kind", "notice_number", "certificate_number", "certificate_status", "score")


class _PublicData(fields.Field):
    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> dict[str, Any]:
        return {k: value[k] for k in PUBLIC_CASE_FIELDS if value.get(k) is not None}


class WebhookPayload(Schema):
    """The JSON body of every webhook POST. Headers: ``X-Hall-Event``, ``X-Hall-Event-Id``,
    ``X-Hall-Timestamp`` and ``X-Hall-Signature: sha256=HMAC(secret, timestamp + "." + body)``."""

    event_id = fields.String(required=True, metadata={"description": "事件唯一标识，重试时不变，用于去重"})
    event = fields.String(required=True, metadata={"description": "事件类型，如 case.accepted"})
    occurred_at = fields.AwareDateTime(required=True)
    data = _PublicData(metadata={"description": "办件编号、事项编码、状态等；不含姓名和证件号码"})


class PreferenceIn(ActionInput):
    email = fields.String(load_default="", validate=validate.Length(max=254, error="邮箱地址过长"))
    email_enabled = fields.Boolean(load_default=False, truthy={"1", "on", "true", True},
                                   falsy={"0", "off", "false", "", False})
    sms_enabled = fields.Boolean(load_default=False, truthy={"1", "on", "true", True},
                                 falsy={"0", "off", "false", "", False})

    @validates("email")
    def _email(self, value: str, **kwargs: Any) -> None:
        value = value.strip()
        if value and (value.count("@") != 1 or "." not in value.rpartition("@")[2] or " " in value):
            raise ValidationError("请填写有效的电子邮箱地址")


MESSAGE_MAX = 2000


class MessageIn(ActionInput):
    body = _text("请填写留言内容", max_length=MESSAGE_MAX,
                 metadata={"description": f"留言内容（必填，{MESSAGE_MAX}字以内）"})
    internal = fields.Boolean(load_default=False, truthy={"1", "on", "true", True},
                              falsy={"0", "off", "false", "", False})


class SubscriptionIn(ActionInput):
    list_fields = ("events",)

    url = _text("请填写推送地址", max_length=500)
    description = _text(max_length=200)
    events = fields.List(fields.String(), required=True, validate=validate.Length(min=1, error="请至少选择一种事件"),
                         error_messages={"required": "请至少选择一种事件"})

