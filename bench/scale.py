"""Benchmark at scale (``make bench-scale``): N generated cases on PostgreSQL (1,000,000 by default), the
pages measured over HTTP against gunicorn, side by side with a Flask hello-world under the same gunicorn
settings in the same run; the figures are merged into bench/results.json (other keys are kept).

Environment:

- ``BENCH_SCALE_DATABASE_URL``: the database (default a fresh ``service_hall_bench_scale`` on the local
  PostgreSQL, dropped and re-created); ``BENCH_SCALE_REUSE=1`` keeps a database already generated.
- ``BENCH_SCALE_CASES``: the number of cases (default 1,000,000).
- ``BENCH_SCALE_SECONDS``: seconds per throughput run (default 8); ``BENCH_SCALE_REPEAT``: sequential
  requests per page (default 30).
- ``BENCH_SCALE_ONLY``: the parts to run, comma-separated among ``sweep``, ``pages``, ``throughput``,
  ``mixed``, ``export``, ``verify`` (default all), e.g. ``BENCH_SCALE_ONLY=throughput`` against a reused
  database.

Figures (the keys scripts read): ``clerk_queue_p95_ms``, ``supervision_p95_ms``, ``portal_p95_ms``,
``case_page_p95_ms``, ``evaluation_page_ms``, ``public_statistics_ms`` (medians of the sequential runs),
``town_catalog_vs_hello``, ``home_vs_hello`` (req/s ratios, 16 concurrent clients; ``scale_throughput``
also gives each page's worker CPU per request and ``cpu_vs_hello``, steadier on a shared machine), ``worker_rss_mb``
(largest gunicorn worker after the load test), ``sweep_seconds``, ``audit_verify_seconds`` and
``audit_verify_peak_mb``, plus the mixed workload (80% public reads, 15% staff pages, 5% writes) per class,
and ``evaluation_ten_year_export``: a ten-year evaluation report asked for as XLSX and PDF through the page,
made in the background (in a thread of the app process: the servers run without ``REDIS_URL``), its
progress page polled until the file is ready — seconds, the percents the page showed, the file's bytes.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The repository first, even under PYTHONPATH: bench/power_lists.py would shadow the package.
if sys.path[:1] != [str(ROOT)]:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/service_hall_bench_scale"
WORKERS = 2
CLIENTS = 16
TOWN = "330199101000"  # 青山镇: the demo clerk's town
STAFF = ["clerk", "supervisor"]
PARTS = ("sweep", "pages", "throughput", "mixed", "export", "verify")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')

TARGETS = {
    "clerk_queue_p95_ms": ("<", 20.0), "supervision_p95_ms": ("<", 20.0), "portal_p95_ms": ("<", 20.0),
    "case_page_p95_ms": ("<", 20.0), "public_statistics_ms": ("<", 200.0), "evaluation_page_ms": ("<", 200.0),
    "town_catalog_vs_hello": (">=", 0.30), "home_vs_hello": (">=", 0.50), "worker_rss_mb": ("<", 150.0),
    "sweep_seconds": ("<", 1.0), "audit_verify_seconds": ("<", 60.0), "audit_verify_peak_mb": ("<", 200.0),
}


def _log(*args: Any) -> None:
    print(*args, flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- database ---------------------------------------------------------------------------------------------

def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _fresh_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(_libpq(url))
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _case_count(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(_libpq(url)) as conn:
            return int(conn.execute("SELECT count(*) FROM applications").fetchone()[0])
    except psycopg.Error:
        return 0


def _prepare(url: str, cases: int) -> dict[str, Any]:
    import psycopg

    from bench.generate import BENCH_PASSWORD, generate, prepare_database
    from service_hall.accounts.operations import hash_password

    out: dict[str, Any] = {}
    if os.environ.get("BENCH_SCALE_REUSE") == "1" and _case_count(url) >= cases:
        _log(f"reusing {url} ({_case_count(url):,} cases)")
    else:
        if url == DEFAULT_URL or os.environ.get("BENCH_SCALE_FRESH") == "1":
            _fresh_database(url)
        started = time.monotonic()
        prepare_database(url)
        with psycopg.connect(_libpq(url)) as conn:
            counts = generate(conn, cases=cases, log=_log)
            conn.commit()
        generated = time.monotonic() - started
        with psycopg.connect(_libpq(url), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        out["scale_stats_rebuild_seconds"] = _rebuild_figures(url)
        out["scale_generate_seconds"] = round(generated, 1)
        out["scale_generate_and_analyze_seconds"] = round(time.monotonic() - started, 1)
        out["scale_rows"] = counts
    with psycopg.connect(_libpq(url)) as conn:
        conn.execute("UPDATE users SET password_hash = %s, must_change_password = false WHERE role <> 'applicant'",
                     (hash_password(BENCH_PASSWORD),))
        conn.execute("DELETE FROM login_throttles")
        conn.commit()
        out["scale_cases"] = int(conn.execute("SELECT count(*) FROM applications").fetchone()[0])
        out["scale_audit_records"] = int(conn.execute("SELECT count(*) FROM audit_records").fetchone()[0])
    return out


# --- servers ----------------------------------------------------------------------------------------------

class Server:
    def __init__(self, app: str, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "--log-level", "warning", app],
            cwd=str(ROOT), env={**os.environ, **env}, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _, _ = request(self.port, "GET", "/healthz" if "wsgi" in app else "/")
                if status in (200, 404):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{app} did not start")

    def _workers(self) -> list[str]:
        return Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()

    def workers_cpu_seconds(self) -> float:
        """User + system CPU the workers have used so far (/proc/PID/stat)."""
        total = 0
        for pid in self._workers():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def workers_rss_mb(self) -> list[float]:
        out = []
        for pid in self._workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(round(int(line.split()[1]) / 1024, 1))
        return out

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


class Browser:
    """A signed-in visitor: the session cookie carried from request to request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""

    def get(self, path: str) -> tuple[int, bytes]:
        status, headers, data = request(self.port, "GET", path, headers={"Cookie": self.cookie} if self.cookie else {})
        self._keep(headers)
        return status, data

    def post(self, path: str, form: dict[str, str]) -> tuple[int, bytes]:
        status, _, data = self.submit(path, form)
        return status, data

    def submit(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """POST a form as a browser would; the status, the response's headers and its body."""
        body = urllib.parse.urlencode(form).encode()
        status, headers, data = request(self.port, "POST", path, body=body, headers={
            "Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"})
        self._keep(headers)
        return status, headers, data

    def _keep(self, headers: dict[str, str]) -> None:
        raw = headers.get("set-cookie")
        if raw and raw.split("=", 1)[0] == "session":
            self.cookie = raw.split(";", 1)[0]

    def login(self, username: str, password: str) -> None:
        _, page = self.get("/login")
        token = CSRF_RE.search(page.decode()).group(1)  # type: ignore[union-attr]
        status, _ = self.post("/login", {"username": username, "password": password, "csrf_token": token})
        if status != 302:
            raise RuntimeError(f"login of {username} failed ({status})")

    def form_token(self, path: str) -> str:
        _, page = self.get(path)
        return CSRF_RE.search(page.decode()).group(1)  # type: ignore[union-attr]


# --- measuring --------------------------------------------------------------------------------------------

def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def sequential(fetch: Any, n: int) -> dict[str, float]:
    samples = []
    size = 0
    for _ in range(2 * WORKERS):  # warm: each worker's first request of a page builds its caches
        fetch()
    for _ in range(n):
        t = time.perf_counter()
        status, data = fetch()
        samples.append((time.perf_counter() - t) * 1000)
        if status != 200:
            raise RuntimeError(f"status {status}")
        size = len(data)
    return {"median_ms": round(statistics.median(samples), 1), "p95_ms": round(_p95(samples), 1), "bytes": size}


def throughput(port: int, paths: list[str], seconds: float, clients: int = CLIENTS) -> dict[str, float]:
    """Requests per second of ``clients`` threads fetching ``paths`` in turn for ``seconds``."""
    stop = time.monotonic() + seconds
    counts = [0] * clients
    errors = [0] * clients

    def run(i: int) -> None:
        k = i
        while time.monotonic() < stop:
            try:
                status, _, _ = request(port, "GET", paths[k % len(paths)])
                if status == 200:
                    counts[i] += 1
                else:
                    errors[i] += 1
            except OSError:
                errors[i] += 1
            k += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {"rps": round(sum(counts) / elapsed, 1), "errors": sum(errors)}


def mixed(port: int, staff_cookie: str, seconds: float, public: list[str], staff: list[str],
          town_code: str) -> dict[str, Any]:
    """80% public reads, 15% staff pages, 5% writes (a clerk registering a walk-in visit), 16 clients."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    samples: dict[str, list[float]] = {"public": [], "staff": [], "write": []}
    errors: dict[str, int] = {"public": 0, "staff": 0, "write": 0}

    def run(seed: int) -> None:
        rng = random.Random(seed)
        writer = Browser(port)
        writer.cookie = staff_cookie
        while time.monotonic() < stop:
            x = rng.random()
            kind = "public" if x < 0.80 else "staff" if x < 0.95 else "write"
            t = time.perf_counter()
            try:
                if kind == "public":
                    status, _, _ = request(port, "GET", rng.choice(public))
                elif kind == "staff":
                    status, _, _ = request(port, "GET", rng.choice(staff), headers={"Cookie": staff_cookie})
                else:
                    token = writer.form_token("/workbench/visits")
                    status, _ = writer.post("/workbench/visits", {
                        "csrf_token": token, "town_code": town_code, "visitor_name": "来访群众",
                        "purpose": "咨询办理条件"})
                    status = 200 if status == 302 else status
            except OSError:
                status = 0
            ms = (time.perf_counter() - t) * 1000
            with lock:
                if status == 200:
                    samples[kind].append(ms)
                else:
                    errors[kind] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {kind: {"rps": round(len(s) / elapsed, 1), "p95_ms": round(_p95(s), 1) if s else None,
                   "errors": errors[kind]} for kind, s in samples.items()}


def _bench_app(url: str) -> Any:
    from service_hall.app import create_app

    os.environ["DATABASE_URL"] = url
    return create_app({"SECRET_KEY": "bench-only-secret", "SESSION_COOKIE_SECURE": False})


def _rebuild_figures(url: str) -> float:
    """``flask stats rebuild``: the generator writes by COPY, past the flush that keeps the daily figures."""
    from service_hall.cases.figures import rebuild
    from service_hall.extensions import current_session, db

    with _bench_app(url).app_context():
        t = time.perf_counter()
        rebuild(current_session())
        db.session.commit()
        return round(time.perf_counter() - t, 1)


def _sweep_seconds(url: str) -> dict[str, float]:
    """The deadline sweep over the whole database: a first round catching up with the generated cases
    (every overdue case raised at once, committed), then a timed steady-state round (rolled back)."""
    from service_hall.cases.sweep import run_sweep
    from service_hall.core.base import utcnow
    from service_hall.extensions import current_session, db

    out = {}
    with _bench_app(url).app_context():
        for name in ("sweep_catch_up_seconds", "sweep_seconds"):
            t = time.perf_counter()
            run_sweep(current_session(), now=utcnow())
            db.session.flush()
            out[name] = round(time.perf_counter() - t, 3)
            if name == "sweep_catch_up_seconds":
                db.session.commit()
        db.session.rollback()
    return out


def run() -> dict[str, Any]:
    from bench.audit_chain import run_audit_verify
    from bench.generate import BENCH_PASSWORD, HEAVY_APPLICANT

    url = os.environ.get("BENCH_SCALE_DATABASE_URL") or DEFAULT_URL
    cases = int(os.environ.get("BENCH_SCALE_CASES") or 1_000_000)
    seconds = float(os.environ.get("BENCH_SCALE_SECONDS") or 8)
    repeat = int(os.environ.get("BENCH_SCALE_REPEAT") or 30)
    only = {p.strip() for p in (os.environ.get("BENCH_SCALE_ONLY") or ",".join(PARTS)).split(",") if p.strip()}
    if only - set(PARTS):
        raise SystemExit(f"BENCH_SCALE_ONLY: unknown parts {sorted(only - set(PARTS))}; choose among {PARTS}")
    started = time.monotonic()
    instance = ROOT / "instance" / "bench-scale"
    instance.mkdir(parents=True, exist_ok=True)
    # One instance for the generator, the servers and `audit verify`: the audit chain is keyed by its audit_key.
    os.environ["INSTANCE_PATH"] = str(instance)
    out: dict[str, Any] = _prepare(url, cases)
    if "sweep" in only:
        out.update(_sweep_seconds(url))  # before the servers start: their own sweeps are steady-state rounds
    _log(json.dumps(out, ensure_ascii=False))
    env = {"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench-only-secret",
           "SESSION_COOKIE_SECURE": "0", "RATELIMIT_ENABLED": "0", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    app = Server("wsgi:app", env)
    hello = Server("bench.hello:app", env)
    try:
        import psycopg

        with psycopg.connect(_libpq(url)) as conn:
            case_id = conn.execute(
                "SELECT a.id FROM applications a JOIN jurisdictions j ON j.id = a.town_id WHERE j.code = %s "
                "AND a.status = 'delivered' ORDER BY a.id DESC LIMIT 1", (TOWN,)).fetchone()[0]
            item_id = conn.execute(
                "SELECT i.id FROM power_items i JOIN power_item_delegations d ON d.item_id = i.id "
                "JOIN jurisdictions j ON j.id = d.town_id WHERE j.code = %s AND i.guide IS NOT NULL "
                "ORDER BY i.position LIMIT 1", (TOWN,)).fetchone()[0]
        clerk, supervisor, applicant = Browser(app.port), Browser(app.port), Browser(app.port)
        if only & {"pages", "mixed"}:
            clerk.login("clerk", BENCH_PASSWORD)
        if "pages" in only:
            supervisor.login("supervisor", BENCH_PASSWORD)
            applicant.login(HEAVY_APPLICANT, BENCH_PASSWORD)
            out.update(_pages(app.port, clerk, supervisor, applicant, case_id, repeat))
        if "throughput" in only:
            out.update(_throughput(app, hello, seconds, item_id))
        if "mixed" in only:
            out["scale_mixed_load"] = mixed(
                app.port, clerk.cookie, seconds * 2,
                public=["/", "/catalog/", f"/catalog/towns/{TOWN}", f"/catalog/items/{item_id}"],
                staff=["/workbench/", f"/workbench/cases/{case_id}", "/workbench/?status=accepted"], town_code=TOWN)
            _log("mixed", out["scale_mixed_load"])
        rss = app.workers_rss_mb()
        out["worker_rss_mb"] = max(rss) if rss else None
        out["scale_worker_rss_mb_all"] = rss
        if "export" in only:  # after the memory figure: without REDIS_URL the PDF is made in a worker's thread
            if not supervisor.cookie:
                supervisor.login("supervisor", BENCH_PASSWORD)
            out["evaluation_ten_year_export"] = {fmt: _ten_year_export(supervisor, fmt) for fmt in ("xlsx", "pdf")}
            out["scale_worker_rss_mb_after_export"] = app.workers_rss_mb()
            _log("export", out["evaluation_ten_year_export"])
    finally:
        app.stop()
        hello.stop()
    if "verify" in only:
        out.update(run_audit_verify({**os.environ, **env}))
    out["scale_bench_seconds"] = round(time.monotonic() - started, 1)
    return out


def _pages(port: int, clerk: Browser, supervisor: Browser, applicant: Browser, case_id: int,
           repeat: int) -> dict[str, Any]:
    """Sequential requests of each staff, applicant and figures page: median and p95."""
    today = dt.date.today()
    year = today.year
    pages = {
        "clerk_queue": (lambda: clerk.get("/workbench/"), repeat),
        "supervision": (lambda: supervisor.get("/supervision/"), repeat),
        "portal": (lambda: applicant.get("/portal/"), repeat),
        "case_page": (lambda: clerk.get(f"/workbench/cases/{case_id}"), repeat),
        "public_statistics": (lambda: request(port, "GET", f"/catalog/towns/{TOWN}/statistics?year={year}")[::2],
                              max(3, repeat // 6)),
        "evaluation_page": (lambda: supervisor.get(f"/supervision/evaluation?from={year - 1}-{today:%m-%d}&to={today}"),
                            max(3, repeat // 10)),
    }
    table: dict[str, Any] = {}
    for name, (fetch, n) in pages.items():
        try:
            table[name] = sequential(fetch, n)
        except Exception as exc:  # a page that fails is reported, the rest still measured
            table[name] = {"error": f"{type(exc).__name__}: {exc}"}
        _log(name, table[name])
    out: dict[str, Any] = {"scale_pages": table}
    for name in ("clerk_queue", "supervision", "portal", "case_page"):
        if "p95_ms" in table[name]:
            out[f"{name}_p95_ms"] = table[name]["p95_ms"]
    for name in ("evaluation_page", "public_statistics"):
        if "median_ms" in table[name]:
            out[f"{name}_ms"] = table[name]["median_ms"]
    return out


JOB_STATUS_RE = re.compile(r'role="status">状态：([^<]*?)（(\d+)%）')


def _ten_year_export(supervisor: Browser, fmt: str, timeout: float = 600) -> dict[str, Any]:
    """Ask for the evaluation report of the last ten years as ``fmt`` the way the page does, follow the
    progress page until the file is ready (as its two-second refresh would) and download it."""
    today = dt.date.today()
    start = today.replace(year=today.year - 10)
    token = supervisor.form_token(f"/supervision/evaluation?from={start}&to={today}")
    started = time.monotonic()
    status, headers, _ = supervisor.submit("/supervision/evaluation/export", {
        "from": str(start), "to": str(today), "format": fmt, "csrf_token": token})
    if status != 302 or "/supervision/exports/" not in headers.get("location", ""):
        raise RuntimeError(f"the export was not started ({status})")
    job_path = urllib.parse.urlsplit(headers["location"]).path
    seen: list[str] = []
    while time.monotonic() - started < timeout:
        _, page = supervisor.get(job_path)
        found = JOB_STATUS_RE.search(page.decode())
        if found and (not seen or seen[-1] != f"{found.group(2)}% {found.group(1)}"):
            seen.append(f"{found.group(2)}% {found.group(1)}")
        if b"/download" in page:
            break
        time.sleep(0.5)
    else:
        raise RuntimeError(f"the {fmt} export did not finish in {timeout:.0f} s")
    status, data = supervisor.get(job_path + "/download")
    if status != 200:
        raise RuntimeError(f"the {fmt} download failed ({status})")
    return {"period": f"{start}..{today}", "seconds": round(time.monotonic() - started, 1), "progress_seen": seen,
            "bytes": len(data)}


def _served(server: Server, path: str, seconds: float) -> dict[str, float]:
    """``throughput`` of one path, with the workers' CPU per request: on a machine shared with other work
    req/s swing from run to run, CPU per request much less."""
    before = server.workers_cpu_seconds()
    out = throughput(server.port, [path], seconds)
    served = out["rps"] * seconds
    out["cpu_us_per_request"] = round((server.workers_cpu_seconds() - before) / served * 1e6) if served else 0
    return out


def _throughput(app: Server, hello: Server, seconds: float, item_id: int) -> dict[str, Any]:
    """Requests per second of each public page beside hello-world's, in the same run (16 clients), and
    the workers' CPU per request beside hello-world's (``cpu_vs_hello``: hello's CPU / the page's)."""
    hello_rps = _served(hello, "/", seconds)
    rates: dict[str, Any] = {"hello": hello_rps}
    _log("hello", hello_rps)
    for name, path in {"home": "/", "catalog": "/catalog/", "town_catalog": f"/catalog/towns/{TOWN}",
                       "guide": f"/catalog/items/{item_id}", "healthz": "/healthz"}.items():
        rates[name] = _served(app, path, seconds)
        rates[name]["vs_hello"] = round(rates[name]["rps"] / hello_rps["rps"], 3) if hello_rps["rps"] else 0
        cpu = rates[name]["cpu_us_per_request"]
        rates[name]["cpu_vs_hello"] = round(hello_rps["cpu_us_per_request"] / cpu, 3) if cpu else 0
        _log(name, rates[name])
    return {"scale_throughput": rates, "town_catalog_vs_hello": rates["town_catalog"]["vs_hello"],
            "home_vs_hello": rates["home"]["vs_hello"]}


def _check(results: dict[str, Any]) -> dict[str, Any]:
    checks = {}
    for figure, (op, bound) in TARGETS.items():
        if results.get(figure) is None:
            continue
        value = float(results[figure])
        passed = value < bound if op == "<" else value >= bound
        checks[figure] = {"value": value, "target": f"{op} {bound}", "passed": passed}
    return checks


def main() -> int:
    figures = run()
    path = HERE / "results.json"
    doc = json.loads(path.read_text()) if path.exists() else {"results": {}, "targets": {}, "errors": {}}
    doc.setdefault("results", {}).update(figures)
    doc["scale_measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    checks = _check(figures)
    doc.setdefault("targets", {}).update(checks)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps({"figures": figures, "targets": checks}, ensure_ascii=False, indent=2))
    return 0 if all(c["passed"] for c in checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
