"""Run the benchmarks and write bench/results.json (``make bench``; ``python bench/run.py NAME …`` runs only
those modules).

Each module in this folder exposes ``run() -> dict`` of named figures; this script merges them into the
figures already in results.json (a figure another run wrote, such as ``make bench-scale``'s, is kept until
that run replaces it), with the machine facts and the targets from the issues, and exits non-zero if a
target is missed or a module failed.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

MODULES = ["power_lists", "documents", "evaluation", "notifications", "search"]

# figure -> (comparison, limit or the name of another figure times a factor)
TARGETS = {
    "power_list_import_seconds": ("<", 5.0),
    "power_list_export_seconds": ("<", 3.0),
    "certificate_render_ms_median": ("<=", ("weasyprint_floor_ms_median", 1.5)),
    "outbox_write_ms_per_event": ("<", 2.0),
    "search_sqlite_ms_p95": ("<", 30.0),
    "search_postgres_ms_p95": ("<", 30.0),
}


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _previous() -> dict[str, object]:
    try:
        return dict(json.loads((HERE / "results.json").read_text()).get("results") or {})
    except (OSError, ValueError):
        return {}


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        print(f"unknown benchmark: {', '.join(unknown)} (one of {', '.join(MODULES)})", file=sys.stderr)
        return 2
    results = _previous()
    errors: dict[str, str] = {}
    for name in names or MODULES:
        if not (HERE / f"{name}.py").exists():
            errors[name] = "benchmark module missing"
            continue
        try:
            figures = _load(name).run()
        except Exception as exc:
            errors[name] = f"{type(exc).__name__}: {exc}"
            continue
        results.update(figures)
        print(f"{name}: {json.dumps(figures, ensure_ascii=False)}", flush=True)
    checks = {}
    ok = not errors
    for figure, (op, limit) in TARGETS.items():
        if figure not in results:
            continue
        if isinstance(limit, tuple):
            other, factor = limit
            if other not in results:
                continue
            bound = float(results[other]) * factor  # type: ignore[arg-type]
        else:
            bound = limit
        value = float(results[figure])  # type: ignore[arg-type]
        passed = value < bound if op == "<" else value <= bound
        checks[figure] = {"value": value, "target": f"{op} {round(bound, 3)}", "passed": passed}
        ok = ok and passed
    out = {
        "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "results": results,
        "targets": checks,
        "errors": errors,
    }
    (HERE / "results.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps({"targets": checks, "errors": errors}, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
