"""The identity-number validators every form relies on."""

from __future__ import annotations

import pytest

from forms.validators import (
    InvalidValue,
    check_credit_code,
    check_id_number,
    check_mobile,
    credit_code_check_char,
    id_number_check_char,
)
from tests.factories.accounts import valid_id
from tests.factories.forms import flip_check_char, valid_credit_code

ID_CHECK_CHARS = "0123456789X"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@pytest.mark.parametrize("first17", ["11010519491231002", "33012719850312001", "44030620000229003",
                                     "33011019650412005"])
def test_id_number_with_computed_check_char_is_accepted(first17):
    number = valid_id(first17)
    assert check_id_number(number) == number


def test_known_published_id_number_example():
    # The GB 11643 example number: 11010519491231002X.
    assert id_number_check_char("11010519491231002") == "X"
    assert check_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("first17", ["11010519491231002", "33012719850312001", "44030620000229003"])
def test_id_number_with_flipped_check_char_is_rejected(first17):
    number = flip_check_char(valid_id(first17), ID_CHECK_CHARS)
    with pytest.raises(InvalidValue, match="校验位错误"):
        check_id_number(number)


@pytest.mark.parametrize(("value", "message"), [
    ("", "18位"),
    ("3301271985031200", "18位"),
    ("03301271985031200X", "18位"),
    ("33012719850312001Y", "18位"),
    ("330127198502300010", "出生日期无效"),  # 30 February
    ("330127189901010010", "出生日期无效"),
    ("330127209901010010", "出生日期无效"),  # in the future
])
def test_id_number_format_errors(value, message):
    with pytest.raises(InvalidValue, match=message):
        check_id_number(value)


@pytest.mark.parametrize("first17", ["91330127MA2H00001", "92330127MA2GX1TQ4", "N1330127MA2J0P9R3",
                                     "11330127002512345", "91350100M000100Y4"])
def test_credit_code_with_computed_check_char_is_accepted(first17):
    code = valid_credit_code(first17)
    assert check_credit_code(code.lower()) == code


def test_known_published_credit_code_example():
    # A widely published real-world code: 91350100M000100Y43.
    assert credit_code_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize("first17", ["91330127MA2H00001", "N1330127MA2J0P9R3", "11330127002512345"])
def test_credit_code_with_flipped_check_char_is_rejected(first17):
    code = flip_check_char(valid_credit_code(first17), USCC_ALPHABET)
    with pytest.raises(InvalidValue, match="校验位错误"):
        check_credit_code(code)


@pytest.mark.parametrize("value", ["", "91330127MA2H0000", "91330127MA2H00001IO", "9133012AMA2H000010",
                                   "91330127MA2H0000I0"])
def test_credit_code_format_errors(value):
    with pytest.raises(InvalidValue, match="18位"):
        check_credit_code(value)


@pytest.mark.parametrize(("value", "expected"), [
    ("13905710001", "13905710001"),
    ("139 0571 0001", "13905710001"),
    ("139-0571-0001", "13905710001"),
    ("+8613905710001", "13905710001"),
    ("008619905710001", "19905710001"),
])
def test_mobile_accepted(value, expected):
    assert check_mobile(value) == expected


@pytest.mark.parametrize("value", ["", "12905710001", "1390571000", "139057100012", "0571-88888888"])
def test_mobile_rejected(value):
    with pytest.raises(InvalidValue, match="11位手机号码"):
        check_mobile(value)


def test_public_mask_keeps_the_region_and_the_last_four():
    # The one masking function, used on certificates and the verification page.
    from service_hall.documents.context import mask_id_number

    assert mask_id_number("33012719850312001X") == "330127********001X"
    assert mask_id_number("1234") == "**34"
