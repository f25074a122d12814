"""Input schemas for accounts, shared by the HTML pages, the API and the CLI."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates, validates_schema
from marshmallow.types import ErrorMessages

from service_hall.accounts.models import ApplicantType
from service_hall.accounts.permissions import Role
from service_hall.core.validators import InvalidValue, check_credit_code, check_id_number, check_mobile

REQUIRED: ErrorMessages = {"required": "此项为必填项", "null": "此项为必填项"}

# A short list of passwords people actually pick; the length/variety rule catches most others.
_COMMON_PASSWORDS = {
    "12345678", "123456789", "1234567890", "password", "password1", "qwertyui", "11111111", "88888888",
    "abc12345", "a1234567", "qwe12345", "woaini1314", "1qaz2wsx", "abcd1234", "iloveyou", "admin123",
}


# zxcvbn scores 0–4 by estimated guesses (0: < 10³, 1: < 10⁶, 2: < 10⁸ …), from lists of common and
# breached passwords, names, keyboard walks, dates and l33t substitutions.
MIN_PASSWORD_SCORE = 2


def check_password_strength(password: str, user_inputs: tuple[str, ...] = ()) -> None:
    """Raise InvalidValue if the password is too weak: too short or long, without letters and digits, on a
    common list, or easy to guess by zxcvbn's estimate (``user_inputs``: the account's own name, mobile …)."""
    if len(password) < 8:
        raise InvalidValue("密码至少8位")
    if len(password) > 128:
        raise InvalidValue("密码不能超过128位")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        raise InvalidValue("密码须同时包含字母和数字")
    if password.lower() in _COMMON_PASSWORDS or len(set(password)) < 4:
        raise InvalidValue("密码过于简单，请换一个")
    from zxcvbn import zxcvbn

    if zxcvbn(password[:72], user_inputs=[u for u in user_inputs if u])["score"] < MIN_PASSWORD_SCORE:
        raise InvalidValue("密码太容易被猜到（如常见密码、键盘顺序、姓名或手机号加简单变化），"
                           "请换一个更长、更不规则的密码，例如几个词语与数字的组合")


def checked(check: Callable[[str], str]) -> Callable[[str | None], None]:
    """A marshmallow validator from one of the ``check_*`` functions (InvalidValue → ValidationError)."""

    def validator(value: str | None) -> None:
        if value == "":
            raise ValidationError("此项为必填项")
        if value is not None:
            try:
                check(value)
            except InvalidValue as exc:
                raise ValidationError(str(exc)) from None

    return validator


def _password_check(value: str) -> str:
    check_password_strength(value)
    return value


def _strip(data: Any) -> Any:
    if not hasattr(data, "items"):
        return data
    # Full-width spaces are common in Chinese input methods.
    return {k: (v.replace("\u3000", " ").strip() if isinstance(v, str) else v) for k, v in data.items()}


class RegistrationSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # HTML forms also post csrf_token

    applicant_type = fields.Enum(ApplicantType, by_value=True, required=True,
                                 error_messages={**REQUIRED, "unknown": "请选择申请人类型（自然人或法人）"})
    real_name = fields.String(required=True, validate=validate.Length(min=2, max=50, error="姓名应为2至50个字"),
                              error_messages=REQUIRED)
    mobile = fields.String(required=True, error_messages=REQUIRED, validate=checked(check_mobile))
    id_number = fields.String(required=True, error_messages=REQUIRED, validate=checked(check_id_number))
    organisation_name = fields.String(load_default=None, allow_none=True,
                                      validate=validate.Length(max=100, error="单位名称不能超过100个字"))
    credit_code = fields.String(load_default=None, allow_none=True)
    password = fields.String(required=True, load_only=True, error_messages=REQUIRED,
                             validate=checked(_password_check))
    password_confirm = fields.String(required=True, load_only=True, error_messages=REQUIRED)

    @pre_load
    def strip_values(self, data: Any, **_: Any) -> Any:
        data = _strip(data)
        # Empty optional inputs from HTML forms mean "not given".
        return {k: (None if v == "" and k in {"organisation_name", "credit_code"} else v) for k, v in data.items()}




    @validates_schema
    def _cross_field(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, str] = {}
        if data.get("password") != data.get("password_confirm"):
            errors["password_confirm"] = "两次输入的密码不一致"
        if data.get("applicant_type") is ApplicantType.ENTERPRISE:
            if not data.get("organisation_name"):
                errors["organisation_name"] = "企业或组织申请人须填写单位名称"
            code = data.get("credit_code")
            if not code:
                errors["credit_code"] = "企业或组织申请人须填写统一社会信用代码"
            else:
                try:
                    check_credit_code(code)
                except InvalidValue as exc:
                    errors["credit_code"] = str(exc)
        if errors:
            raise ValidationError(errors)


class StaffAccountSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # HTML forms also post csrf_token

    username = fields.String(required=True, error_messages=REQUIRED,
                             validate=validate.Regexp(r"^[a-z][a-z0-9_.-]{2,63}$",
                                                      error="用户名应为3至64位小写字母、数字或 _ . -，以字母开头"))
    real_name = fields.String(required=True, error_messages=REQUIRED,
                              validate=validate.Length(min=2, max=50, error="姓名应为2至50个字"))
    role = fields.Enum(Role, by_value=True, required=True, error_messages={**REQUIRED, "unknown": "请选择角色"})
    jurisdiction_code = fields.String(required=True, error_messages=REQUIRED,
                                      validate=validate.Regexp(r"^\d{12}$", error="区划代码应为12位数字"))
    mobile = fields.String(load_default=None, allow_none=True, validate=checked(check_mobile))
    password = fields.String(required=True, load_only=True, error_messages=REQUIRED,
                             validate=checked(_password_check))

    @pre_load
    def strip_values(self, data: Any, **_: Any) -> Any:
        data = _strip(data)
        return {k: (None if v == "" and k == "mobile" else v) for k, v in data.items()}

    @validates("role")
    def _role(self, value: Role, **_: Any) -> None:
        if value is Role.APPLICANT:
            raise ValidationError("申请人账号请自行注册")




class LoginSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # HTML forms also post csrf_token

    username = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(max=64))
    password = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(max=128))
    totp = fields.String(load_default=None, validate=validate.Length(max=16),
                         metadata={"description": "动态验证码（已启用动态验证码的工作人员账号必填，6 位数字）"})

    @pre_load
    def strip_values(self, data: Any, **_: Any) -> Any:
        return _strip(data)


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, str]:
    """Turn marshmallow's nested error dict into ``{"field": "first message"}``."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix and not isinstance(key, int) else (
                f"{prefix}[{key}]" if isinstance(key, int) else str(key))
            out.update(flatten_errors(value, path))
    elif isinstance(messages, list):
        if messages and all(isinstance(m, str) for m in messages):
            out[prefix or "_schema"] = messages[0]
        else:
            for m in messages:
                out.update(flatten_errors(m, prefix))
    else:
        out[prefix or "_schema"] = str(messages)
    return out
