"""Generate the published JSON Schema from the marshmallow schemas (one source of truth), with the
converter of :mod:`service_hall.core.jsonschema`.

``python -m power_lists.jsonschema`` rewrites ``schema/power-list-v1.schema.json``; a test fails when the
file and the schemas drift apart. Rules that compare fields (promised ≤ statutory days, unique codes)
are stated in descriptions: JSON Schema cannot express them, the importer checks them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from power_lists.schemas import DocumentSchema
from service_hall.core.jsonschema import DIALECT, JsonSchemaConverter

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "power-list-v1.schema.json"
SCHEMA_ID = "/power-lists/schema.json"


def generate() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a power-list document."""
    converter = JsonSchemaConverter()
    root = converter.object(DocumentSchema())
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": "乡镇（街道）赋权事项清单（format_version 1）",
        **root,
        "$comment": ("承诺办结时限不得超过法定办结时限；即办件承诺时限为0；事项编码在一个版本内唯一；"
                     "收费事项须有收费标准和依据。这些跨字段规则由导入程序校验。"),
        "$defs": dict(sorted(converter.defs.items())),
    }


def render() -> str:
    return json.dumps(generate(), ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    SCHEMA_PATH.parent.mkdir(exist_ok=True)
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    print(SCHEMA_PATH)
    return 0


if __name__ == "__main__":
    sys.exit(main())
