"""Deadline sweep piggy-backed on staff and applicant traffic, so deemed acceptance happens without a
scheduler; `flask cases sweep` does the same from cron. Sweeping is idempotent, so several processes
running it is harmless (rows are claimed with SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

from flask import Flask, request

from service_hall.extensions import db
from service_hall.web.access import now
from service_hall.web.unit_of_work import EarlyCommit, commit_early

_lock = threading.Lock()
_last: dict[str, dt.datetime] = {}
INTERVAL = dt.timedelta(seconds=60)


def _due(current: dt.datetime) -> bool:
    with _lock:
        last = _last.get("at")
        if last is not None and last <= current < last + INTERVAL:
            return False
        _last["at"] = current
        return True


def install(app: Flask) -> None:
    @app.before_request
    def sweep() -> None:
        if request.blueprint not in {"portal", "workbench", "api_cases", "supervision"}:
            return
        current = now()
        if not _due(current):
            return
        redis_url = app.config.get("REDIS_URL")
        if redis_url and not app.config.get("FIXED_NOW"):
            from service_hall.jobs import enqueue_sweep

            enqueue_sweep(redis_url)
            return
        from service_hall.cases.sweep import run_sweep

        run_sweep(db.session, now=current)
        commit_early(EarlyCommit.SWEEP)
        from service_hall.notifications.events import WRITTEN_KEY

        db.session.info[WRITTEN_KEY] = True  # deliver after the request, with any retries fallen due
