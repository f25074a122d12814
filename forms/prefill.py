"""Fields the applicant's account already answers, filled in before they type (the applicant block).

Only fields that name the applicant themselves are filled, by field name (``id_number`` is the
applicant's 身份证号码, while ``wife_id`` is not); the value stays editable and is validated like any
other. A field whose name is not listed here is never prefilled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: field name → key of the account profile (see :func:`profile_of`).
PREFILLED_FIELDS = {
    "applicant_name": "name", "applicant_id": "id_number", "id_number": "id_number",
    "mobile": "mobile", "phone": "mobile", "contact_mobile": "mobile",
    "credit_code": "credit_code", "organisation_name": "organisation_name", "enterprise_name": "organisation_name",
    # The generated form's 申请人类型 (forms.generated): an account with a credit code is an enterprise's.
    "applicant_kind": "applicant_kind",
}


def profile_of(account: Any) -> dict[str, str]:
    """What an account says about its holder (a user row or anything with the same attributes)."""
    keys = {"name": "real_name", "id_number": "id_number", "mobile": "mobile", "credit_code": "credit_code",
            "organisation_name": "organisation_name"}
    profile = {key: value for key, attr in keys.items() if (value := getattr(account, attr, None))}
    if profile:
        profile["applicant_kind"] = "enterprise" if profile.get("credit_code") else "person"
    return profile


def prefill(definition: Any, profile: Mapping[str, str]) -> dict[str, Any]:
    """Initial values for the top-level fields of ``definition`` that the profile answers. Raises nothing."""
    values: dict[str, Any] = {}
    for field in getattr(definition, "fields", ()) or ():
        key = PREFILLED_FIELDS.get(field.name)
        if key and profile.get(key):
            values[field.name] = profile[key]
    return values
