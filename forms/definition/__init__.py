"""Form definitions: the data that describes one application-type item's form.

A definition is JSON (``format_version`` 1), stored per item and versioned like the power list. It is
loaded into frozen dataclasses through :class:`FormDefinitionSchema`, which rejects a malformed
definition whole with every problem located (``fields[3].options: 选择题至少需要一个选项``).

Format (keys not listed are rejected)::

    {"format_version": 1, "title": "…", "description": "…",
     "fields": [{"name": "applicant_id", "label": "申请人身份证号码", "type": "id_number",
                 "required": true, "help": "…", "show_if": {"field": "kind", "equals": "person"}}, …],
     "materials": [{"code": "M01", "name": "居民身份证", "required": true, "deferrable": false,
                    "accept": ["application/pdf", "image/jpeg"], "max_bytes": 10485760}]}

Type-specific field keys: ``text``: max_length, pattern {regex, message}; ``textarea``: max_length;
``number``: min, max, integer, decimal_places, unit; ``date``: min, max (``YYYY-MM-DD`` or
``"today"``); ``date_range``: min, max, max_span_days; ``choice``: options [{value, label}], multiple;
``address``: max_length (of the detail line); ``table``: fields, min_rows, max_rows. ``id_number``,
``credit_code``, ``mobile`` and ``boolean`` take only the common keys. ``show_if`` may only refer to an
earlier ``choice`` or ``boolean`` field of the same scope (the form, or the same table row).

The package: :mod:`~forms.definition.model` (the dataclasses and the words of the format),
:mod:`~forms.definition.schema` (the marshmallow schemas of the JSON) and :mod:`~forms.definition.checks`
(the rules across fields); this module holds the two entry points.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from forms._errors import collect_messages, join_messages
from forms.definition.model import (
    COMPOUND_SUFFIXES,
    DEFAULT_ACCEPT,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_LENGTH,
    FORMAT_VERSION,
    MAX_MATERIAL_BYTES,
    TODAY,
    TYPE_LABELS,
    FieldDef,
    FieldType,
    FormDefinition,
    Material,
    Option,
    Pattern,
    ShowIf,
)
from forms.definition.schema import FormDefinitionSchema
from service_hall.core.errors import ValidationFailed


def load_form_definition(data: Any) -> FormDefinition:
    """Load and check a definition in the JSON format.

    Raises ValidationFailed whose ``details`` maps each location (``fields[3].options``,
    ``materials[0].code`` …) to a Chinese message; every problem is reported at once.
    """
    try:
        loaded = FormDefinitionSchema().load(data)
    except ValidationError as err:
        details = join_messages(collect_messages(err.messages))
        raise ValidationFailed("表单定义有误", details=details) from None
    assert isinstance(loaded, FormDefinition)
    return loaded


def dump_form_definition(definition: FormDefinition) -> dict[str, Any]:
    """The JSON form of a definition; ``load_form_definition`` of the result gives it back unchanged.

    Raises nothing.
    """
    return FormDefinitionSchema().dump(definition)



__all__ = [
    "COMPOUND_SUFFIXES",
    "DEFAULT_ACCEPT",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_LENGTH",
    "FORMAT_VERSION",
    "MAX_MATERIAL_BYTES",
    "TODAY",
    "TYPE_LABELS",
    "FieldDef",
    "FieldType",
    "FormDefinition",
    "FormDefinitionSchema",
    "Material",
    "Option",
    "Pattern",
    "ShowIf",
    "dump_form_definition",
    "load_form_definition",
]
