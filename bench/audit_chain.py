"""``flask audit verify`` over a long chain without generating the cases behind it.

Writes ``AUDIT_BENCH_RECORDS`` (default 6,000,000) synthetic audit records with a valid HMAC chain by COPY
into the scratch database ``AUDIT_BENCH_DATABASE_URL`` (its tables are created, its audit records
replaced — never point it at a database you keep), then runs ``flask audit verify`` in a child process
and prints its wall time and peak memory (targets: < 60 s and < 200 MB over 6M records; README.md).

    AUDIT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/audit_bench \\
    AUDIT_BENCH_RECORDS=2000000 python bench/audit_chain.py

``AUDIT_BENCH_KEY`` sets the audit key (default: a new random one); ``AUDIT_BENCH_REUSE=1`` with the key a
chain was written with verifies it again without writing.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What the chain's records look like: a case's steps, some with a reason, a few with a payload.
STEPS = [("case.submit", "draft", "submitted", None), ("case.accept", "submitted", "accepted", None),
         ("case.complete_review", "accepted", "reviewed", None),
         ("case.approve", "reviewed", "approved", "经审查，材料齐全，符合法定形式"),
         ("case.deliver", "approved", "delivered", None)]
COLUMNS = ("id, seq, at, actor_id, actor_role, jurisdiction_id, action, object_type, object_id, from_state, to_state, "
           "reason, duty, payload, prev_hash, hash")


def write_chain(url: str, records: int, key: bytes) -> float:
    """Create the schema in the scratch database and COPY ``records`` chained records; returns seconds."""
    import psycopg
    from sqlalchemy import create_engine

    import service_hall.models  # noqa: F401  (every table, for the foreign keys)
    from service_hall.audit.trail import GENESIS, _canonical_values
    from service_hall.core.base import Base

    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    started = time.perf_counter()
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    prev = GENESIS
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("TRUNCATE audit_records, audit_chain_head")
        with conn.cursor().copy(f"COPY audit_records ({COLUMNS}) FROM STDIN") as copy:
            lines = []
            for seq in range(1, records + 1):
                action, before, after, reason = STEPS[seq % len(STEPS)]
                at = base + dt.timedelta(seconds=seq * 7, microseconds=seq % 1000)
                role = None if action == "case.submit" else "clerk"
                payload = {"备注": f"第{seq}条", "items": [seq % 7]} if seq % 50 == 0 else {}
                object_id = str(seq // len(STEPS))
                content = _canonical_values(seq, at, None, role, None, action, "application", object_id, before,
                                            after, reason, None, payload, prev)
                digest = hmac.digest(key, content, "sha256").hex()
                lines.append("\t".join((str(seq), str(seq), at.isoformat(), "\\N", role or "\\N", "\\N", action,
                                        "application", object_id, before, after, reason or "\\N", "\\N",
                                        json.dumps(payload, ensure_ascii=False), prev, digest)))
                prev = digest
                if len(lines) == 20000:
                    copy.write("\n".join(lines) + "\n")
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")
        conn.execute("INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, %s, %s)", (records, prev))
        conn.execute("ANALYZE audit_records")
    return time.perf_counter() - started


# Runs a command and reports its peak memory on stderr's last line. The command is this launcher's child,
# not the benchmark's: a child spawned by a large process starts with that process's peak on Linux (vfork
# and exec carry the parent's high-water mark into the child's rusage), so the benchmark's own memory would
# be reported as the command's.
_PEAK_LAUNCHER = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
                  "print('peak_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
                  "sys.exit(code)")


def run_audit_verify(env: dict[str, str]) -> dict[str, float]:
    """``flask audit verify`` in a child process with ``env``: wall time and that command's own peak memory.
    Raises RuntimeError when it fails (a broken chain included)."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _PEAK_LAUNCHER, sys.executable, "-m", "flask", "--app", "wsgi",
                           "audit", "verify"], cwd=str(ROOT), env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    last = proc.stderr.rstrip().rpartition("\n")[2]
    if proc.returncode != 0 or not last.startswith("peak_kb "):
        raise RuntimeError(proc.stderr[-500:])
    return {"audit_verify_seconds": round(elapsed, 1), "audit_verify_peak_mb": round(int(last.split()[1]) / 1024, 1)}


def verify(url: str, key: bytes) -> dict[str, float]:
    """``flask audit verify`` over the scratch database: wall time and the command's peak memory."""
    with tempfile.TemporaryDirectory() as instance:
        return run_audit_verify({**os.environ, "DATABASE_URL": url, "AUDIT_KEY": key.decode(),
                                 "INSTANCE_PATH": instance, "SECRET_KEY": "bench-only-secret", "PYTHONPATH": str(ROOT)})


def main() -> None:
    url = os.environ.get("AUDIT_BENCH_DATABASE_URL")
    if not url:
        sys.exit("AUDIT_BENCH_DATABASE_URL: a scratch PostgreSQL database (its audit records are replaced)")
    records = int(os.environ.get("AUDIT_BENCH_RECORDS", "6000000"))
    key = (os.environ.get("AUDIT_BENCH_KEY") or secrets.token_hex(32)).encode()
    # AUDIT_BENCH_REUSE=1 (with the AUDIT_BENCH_KEY it was written with) verifies the chain already there.
    written = 0.0 if os.environ.get("AUDIT_BENCH_REUSE") == "1" else write_chain(url, records, key)
    print(json.dumps({"audit_records": records, "write_seconds": round(written, 1), **verify(url, key)}))


if __name__ == "__main__":
    main()
