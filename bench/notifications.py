"""Benchmark: the notification outbox (SQLite).

- ``outbox_write_ms_per_event``: what writing one event costs inside the request's transaction — the
  event row and its outbox rows (the applicant's and a clerk's inbox, one webhook subscription), flushed;
  the mean over 1,000 events, each in its own transaction like a request (neither the transaction's start
  nor its commit counted: the request has both anyway).
- ``outbox_dispatch_messages_per_second``: one worker delivering those 1,000 events' 3,000 messages
  (inbox rows, and signed webhook POSTs to an HTTP receiver on loopback), claim and mark included.

Run standalone (``python bench/notifications.py``) to print JSON, or call :func:`run` from the bench runner.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The repository first, even under PYTHONPATH: bench/power_lists.py would shadow the package.
if sys.path[:1] != [str(ROOT)]:
    sys.path.insert(0, str(ROOT))

EVENTS = 1_000
NOW = dt.datetime(2026, 11, 23, 2, tzinfo=dt.UTC)


def _list_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_power_lists", HERE / "power_lists.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _benchmark() -> dict[str, Any]:
    instance = tempfile.mkdtemp(prefix="bench-notifications-")
    os.environ["INSTANCE_PATH"] = instance
    os.environ["DATABASE_URL"] = f"sqlite:///{instance}/bench.sqlite3"
    from flask_migrate import upgrade
    from sqlalchemy import text

    from service_hall.accounts.operations import create_staff, register_applicant
    from service_hall.app import create_app
    from service_hall.demo import load_jurisdictions
    from service_hall.extensions import db
    from service_hall.jobs import dispatch_outbox
    from service_hall.notifications.events import emit
    from service_hall.notifications.models import WebhookSubscription

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-only", "WEBHOOK_ALLOW_PRIVATE": True})
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"), revision="heads")
            load_jurisdictions(db.session)
            applicant = register_applicant(db.session, {
                "applicant_type": "person", "real_name": "李堃", "mobile": "13900000001",
                "id_number": "330127198503120011", "password": "Bench2026pw", "password_confirm": "Bench2026pw"},
                now=NOW)
            clerk = create_staff(db.session, {"username": "clerk", "real_name": "窗口", "role": "clerk",
                                              "jurisdiction_code": "330199101000", "password": "Bench2026pw"}, now=NOW)
            db.session.add(WebhookSubscription(url=f"http://127.0.0.1:{server.server_address[1]}/hook",
                                               events=["case.accepted"], secret="s" * 64, active=True, created_at=NOW))
            db.session.commit()
            # A request has loaded the case and its people before it acts; keep them loaded across commits.
            db.session().expire_on_commit = False
            timings = []
            for n in range(EVENTS):
                db.session.execute(text("SELECT 1"))  # the request's transaction is open: it has loaded the case
                started = time.perf_counter()
                emit(db.session, "case.accepted", now=NOW,
                     data={"case_number": f"BENCH{n:06d}", "item_name": "基准事项"},
                     messages=[(applicant, "applicant.submitted"), (clerk, "staff.new_case")])
                timings.append((time.perf_counter() - started) * 1000)
                db.session.commit()
            started = time.perf_counter()
            counts = dispatch_outbox(db.session, app.config, now=lambda: NOW, limit=10 * EVENTS)
            seconds = time.perf_counter() - started
        sent = counts.get("sent", 0)
        return {"outbox_write_ms_per_event": round(statistics.fmean(timings), 3),
                "outbox_write_ms_p95": round(sorted(timings)[int(len(timings) * 0.95)], 3),
                "outbox_dispatch_messages": sent,
                "outbox_dispatch_messages_per_second": round(sent / seconds, 1),
                "outbox_dispatch_not_sent": {k: v for k, v in counts.items() if k != "sent"}}
    finally:
        server.shutdown()
        server.server_close()


def run() -> dict[str, Any]:
    """Write 1,000 events, then deliver them with one worker; returns the figures."""
    return _list_bench().in_own_instance(_benchmark)


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=2))
