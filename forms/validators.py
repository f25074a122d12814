"""The identity-number validators of form fields. They live in :mod:`service_hall.core.validators`, below
both forms and accounts (see docs/architecture.md, "Layers"); this module is the forms package's name for
them."""

from service_hall.core.validators import (
    InvalidValue,
    check_credit_code,
    check_id_number,
    check_mobile,
    credit_code_check_char,
    id_number_check_char,
)

__all__ = [
    "InvalidValue",
    "check_credit_code",
    "check_id_number",
    "check_mobile",
    "credit_code_check_char",
    "id_number_check_char",
]
