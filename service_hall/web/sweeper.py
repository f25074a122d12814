"""The deadline sweep (deemed acceptance, deadline warnings and accountability triggers, superseded list
versions) runs beside the requests, never inside one (docs/architecture.md, "Lists at scale"):

- ``background`` (the default): each app process starts one daemon thread on its first request that
  every minute queues the sweep on RQ when ``REDIS_URL`` is set (one enqueue a minute across all servers,
  see ``service_hall.jobs``), or else runs it itself in its own app context and commits. Processes
  whose rounds meet take turns: on PostgreSQL one holds an advisory lock to its commit and the others
  skip that round (``cases.sweep.run_sweep``).
- ``request``: the old piggy-back on staff and applicant traffic (at most once a minute per process), for
  a clock pinned by ``FIXED_NOW`` — the test suite's mode, and the default of an app created with
  ``TESTING``. Public pages never pay for it.

``flask cases sweep`` does the same from cron.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading

from flask import Flask, request

from service_hall.extensions import db
from service_hall.web.access import now
from service_hall.web.unit_of_work import EarlyCommit, commit_early

log = logging.getLogger(__name__)
_lock = threading.Lock()
_last: dict[str, dt.datetime] = {}
_threads: dict[int, threading.Thread] = {}  # process id → its sweeper thread (a forked worker starts its own)
INTERVAL = dt.timedelta(seconds=60)
STAFF_BLUEPRINTS = {"portal", "workbench", "api_cases", "supervision"}


def _due(current: dt.datetime) -> bool:
    with _lock:
        last = _last.get("at")
        if last is not None and last <= current < last + INTERVAL:
            return False
        _last["at"] = current
        return True


def sweep_once(app: Flask) -> None:
    """One sweep in a fresh app context, committed (or queued on RQ). Logs and swallows any failure: the
    next round tries again."""
    with app.app_context():
        try:
            redis_url = app.config.get("REDIS_URL")
            if redis_url:
                from service_hall.jobs import enqueue_sweep

                enqueue_sweep(redis_url)
            else:
                from service_hall.jobs import sweep_job

                sweep_job()
        except Exception:  # a failed round must not kill the thread
            db.session.rollback()
            log.exception("deadline sweep failed")
        finally:
            db.session.remove()


def _loop(app: Flask, stop: threading.Event) -> None:
    while not stop.wait(float(app.config.get("SWEEP_INTERVAL_SECONDS") or INTERVAL.total_seconds())):
        sweep_once(app)


def start_background(app: Flask) -> threading.Thread:
    """This process's sweeper thread, started once per process (idempotent)."""
    pid = os.getpid()
    with _lock:
        thread = _threads.get(pid)
        if thread is None or not thread.is_alive():
            stop = threading.Event()
            thread = threading.Thread(target=_loop, args=(app, stop), name="deadline-sweeper", daemon=True)
            thread.stop = stop  # type: ignore[attr-defined]
            _threads[pid] = thread
            thread.start()
    return thread


def install(app: Flask) -> None:
    mode = app.config.get("SWEEP_MODE") or ("request" if app.testing else "background")
    if mode == "background":
        @app.before_request
        def start_sweeper() -> None:
            if os.getpid() not in _threads:
                start_background(app)
        return

    @app.before_request
    def sweep() -> None:
        if request.blueprint not in STAFF_BLUEPRINTS:
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
