"""Passwords people actually pick are refused (zxcvbn's estimate, with the account's own details)."""

from __future__ import annotations

import pytest

from service_hall.accounts.schemas import check_password_strength
from service_hall.core.validators import InvalidValue
from tests.factories.accounts import PASSWORD, valid_id
from tests.factories.web import login, post_form


@pytest.mark.parametrize("weak", ["Passw0rd", "qwerty123", "P@ssw0rd1", "1qaz2wsx3edc", "iloveyou520"])
def test_common_and_patterned_passwords_are_refused(weak):
    with pytest.raises(InvalidValue, match=r"太容易被猜到|过于简单"):
        check_password_strength(weak)


def test_a_password_made_of_the_account_name_is_refused():
    with pytest.raises(InvalidValue):
        check_password_strength("zhangwei2026", ("zhangwei", "张伟"))
    check_password_strength("Lantern-Harbour-2026", ("zhangwei", "张伟"))


def test_registration_and_password_change_refuse_them(app, client, factory):
    factory.demo_jurisdictions()
    resp = post_form(client, "/register", {
        "applicant_type": "person", "real_name": "王五", "mobile": "13700000011",
        "id_number": valid_id("33012719900101001"), "password": "Passw0rd", "password_confirm": "Passw0rd"})
    assert resp.status_code == 422 and "太容易被猜到" in resp.get_data(as_text=True)
    factory.staff("clerk1", "clerk", "330199101000")
    login(client, "clerk1")
    resp = post_form(client, "/account", {"old_password": PASSWORD, "new_password": "qwerty123"})
    assert resp.status_code == 422 and "太容易被猜到" in resp.get_data(as_text=True)
