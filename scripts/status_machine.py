"""Write docs/status-machine.md from the transition table (``python scripts/status_machine.py``).

``tests/review/test_status_machine.py`` fails when the page and the table differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service_hall.cases.transitions import status_machine_markdown  # noqa: E402

if __name__ == "__main__":
    target = ROOT / "docs" / "status-machine.md"
    target.write_text(status_machine_markdown(), encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}")
