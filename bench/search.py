"""Benchmark: search a 1,200-item list delegated across 21 towns, on SQLite and (when given) PostgreSQL.

Run standalone (``python bench/search.py``) to print JSON, or call :func:`run` from the bench runner.
Builds its own temporary SQLite instance; for PostgreSQL set ``SEARCH_BENCH_POSTGRES_URL`` to an empty
database **used only for this** (its public schema is dropped and rebuilt by the migrations).

The list repeats the demo list's 45 real items (names, 子项, guides) with numbered variants, so the index
holds realistic Chinese text, and carries the demo aliases over to every variant. The queries are the
everyday ones of docs/search.md (饭店, 小饭馆, 养狗, 老人 80, 建房, 开店 …), half with a town filter, plus a
query that finds nothing and an overlong one.

- ``search_sqlite_ms_p50`` / ``_p95`` and ``search_postgres_ms_p50`` / ``_p95``: one call of the domain
  search as the API makes it (tokens → full-text index → ranked hits with their items, highlighted)
  (target p95 < 30 ms); ``search_page_*`` the same as the page makes it, with the towns of each hit.
  The ``_cpu_ms_`` figures are this process's CPU time for the same calls (the shared machine's load
  shows in the wall-clock ones; the database server's own time on PostgreSQL shows only there).
- ``search_index_seconds_*``: indexing the whole version at publication.
- ``search_bundles``: the 一件事 in the index beside the items — the demo's three bundles repeated over the
  variants (their items the variants of the same round, offered by a sample of the towns), published in one
  flush, so the bundle documents are searched with every query (``search_bundle_index_seconds_*``: that
  flush). They are written as published rows directly: the bench list has no application forms, which
  publishing through the four-eyes checks requires.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The repository first, even under PYTHONPATH: bench/power_lists.py would shadow the package.
if sys.path[:1] != [str(ROOT)]:
    sys.path.insert(0, str(ROOT))

ITEMS = 1200
TOWNS = 21
BUNDLE_ROUNDS = 20  # × the demo's three bundles
COUNTY_CODE = "330299000000"
ROUNDS = 20
QUERIES = ["饭店", "小饭馆", "我要开个小饭馆", "养狗", "老人 80", "家里老人满80了", "建房", "想翻建老房子", "开店",
           "宅基地", "低保", "gljt", "营业执照", "补贴", "登记", "办护照", "饭" * 200, '"NEAR(*:'
           ]


def town_codes() -> list[str]:
    return [f"3302991{n:02d}000" for n in range(1, TOWNS + 1)]


def generate_document(seed: int = 1176) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """1,200 items built from the demo items, and the demo aliases mapped onto them."""
    from power_lists.demo import DEMO_LIST
    from service_hall.search.aliases import DEMO_ALIASES

    rng = random.Random(seed)
    towns = town_codes()
    seed_aliases = json.loads(DEMO_ALIASES.read_text(encoding="utf-8"))["aliases"]
    base = json.loads(DEMO_LIST.read_text(encoding="utf-8"))["items"]  # the fixture, as JSON
    items, aliases = [], {}
    for n in range(ITEMS):
        src = copy.deepcopy(base[n % len(base)])
        round_ = n // len(base)
        code = f"330299-{src['code'].split('-', 1)[1]}-{round_:02d}"
        if round_:
            src["name"] = f"{src['name']}（第{round_}类情形）"
        src["code"] = code
        src["delegations"] = [{"town": t, "valid_from": None, "valid_until": None}
                              for t in sorted(rng.sample(towns, rng.randint(3, TOWNS)))]
        items.append(src)
        if src_aliases := seed_aliases.get(base[n % len(base)]["code"]):
            aliases[code] = src_aliases
    return {"format_version": 1, "county": {"code": COUNTY_CODE, "name": "基准县"}, "items": items}, aliases


def generate_bundles(seed: int = 1177) -> list[dict[str, Any]]:
    """The demo bundles over the variants: round ``r`` bundles the items of round ``r``."""
    from service_hall.bundles.demo import DEMO_BUNDLES

    rng = random.Random(seed)
    towns = town_codes()
    out = []
    for round_ in range(BUNDLE_ROUNDS):
        for src in DEMO_BUNDLES:
            out.append({
                "code": f"{src['code']}-{round_:02d}", "theme": src["theme"], "description": src["description"],
                "name": src["name"] if not round_ else src["name"].replace("一件事", f"（第{round_}类情形）一件事"),
                "towns": sorted(rng.sample(towns, rng.randint(3, TOWNS))),
                "items": [{"code": f"330299-{i['code'].split('-', 1)[1]}-{round_:02d}",
                           "after": [f"330299-{a.split('-', 1)[1]}-{round_:02d}" for a in i["after"]]}
                          for i in src["items"]],
            })
    return out


def _app(url: str) -> Any:
    os.environ["DATABASE_URL"] = url
    from flask_migrate import upgrade

    from service_hall.app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "bench-only"})
    with app.app_context():
        from service_hall.extensions import db

        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
    return app


def _measure(app: Any) -> dict[str, float]:
    from power_lists.document import validate_document
    from power_lists.versions import import_draft
    from service_hall.core.base import utcnow
    from service_hall.extensions import db
    from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel
    from service_hall.search.models import SearchAlias
    from service_hall.search.query import Filters, search

    with app.app_context():
        session = db.session
        county = Jurisdiction(code=COUNTY_CODE, name="基准县", kind="县", level=JurisdictionLevel.COUNTY)
        session.add(county)
        towns = [Jurisdiction(code=c, name=f"第{n}镇", kind="镇", level=JurisdictionLevel.TOWN, parent=county)
                 for n, c in enumerate(town_codes(), start=1)]
        session.add_all(towns)
        session.commit()
        towns_ids = [t.id for t in towns]
        raw, aliases = generate_document()
        now = utcnow()
        for code, words in aliases.items():
            session.add_all(SearchAlias(county_id=county.id, item_code=code, alias=w, created_at=now) for w in words)
        version = import_draft(session, county, validate_document(raw), actor=None, now=now, filename="bench")
        session.commit()
        from power_lists.models import VersionStatus

        session.refresh(version)  # load the old status: the frozen-rows guard reads it from the history
        start = time.perf_counter()
        version.status = VersionStatus.PUBLISHED
        version.effective_from = dt.date(2026, 1, 1)
        version.published_at = now
        session.commit()  # the flush that publishes indexes the version
        index_seconds = time.perf_counter() - start
        from service_hall.bundles.models import Bundle, BundleStatus, Theme

        bundles = generate_bundles()
        start = time.perf_counter()
        session.add_all(Bundle(county_id=county.id, code=b["code"], version=1, status=BundleStatus.PUBLISHED,
                               name=b["name"], theme=Theme(b["theme"]), description=b["description"],
                               towns=b["towns"], items=b["items"], created_at=now, published_at=now)
                        for b in bundles)
        session.commit()  # the flush that publishes them indexes the county's bundles
        bundle_index_seconds = time.perf_counter() - start
        if db.engine.dialect.name == "postgresql":  # what autovacuum does soon after a publication
            from sqlalchemy import text

            session.execute(text("ANALYZE"))
            session.commit()
        on = dt.date(2026, 6, 1)
        search(session, "预热", on=on)
        timings, cpu, page = [], [], []
        county_id = county.id
        for r in range(ROUNDS):
            for i, query in enumerate(QUERIES):
                town = session.get(Jurisdiction, towns_ids[(r + i) % TOWNS])  # as a request loads it
                filters = Filters(town=town, county_id=county_id) if (r + i) % 2 else Filters()
                start, start_cpu = time.perf_counter(), time.process_time()
                search(session, query, on=on, filters=filters, with_towns=False)  # as the API asks
                timings.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                start = time.perf_counter()
                search(session, query, on=on, filters=filters)  # as the page asks (with the towns)
                page.append((time.perf_counter() - start) * 1000)
                session.rollback()
        found = search(session, "老人 80", on=on).hits
        # 高龄津贴, or the 高龄老人一件事 that includes it (it carries the item's aliases)
        assert found and found[0].code.startswith(("330299-GF-004", "senior-")), [h.code for h in found[:3]]
        found = search(session, "农村建房一件事", on=on).hits  # the bundles are searched with the items
        assert found and found[0].kind == "bundle" and found[0].code.startswith("rural-housing"), \
            [(h.kind, h.code) for h in found[:3]]
        from sqlalchemy import func, select

        from service_hall.search.models import SearchDocument

        indexed_bundles = session.scalar(select(func.count()).select_from(SearchDocument)
                                         .where(SearchDocument.kind == "bundle"))
        assert indexed_bundles == len(bundles), indexed_bundles
        session.remove()
        db.engine.dispose()
    return {"p50": _percentile(timings, 50), "p95": _percentile(timings, 95), "cpu_p50": _percentile(cpu, 50),
            "cpu_p95": _percentile(cpu, 95), "page_p50": _percentile(page, 50), "page_p95": _percentile(page, 95),
            "index_seconds": round(index_seconds, 3), "queries": len(timings), "bundles": indexed_bundles,
            "bundle_index_seconds": round(bundle_index_seconds, 3)}


def _percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, round(len(ordered) * pct / 100) - 1)], 2)


def run() -> dict[str, Any]:
    """p50/p95 milliseconds per search on SQLite, and on PostgreSQL when SEARCH_BENCH_POSTGRES_URL is set."""
    from bench.power_lists import in_own_instance

    return in_own_instance(_run)


def _run() -> dict[str, Any]:
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    instance = tempfile.mkdtemp(prefix="bench-search-")
    os.environ["INSTANCE_PATH"] = instance
    results: dict[str, Any] = {"search_items": ITEMS, "search_towns": TOWNS}
    databases = {"sqlite": f"sqlite:///{instance}/bench.sqlite3"}
    if os.environ.get("SEARCH_BENCH_POSTGRES_URL"):
        databases["postgres"] = os.environ["SEARCH_BENCH_POSTGRES_URL"]
    for name, url in databases.items():
        figures = _measure(_app(url))
        results[f"search_{name}_ms_p50"] = figures["p50"]
        results[f"search_{name}_ms_p95"] = figures["p95"]
        results[f"search_{name}_cpu_ms_p50"] = figures["cpu_p50"]
        results[f"search_{name}_cpu_ms_p95"] = figures["cpu_p95"]
        results[f"search_page_{name}_ms_p50"] = figures["page_p50"]
        results[f"search_page_{name}_ms_p95"] = figures["page_p95"]
        results[f"search_index_seconds_{name}"] = figures["index_seconds"]
        results[f"search_bundle_index_seconds_{name}"] = figures["bundle_index_seconds"]
        results["search_bundles"] = figures["bundles"]
        results["search_queries"] = figures["queries"]
    return results


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=2))
