"""A web worker starts without the libraries only exports and the job queue use (openpyxl, redis, rq):
every gunicorn worker would otherwise carry them for its whole life (docs/architecture.md, "Long work in
the worker")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_app_loads_without_the_export_and_queue_libraries(tmp_path):
    probe = ("import sys, wsgi; print(','.join(sorted(m for m in ('openpyxl', 'redis', 'rq', 'weasyprint', 'jieba')"
             " if m in sys.modules)))")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}", "SECRET_KEY": "probe-only-secret",
           "INSTANCE_PATH": str(tmp_path)}
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, "-c", probe], cwd=str(ROOT), env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == ""
