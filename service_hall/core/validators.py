"""Validators for Chinese identity numbers that users expect every form and every account to check.

Each ``check_*`` function returns the normalised value or raises :class:`InvalidValue` whose
message is user-facing Simplified Chinese. Form definitions use them through :mod:`forms.validators`;
accounts (registration, staff records) import them from here, below both.
"""

from __future__ import annotations

import datetime as dt
import re


class InvalidValue(ValueError):
    """The value is malformed; ``str(exc)`` is a message for the user."""


# GB 11643-1999: weights 2^(17-i) mod 11, check code table indexed by the weighted sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^[1-9]\d{16}[\dX]$")


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a 居民身份证 number."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def check_id_number(value: str) -> str:
    """Validate an 18-digit 居民身份证 number (format, birth date, GB 11643 check digit).

    Raises InvalidValue.
    """
    v = (value or "").strip().upper()
    if not _ID_RE.match(v):
        raise InvalidValue("身份证号码应为18位，前17位为数字，最后一位为数字或X")
    try:
        birth = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise InvalidValue("身份证号码中的出生日期无效") from None
    if birth.year < 1900 or birth > dt.date.today():
        raise InvalidValue("身份证号码中的出生日期无效")
    if id_number_check_char(v[:17]) != v[17]:
        raise InvalidValue("身份证号码校验位错误，请核对")
    return v


# GB 32100-2015: 31-character alphabet without I, O, Z, S, V.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a 统一社会信用代码."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(value: str) -> str:
    """Validate an 18-character 统一社会信用代码 (alphabet, layout, GB 32100 check character).

    Raises InvalidValue.
    """
    v = (value or "").strip().upper()
    if len(v) != 18 or not _USCC_RE.match(v):
        raise InvalidValue("统一社会信用代码应为18位，由数字和大写字母（不含I、O、Z、S、V）组成")
    if credit_code_check_char(v[:17]) != v[17]:
        raise InvalidValue("统一社会信用代码校验位错误，请核对")
    return v


_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def check_mobile(value: str) -> str:
    """Validate a mainland China mobile number (11 digits, 13x–19x); accepts a +86 prefix.

    Raises InvalidValue.
    """
    v = re.sub(r"[\s-]", "", value or "")
    if v.startswith("+86"):
        v = v[3:]
    elif v.startswith("0086"):
        v = v[4:]
    if not _MOBILE_RE.match(v):
        raise InvalidValue("请输入有效的11位手机号码")
    return v
