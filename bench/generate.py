"""Data generator: N cases over the demo county's towns and two years, written with PostgreSQL COPY.

Most cases are closed (delivered, refused, denied, withdrawn); a few percent — the ones received in the
last weeks — are open in every status of the flow. Each case gets its audit records (a valid hash chain,
so ``flask audit verify`` passes), its acceptance and decision notices, visits, and for many finished
cases a rating. Applicants are one per five cases; one applicant (``HEAVY_APPLICANT``) holds 1,200 cases.

It needs the towns, delegated items and staff already in the database (``flask demo load``), and writes
through one psycopg connection in the caller's transaction, so a test can generate a small size inside
its rolled-back transaction and the benchmark a million cases::

    DATABASE_URL=postgresql+psycopg://… python bench/generate.py --cases 1000000

Only PostgreSQL (COPY); the figures the pages compute from these rows are what the benchmark measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The repository first, even under PYTHONPATH: bench/power_lists.py would shadow the package.
if sys.path[:1] != [str(ROOT)]:
    sys.path.insert(0, str(ROOT))

HEAVY_APPLICANT = "13900000000"
HEAVY_CASES = 1_200
BENCH_PASSWORD = "Bench-pass-2026"
OPEN_SHARE = 0.03
CHINA = dt.timezone(dt.timedelta(hours=8))

CLOSED_MIX = [("delivered", 0.86), ("refused", 0.04), ("denied", 0.03), ("withdrawn", 0.07)]
OPEN_MIX = [("submitted", 0.25), ("correction_requested", 0.08), ("accepted", 0.35), ("special_procedure", 0.07),
            ("reviewed", 0.15), ("approved", 0.10)]


@dataclass
class _Item:
    id: int
    town_id: int
    code: str
    name: str
    promised: int
    statutory: int


class _Audit:
    """The fields ``audit.trail`` hashes, for records written by COPY instead of the ORM."""

    __slots__ = ("action", "actor_id", "actor_role", "at", "duty", "from_state", "hash", "jurisdiction_id",
                 "object_id", "object_type", "payload", "prev_hash", "reason", "seq", "to_state")


def _esc(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


def _line(*values: Any) -> str:
    return "\t".join(_esc(v) for v in values) + "\n"


class _Copy:
    """COPY ... FROM STDIN (text format) of one table. One connection runs one COPY at a time, so the rows
    of every table are spooled to a temporary file and sent by :meth:`close`, table after table."""

    def __init__(self, cursor: Any, table: str, columns: str) -> None:
        self._cursor = cursor
        self.table = table
        self._sql = f"COPY {table} ({columns}) FROM STDIN"
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by close()
        self._buf: list[str] = []
        self.rows = 0

    def add(self, *values: Any) -> None:
        self._buf.append(_line(*values))
        self.rows += 1
        if len(self._buf) >= 5000:
            self._file.write("".join(self._buf))
            self._buf.clear()

    def close(self) -> None:
        self._file.write("".join(self._buf))
        self._buf.clear()
        self._file.seek(0)
        with self._cursor.copy(self._sql) as copy:
            while chunk := self._file.read(1 << 20):
                copy.write(chunk)
        self._file.close()


BULK_TABLES = ("applications", "audit_records", "visits", "ratings", "notices", "notice_receipts", "clock_pauses")
RECEIPT_SHARE = 0.75  # notices the applicant opened (电子送达), each with its receipt and its notice.open record


def _drop_indexes(cur: Any, tables: tuple[str, ...]) -> list[str]:
    """Drop the secondary indexes of ``tables`` (not those behind a primary key or unique constraint) and
    return their definitions: one index build after the load is much cheaper than maintaining each index
    row by row during it. In the caller's transaction, like the load."""
    cur.execute("""SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
                   JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                   WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                   ORDER BY i.relname""", (list(tables),))
    found = cur.fetchall()
    for name, _ in found:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def _weighted(rng: random.Random, mix: list[tuple[str, float]]) -> str:
    x = rng.random()
    for name, share in mix:
        x -= share
        if x < 0:
            return name
    return mix[-1][0]


class _Days:
    """Working-day arithmetic through the project's calendar, memoised (the generator asks the same few
    (day, n) pairs hundreds of thousands of times)."""

    def __init__(self, calendar: Any) -> None:
        self._calendar = calendar
        self._memo: dict[tuple[dt.date, int], dt.date] = {}

    def add(self, day: dt.date, n: int) -> dt.date:
        key = (day, n)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._calendar.add_working_days(day, n).due
        return found


def _at(day: dt.date, rng: random.Random, hours: tuple[int, int] = (8, 17)) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(rng.randrange(*hours), rng.randrange(60), rng.randrange(60)),
                                tzinfo=CHINA)
    return local.astimezone(dt.UTC)


def _next_ids(cur: Any, tables: list[str]) -> dict[str, int]:
    out = {}
    for table in tables:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        out[table] = int(cur.fetchone()[0])
    return out


def _load_world(cur: Any) -> tuple[list[_Item], dict[int, int], int, dict[int, str]]:
    cur.execute("""SELECT i.id, d.town_id, i.code, i.name, i.guide::text FROM power_item_delegations d
                   JOIN power_items i ON i.id = d.item_id ORDER BY d.town_id, i.code, i.id""")
    items = []
    for item_id, town_id, code, name, guide in cur.fetchall():
        g = (json.loads(guide) if guide else None) or {}
        statutory = int(g.get("statutory_days") or 20)
        promised = int(g.get("promised_days") or statutory)
        items.append(_Item(item_id, town_id, code, name, min(promised, statutory), statutory))
    if not items:
        raise SystemExit("no delegated items: load the demo first (flask demo load)")
    cur.execute("SELECT id, jurisdiction_id, role FROM users WHERE role <> 'applicant' ORDER BY id")
    staff: dict[int, int] = {}
    roles: dict[int, str] = {}
    first = None
    for user_id, town_id, role in cur.fetchall():
        roles[user_id] = role
        first = first or user_id
        if role == "clerk" and town_id is not None:
            staff.setdefault(town_id, user_id)
    if first is None:
        raise SystemExit("no staff account: load the demo first (flask demo load)")
    return items, staff, first, roles


def generate(conn: Any, *, cases: int, seed: int = 20261201, today: dt.date | None = None,
             years: int = 2, log: Any = None) -> dict[str, int]:
    """Write ``cases`` cases (and their records) through the psycopg connection ``conn``; does not commit.
    Returns the row counts written per table."""
    from service_hall.accounts.operations import hash_password
    from service_hall.audit.trail import GENESIS, _digest
    from service_hall.calendar.working_days import WorkingCalendar

    rng = random.Random(seed)
    today = today or dt.datetime.now(CHINA).date()
    start = today - dt.timedelta(days=365 * years)
    span = (today - start).days
    cur = conn.cursor()
    items, clerk_of, any_staff, roles = _load_world(cur)
    cur.execute("SELECT day, is_working, name FROM calendar_days")
    days = _Days(WorkingCalendar({d: (w, n) for d, w, n in cur.fetchall()}))
    ids = _next_ids(cur, ["users", "applications", "audit_records", "visits", "ratings", "notices",
                          "notice_receipts", "clock_pauses"])
    cur.execute("SELECT seq, hash FROM audit_chain_head WHERE id = 1")
    head = cur.fetchone()
    seq, prev_hash = (int(head[0]), head[1]) if head else (0, GENESIS)
    password = hash_password(BENCH_PASSWORD)
    now_utc = dt.datetime.now(dt.UTC)
    started = time.monotonic()

    # Applicants: one per five cases, plus the heavy one.
    applicants = max(2, cases // 5)
    users = _Copy(cur, "users", "id, username, role, real_name, mobile, applicant_type, id_number, password_hash, "
                                 "active, created_at, must_change_password")
    first_user = ids["users"]
    cur2 = conn.cursor()
    cur2.execute("SELECT 1 FROM users WHERE username = %s", (HEAVY_APPLICANT,))
    heavy_exists = cur2.fetchone() is not None
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    for n in range(applicants):
        user_id = first_user + n
        mobile = HEAVY_APPLICANT if n == 0 and not heavy_exists else f"139{(user_id * 7919) % 10**8:08d}"
        if n == 0 and heavy_exists:
            mobile = f"137{user_id:08d}"
        users.add(user_id, mobile, "applicant", rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                  mobile, "person", f"33012719{80 + n % 20}0101{n % 1000:03d}X", password, True, now_utc, False)
    users.close()
    heavy_id = first_user if not heavy_exists else None

    apps = _Copy(cur, "applications",
                 "id, case_number, ref, status, applicant_id, town_id, power_item_id, item_code, item_name, data, "
                 "submission_key, submitted_at, received_on, intake_due_on, accepted_on, deemed_accepted, "
                 "promised_days, statutory_days, due_on, statutory_due_on, deadline_provisional, extension_days, "
                 "pledge_materials, decided_at, closed_at, created_at, updated_at, row_version")
    audit = _Copy(cur, "audit_records", "id, seq, at, actor_id, actor_role, jurisdiction_id, action, object_type, "
                                        "object_id, from_state, to_state, reason, duty, payload, prev_hash, hash")
    visits = _Copy(cur, "visits", "id, application_id, applicant_id, town_id, visitor_name, purpose, at, "
                                  "recorded_by_id")
    ratings = _Copy(cur, "ratings", "id, application_id, town_id, applicant_id, score, comment, rated_at")
    notices = _Copy(cur, "notices", "id, application_id, kind, number, issued_on, content, issued_by_id")
    receipts = _Copy(cur, "notice_receipts", "id, notice_id, user_id, opened_at, channel, deemed")
    pauses = _Copy(cur, "clock_pauses", "id, application_id, kind, started_on, ended_on, note")
    counters: dict[tuple[str, int], int] = {}
    audit_id, visit_id, rating_id, notice_id, receipt_id, pause_id = (
        ids["audit_records"], ids["visits"], ids["ratings"], ids["notices"], ids["notice_receipts"],
        ids["clock_pauses"])

    def log_audit(at: dt.datetime, actor: int | None, town: int, action: str, object_id: int, before: str | None,
                  after: str | None, payload: dict[str, Any], object_type: str = "application") -> None:
        nonlocal seq, prev_hash, audit_id
        rec = _Audit()
        seq += 1
        rec.seq, rec.at, rec.actor_id = seq, at, actor
        rec.actor_role = roles.get(actor, "applicant") if actor is not None else None
        rec.jurisdiction_id, rec.action, rec.object_type, rec.object_id = town, action, object_type, str(object_id)
        rec.from_state, rec.to_state, rec.reason, rec.duty, rec.payload = before, after, None, None, payload
        rec.prev_hash = prev_hash
        rec.hash = _digest(rec)  # type: ignore[arg-type]
        audit.add(audit_id, seq, at, actor, rec.actor_role, town, action, object_type, rec.object_id, before,
                  after, None, None, json.dumps(payload, ensure_ascii=False), prev_hash, rec.hash)
        prev_hash = rec.hash
        audit_id += 1

    def add_notice(case_id: int, applicant: int, town: int, kind: str, number: str, issued_on: dt.date,
                   issued_at: dt.datetime, case_number: str, clerk: int) -> None:
        """A notice, and for most the applicant's opening of it (receipt and audit record) within days."""
        nonlocal notice_id, receipt_id
        notices.add(notice_id, case_id, kind, number, issued_on, json.dumps({"case_number": case_number}), clerk)
        if rng.random() < RECEIPT_SHARE:
            opened_at = issued_at + dt.timedelta(hours=rng.randrange(1, 72))
            if opened_at.date() <= today:
                receipts.add(receipt_id, notice_id, applicant, opened_at, "inbox", False)
                receipt_id += 1
                log_audit(opened_at, applicant, town, "notice.open", case_id, None, None,
                          {"notice": number, "channel": "inbox"})
        notice_id += 1

    open_window = max(30, int(span * OPEN_SHARE * 1.6))
    case_id = ids["applications"]
    for n in range(cases):
        item = items[rng.randrange(len(items))]
        clerk = clerk_of.get(item.town_id, any_staff)
        heavy = heavy_id is not None and n < HEAVY_CASES
        applicant = heavy_id if heavy and heavy_id is not None else first_user + rng.randrange(applicants)
        is_open = rng.random() < OPEN_SHARE
        if is_open:
            received = today - dt.timedelta(days=rng.randrange(open_window // 2))
            status = _weighted(rng, OPEN_MIX)
        else:
            received = start + dt.timedelta(days=rng.randrange(max(1, span - open_window // 3)))
            status = _weighted(rng, CLOSED_MIX)
        submitted_at = _at(received, rng)
        year = received.year
        key = (f"case:{item.town_id}", year)
        counters[key] = counters.get(key, 0) + 1
        number = f"{item.town_id:03d}{year}{counters[key]:07d}"
        intake_due = days.add(received, 5)
        accepted_on = due_on = statutory_due = decided_at = closed_at = None
        log_audit(submitted_at, None, item.town_id, "case.submit", case_id, "draft", "submitted", {})
        if status in {"accepted", "special_procedure", "reviewed", "approved", "delivered", "denied"}:
            accepted_on = days.add(received, rng.randrange(0, 3))
            due_on = days.add(accepted_on, item.promised)
            statutory_due = days.add(accepted_on, item.statutory)
            accepted_at = max(submitted_at, _at(accepted_on, rng))
            log_audit(accepted_at, clerk, item.town_id, "case.accept", case_id, "submitted", "accepted", {})
            add_notice(case_id, applicant, item.town_id, "acceptance", f"A{case_id}", accepted_on, accepted_at,
                       number, clerk)
        if status in {"reviewed", "approved", "delivered", "denied"}:
            log_audit(accepted_at + dt.timedelta(hours=2), clerk, item.town_id, "case.complete_review", case_id,
                      "accepted", "reviewed", {})
        if status in {"approved", "delivered", "denied"} and accepted_on is not None:
            late = rng.random()
            limit = item.statutory + 3 if late < 0.01 else (item.statutory if late < 0.05 else item.promised)
            decided_on = days.add(accepted_on, rng.randrange(0, max(1, limit) + 1))
            if decided_on > today:
                decided_on = today
            decided_at = max(accepted_at + dt.timedelta(hours=3), _at(decided_on, rng))
            kind = "denial" if status == "denied" else "approval"
            log_audit(decided_at, clerk, item.town_id, "case.deny" if status == "denied" else "case.approve",
                      case_id, "reviewed", "denied" if status == "denied" else "approved", {})
            add_notice(case_id, applicant, item.town_id, kind, f"D{case_id}", decided_on, decided_at, number, clerk)
        if status == "delivered" and decided_at is not None:
            closed_at = decided_at + dt.timedelta(days=rng.randrange(0, 4), hours=1)
            log_audit(closed_at, clerk, item.town_id, "case.deliver", case_id, "approved", "delivered", {})
        elif status == "denied":
            closed_at = decided_at
        elif status == "refused":
            decided_at = closed_at = _at(days.add(received, rng.randrange(0, 5)), rng)
            log_audit(closed_at, clerk, item.town_id, "case.refuse", case_id, "submitted", "refused", {})
        elif status == "withdrawn":
            closed_at = submitted_at + dt.timedelta(days=rng.randrange(1, 6))
            log_audit(closed_at, None, item.town_id, "case.withdraw", case_id, "submitted", "withdrawn", {})
        elif status == "correction_requested":
            log_audit(submitted_at + dt.timedelta(hours=3), clerk, item.town_id, "case.request_correction", case_id,
                      "submitted", "correction_requested", {})
        elif status == "special_procedure" and accepted_on is not None:
            pauses.add(pause_id, case_id, "inspection", min(today, days.add(accepted_on, 1)), None, "现场勘验")
            pause_id += 1
            log_audit(accepted_at + dt.timedelta(hours=4), clerk, item.town_id, "case.start_special", case_id,
                      "accepted", "special_procedure", {})
        updated = closed_at or decided_at or submitted_at
        apps.add(case_id, number, f"g{seed % 1000:03d}{case_id:010d}", status, applicant, item.town_id, item.id,
                 item.code, item.name, "{}", f"gen-{case_id}", submitted_at, received, intake_due, accepted_on,
                 False, item.promised, item.statutory, due_on, statutory_due, False, 0, "[]", decided_at, closed_at,
                 submitted_at, updated, 1)
        # Visits: most cases none or one (最多跑一次), a few two.
        x = rng.random()
        for _ in range(0 if x < 0.4 else 1 if x < 0.92 else 2):
            visited_at = _at(received, rng)
            visits.add(visit_id, case_id, applicant, item.town_id, "申请人", "递交材料", visited_at, clerk)
            log_audit(visited_at, clerk, item.town_id, "visit.record", visit_id, None, None,
                      {"application": number}, object_type="visit")
            visit_id += 1
        if status == "delivered" and closed_at is not None and rng.random() < 0.4:
            score = 5 if rng.random() < 0.8 else rng.choice([1, 2, 3, 4])
            rated_at = closed_at + dt.timedelta(hours=5)
            ratings.add(rating_id, case_id, item.town_id, applicant, score, "", rated_at)
            log_audit(rated_at, applicant, item.town_id, "rating.create", case_id, None, None,
                      {"score": score, "stage": "delivery", "indicators": {}, "tags": [], "rectification": None})
            rating_id += 1
        case_id += 1
        if log is not None and n and n % 100_000 == 0:
            log(f"  {n:,} cases, {time.monotonic() - started:.0f} s")
    cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
    indexes = _drop_indexes(cur, BULK_TABLES)
    for c in (apps, audit, visits, ratings, notices, receipts, pauses):
        c.close()
        if log is not None:
            log(f"  {c.table}: {c.rows:,} rows, {time.monotonic() - started:.0f} s")
    for definition in indexes:
        cur.execute(definition)
    if log is not None:
        log(f"  {len(indexes)} indexes built, {time.monotonic() - started:.0f} s")
    cur.execute("""INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, %s, %s)
                   ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash""", (seq, prev_hash))
    for table in ["users", "applications", "audit_records", "visits", "ratings", "notices", "notice_receipts",
                  "clock_pauses"]:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    return {"users": users.rows, "applications": apps.rows, "audit_records": audit.rows, "visits": visits.rows,
            "ratings": ratings.rows, "notices": notices.rows, "notice_receipts": receipts.rows,
            "clock_pauses": pauses.rows}


def prepare_database(url: str) -> Any:
    """Migrate the database at ``url`` and load the demo county; returns the Flask app."""
    import os

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    from flask_migrate import upgrade

    from service_hall.app import create_app
    from service_hall.core.base import utcnow
    from service_hall.demo import load_demo
    from service_hall.extensions import current_session, db

    app = create_app({"SECRET_KEY": "bench-only-secret", "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        load_demo(current_session(), now=utcnow())
        db.session.commit()
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: DATABASE_URL)")
    args = parser.parse_args()
    import os

    import psycopg

    url = args.database or os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("the generator writes with COPY: give a PostgreSQL DATABASE_URL")
    started = time.monotonic()
    prepare_database(url)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        counts = generate(conn, cases=args.cases, seed=args.seed, log=print)
        conn.commit()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(json.dumps({**counts, "seconds": round(time.monotonic() - started, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
