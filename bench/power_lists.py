"""Benchmark: import and export a generated list of 1,200 items delegated across 21 towns (SQLite).

Run standalone (``python bench/power_lists.py``) to print JSON, or call :func:`run` from the bench
runner. It builds its own temporary instance and database with the migrations.

- ``power_list_import_seconds``: an XLSX file (bytes) → checked document → new draft, committed
  (target < 5 s).
- ``power_list_export_seconds``: the stored version → XLSX bytes (target < 3 s).
The JSON and CSV timings are reported too.
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The repository first, even under PYTHONPATH: bench/power_lists.py would shadow the package.
if sys.path[:1] != [str(ROOT)]:
    sys.path.insert(0, str(ROOT))

ITEMS = 1200
TOWNS = 21
COUNTY_CODE = "330299000000"
TYPES = ["licensing", "penalty", "coercion", "levy", "benefit", "inspection", "confirmation", "reward",
         "adjudication", "other", "public_service"]
MODES = ["devolved", "entrusted", "front_window"]


def town_codes() -> list[str]:
    return [f"3302991{n:02d}000" for n in range(1, TOWNS + 1)]


def generate_document(seed: int = 1176) -> dict[str, Any]:
    """1,200 realistic-looking items; application-type ones carry a full guide."""
    rng = random.Random(seed)
    towns = town_codes()
    items = []
    for n in range(1, ITEMS + 1):
        power_type = TYPES[n % len(TYPES)]
        mode = "devolved" if power_type == "coercion" else MODES[n % 3]
        chosen = sorted(rng.sample(towns, rng.randint(3, TOWNS)))
        item: dict[str, Any] = {
            "code": f"330299-{power_type[:2].upper()}-{n:04d}", "name": f"第{n}项行政权力事项（{power_type}）",
            "sub_item": "" if n % 5 else f"子项{n}", "power_type": power_type,
            "setting_basis": [{"law": "中华人民共和国行政许可法", "article": f"第{n % 80 + 1}条",
                               "text": "条文内容" * 5}],
            "implementing_basis": [{"law": "浙江省实施办法", "article": f"第{n % 30 + 1}条", "text": ""}],
            "original_department": f"县第{n % 17}局", "receiving_body": "乡镇人民政府（街道办事处）",
            "delegation_mode": mode,
            "delegations": [{"town": t, "valid_from": "2026-03-01" if i % 7 == 0 else None,
                             "valid_until": "2027-12-31" if i % 11 == 0 else None} for i, t in enumerate(chosen)],
            "responsibilities": {"intake": "依法受理", "review": "审查材料", "decision": "作出决定",
                                 "delivery": "依法送达", "supervision": "事后监管", "other": ""},
            "accountability": [{"code": "late_decision", "situation": "逾期未作决定",
                                "basis": "《行政许可法》第七十四条"},
                               {"code": "unlawful_fee", "situation": "违法收费", "basis": "《行政许可法》第七十五条"}],
            "accepts_applications": power_type == "other" and n % 2 == 0,
            "two_reviewers": n % 3 == 0, "separate_decider": n % 4 == 0, "note": "" if n % 9 else "试点",
            "guide": None,
        }
        if power_type in {"licensing", "benefit", "confirmation", "reward", "adjudication", "public_service"}:
            item["guide"] = {
                "conditions": "符合法定条件", "case_type": "promised", "statutory_days": 20, "promised_days": 10,
                "materials": [{"code": f"M{m:02d}", "name": f"材料{m}", "source": "申请人自备", "paper_copies": 1,
                               "form": "原件", "required": m < 4, "deferrable": m == 3} for m in range(1, 6)],
                "fee_charged": False, "fee_standard": "不收费", "fee_basis": "", "visits": n % 2,
                "online_depth": 4, "pledge_allowed": n % 5 == 0, "result_name": "决定书", "result_type": "批文",
                "result_validity": "长期", "consult": "0571-12345", "complaint": "12345",
            }
        items.append(item)
    return {"format_version": 1, "county": {"code": COUNTY_CODE, "name": "基准县"}, "items": items}


def _app() -> Any:
    instance = tempfile.mkdtemp(prefix="bench-power-lists-")
    os.environ["INSTANCE_PATH"] = instance
    os.environ["DATABASE_URL"] = f"sqlite:///{instance}/bench.sqlite3"
    from flask_migrate import upgrade

    from service_hall.app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "bench-only"})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
    return app


def _county(session: Any) -> Any:
    from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel

    county = Jurisdiction(code=COUNTY_CODE, name="基准县", kind="县", level=JurisdictionLevel.COUNTY)
    session.add(county)
    for n, code in enumerate(town_codes(), start=1):
        session.add(Jurisdiction(code=code, name=f"第{n}镇", kind="镇", level=JurisdictionLevel.TOWN, parent=county))
    session.commit()
    return county


def in_own_instance(benchmark: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``benchmark`` (which points INSTANCE_PATH and DATABASE_URL at a temporary instance) and leave
    the environment as found for the other benchmarks of the same process."""
    saved = {key: os.environ.get(key) for key in ("INSTANCE_PATH", "DATABASE_URL")}
    try:
        return benchmark()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run() -> dict[str, Any]:
    """Time import and export; returns seconds (rounded to ms) and sizes."""
    return in_own_instance(_run)


def _run() -> dict[str, Any]:
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = _app()
    from power_lists.document import validate_document, version_document
    from power_lists.files import read_document, write_document
    from power_lists.versions import discard_draft, import_draft, town_directory
    from service_hall.core.base import utcnow
    from service_hall.extensions import db

    results: dict[str, Any] = {"power_list_items": ITEMS, "power_list_towns": TOWNS}
    with app.app_context():
        county = _county(db.session)
        canonical = validate_document(generate_document())
        results["power_list_delegations"] = sum(len(i["delegations"]) for i in canonical["items"])
        files = {fmt: write_document(canonical, fmt) for fmt in ("xlsx", "csv", "json")}
        for fmt in ("json", "csv", "xlsx"):  # xlsx last: its draft stays for the export
            directory = town_directory(db.session, county)
            start = time.perf_counter()
            document = read_document(f"list.{fmt}", files[fmt], directory, county_code=COUNTY_CODE)
            version = import_draft(db.session, county, document, actor=None, now=utcnow(), filename=f"list.{fmt}")
            db.session.commit()
            results[f"power_list_import_{fmt}_seconds"] = round(time.perf_counter() - start, 3)
            results[f"power_list_{fmt}_bytes"] = len(files[fmt])
            if fmt != "xlsx":
                discard_draft(db.session, version, actor=None, now=utcnow())
                db.session.commit()
        version_id = version.id
        for fmt in ("json", "csv", "xlsx"):
            db.session.expire_all()
            from power_lists.models import PowerListVersion

            start = time.perf_counter()
            data = write_document(version_document(db.session.get(PowerListVersion, version_id)), fmt)
            results[f"power_list_export_{fmt}_seconds"] = round(time.perf_counter() - start, 3)
            assert data
        db.session.remove()
        db.engine.dispose()
    results["power_list_import_seconds"] = results["power_list_import_xlsx_seconds"]
    results["power_list_export_seconds"] = results["power_list_export_xlsx_seconds"]
    return results


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=2))
