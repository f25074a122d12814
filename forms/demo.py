"""Demo form definitions for typical town-level application items, keyed by a short key (the demo loader
maps keys to item codes). The data lives in JSON fixtures in the definition format of
:mod:`forms.definition`: ``fixtures/definitions/<key>.json``.

``DEMO_SUBMISSIONS`` holds one filled example per form (``fixtures/examples.json``), valid against
``DEMO_VILLAGES`` (the villages of the demo county's 青山镇) on ``DEMO_TODAY``. Identity numbers in the
examples are fictitious but carry correct GB 11643 / GB 32100 check characters (the tests recompute them).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load_demo_forms() -> dict[str, dict[str, Any]]:
    """Every demo form definition (raw JSON, not yet checked), by key. Raises OSError or ValueError when a
    fixture is missing or is not JSON."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted((FIXTURES / "definitions").glob("*.json"))}


def load_demo_examples() -> tuple[dict[str, dict[str, Any]], dt.date, dict[str, str]]:
    """The filled examples by form key, the day they are valid on, and the villages they name.
    Raises OSError or ValueError when the fixture is missing or is not JSON."""
    data = json.loads((FIXTURES / "examples.json").read_text(encoding="utf-8"))
    return data["submissions"], dt.date.fromisoformat(data["today"]), data["villages"]


DEMO_FORMS = load_demo_forms()
DEMO_SUBMISSIONS, DEMO_TODAY, DEMO_VILLAGES = load_demo_examples()
