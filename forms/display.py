"""Stored submission values as a person reads them: labels instead of field names, option labels
instead of codes, addresses and date ranges spelled out. Used by the clerk's case page and the
applicant's application page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.definition import FieldDef, FieldType, FormDefinition


@dataclass(frozen=True)
class DisplayRow:
    label: str
    text: str
    rows: list[list[DisplayRow]] = field(default_factory=list)  # a table's rows, each a list of cells


def _option_label(spec: FieldDef, value: Any) -> str:
    labels = {o.value: o.label for o in spec.options}
    if isinstance(value, list):
        return "、".join(labels.get(v, str(v)) for v in value)
    return labels.get(value, str(value))


def _text(spec: FieldDef, value: Any) -> str:
    if spec.type is FieldType.CHOICE:
        return _option_label(spec, value)
    if spec.type is FieldType.BOOLEAN:
        return "是" if value else "否"
    if spec.type is FieldType.DATE_RANGE and isinstance(value, Mapping):
        return f"{value.get('start', '')} 至 {value.get('end', '')}"
    if spec.type is FieldType.ADDRESS and isinstance(value, Mapping):
        return f"{value.get('village_name') or value.get('village', '')} {value.get('detail', '')}".strip()
    text = str(value)
    return f"{text} {spec.unit}" if spec.unit else text


def display_rows(definition: FormDefinition | None, values: Mapping[str, Any]) -> list[DisplayRow]:
    """Rows in the form's order; values without a field in the definition are shown last by name."""
    if definition is None:
        return [DisplayRow(str(k), str(v)) for k, v in values.items()]
    out: list[DisplayRow] = []
    seen = set()
    for spec in definition.fields:
        if spec.name not in values:
            continue
        seen.add(spec.name)
        value = values[spec.name]
        if spec.type is FieldType.TABLE and isinstance(value, list):
            rows = [[DisplayRow(col.label, _text(col, row[col.name])) for col in spec.fields if col.name in row]
                    for row in value if isinstance(row, Mapping)]
            out.append(DisplayRow(spec.label, f"{len(rows)} 行", rows))
        else:
            out.append(DisplayRow(spec.label, _text(spec, value)))
    out += [DisplayRow(str(k), str(v)) for k, v in values.items() if k not in seen]
    return out
