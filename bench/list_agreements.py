"""GET /api/v1/agreements?limit=50 on the real app against a raw-driver baseline, per database.

    .venv/bin/python bench/list_agreements.py [--db sqlite|postgres|both] [--duration 8]

For each database: a fresh one (SQLite temp file, or ``mou_bench_<hex>`` on the PostgreSQL
server, dropped after), migrated and seeded by ``bench/seed.py`` (mou's migrations and
tables); the real app (``uvicorn mou.app:create_app --factory``, 1 worker) and the baseline
(``bench/raw_app.py`` under the same uvicorn command) each in their own process; a token from
``POST /api/v1/auth/token``; two checks of fairness: the app's SQL for the request, captured
by ``bench/capture_sql.py``, must be the baseline's statement for statement, and both must
answer the same JSON; then ``bench/loadgen.py`` (16 keep-alive clients) against app, raw, raw,
app (ABBA, so a linear drift of the machine cancels out), and once against ``/health`` for the
process ceiling. Absolute numbers drift on a shared machine; the ratio app/raw, measured side
by side, is the figure to watch, with the server CPU per request beside it. Every child
process is stopped by its pid (and its own process group) on exit, error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

# The app refuses to start in production mode without a shared secret; its servers inherit this.
os.environ.setdefault("MOU_SECRET_KEY", secrets.token_urlsafe(48))

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
UVICORN = ROOT / ".venv" / "bin" / "uvicorn"
OUT = BENCH / "out" / "list_agreements.json"
PASSWORD = "bench-admin-password"  # known password of the seeded bench-admin user
APP_PATH = "/api/v1/agreements?limit=50"
RAW_PATH = "/agreements?limit=50"
ORDER = ("app", "raw", "raw", "app")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Children:
    """Every process this script starts; each stopped by its own pid, never by name."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[int, tuple[str, subprocess.Popen[bytes]]] = {}

    def start(
        self, name: str, argv: list[str], env: dict[str, str], *, stdout: Any = None
    ) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=stdout if stdout is not None else log,
            stderr=log,
            # Its own session: a terminal Ctrl-C reaches this script only, which stops it.
            start_new_session=True,
        )
        log.close()
        self.running[proc.pid] = (name, proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
        """SIGTERM (uvicorn shuts its lifespan down), then SIGKILL to what is left of the
        process group this script created for it (the app's own render workers, say)."""
        self.running.pop(proc.pid, None)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for _, proc in list(self.running.values()):
            self.stop(proc)

    def log_tail(self, name: str, lines: int = 25) -> str:
        path = self.logs / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def run_json(
        self, name: str, argv: list[str], env: dict[str, str], timeout: float
    ) -> dict[str, Any]:
        proc = self.start(name, argv, env, stdout=subprocess.PIPE)
        try:
            out, _ = proc.communicate(timeout=timeout)
        finally:
            self.stop(proc)
        if proc.returncode != 0:
            raise RuntimeError(f"{name} failed ({proc.returncode}):\n{self.log_tail(name)}")
        result: dict[str, Any] = json.loads(out)
        return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_http(
    children: Children, name: str, proc: subprocess.Popen[bytes], url: str, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited ({proc.returncode}):\n{children.log_tail(name)}")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(url, timeout=2)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer {url} within {timeout} s")


def proc_status(pid: int, key: str) -> int:
    """A ``kB`` field of /proc/<pid>/status (VmHWM: peak resident set), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (the app's render workers, for one)."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [p for p, pp in parent.items() if pp in frontier]
        found += children
        frontier = children
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def wait_quiet(pids: list[int], timeout: float = 60.0, idle: float = 1.5) -> float:
    """Wait until these processes and their descendants stop using CPU (an app may warm up
    worker processes after it answers), so the first measured run does not pay for it."""
    started = time.monotonic()

    def total() -> float:
        seconds = 0.0
        for pid in pids + [d for p in pids for d in descendants(p)]:
            with contextlib.suppress(OSError):
                seconds += cpu_seconds(pid)
        return seconds

    last, quiet_since = total(), time.monotonic()
    while time.monotonic() - started < timeout:
        time.sleep(0.25)
        now = total()
        if now - last > 0.03:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= idle:
            break
        last = now
    return time.monotonic() - started


# PostgreSQL: a fresh database per run, dropped even on failure.


def pg_url(server_url: str, database: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))


def pg_admin(server_url: str, sql: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(pg_url(server_url, "postgres"), timeout=10)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run())


@contextlib.contextmanager
def fresh_database(kind: str, server_url: str, workdir: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite'}"
        return
    name = f"mou_bench_{secrets.token_hex(4)}"
    pg_admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(server_url, name)
    finally:
        pg_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Measurement.


def percentile(ordered: list[int], q: float) -> float:
    """Nearest-rank percentile of sorted microseconds, in milliseconds."""
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] / 1000


def load(
    children: Children,
    args: argparse.Namespace,
    port: int,
    path: str,
    token: str,
    server: subprocess.Popen[bytes],
) -> dict[str, Any]:
    cpu_before = cpu_seconds(server.pid)
    result = children.run_json(
        "loadgen",
        [
            str(PYTHON),
            str(BENCH / "loadgen.py"),
            "--port",
            str(port),
            "--path",
            path,
            "--concurrency",
            str(args.concurrency),
            "--warmup",
            str(args.warmup),
            "--duration",
            str(args.duration),
        ],
        {**os.environ, "BENCH_TOKEN": token},
        timeout=args.warmup + args.duration + 60,
    )
    # Includes the warm-up; divided by all requests served, warm-up included, estimated below.
    result["server_cpu_s"] = cpu_seconds(server.pid) - cpu_before
    if result["errors"]:
        raise RuntimeError(
            f"{path}: {result['errors']} errors: {result['statuses']} {result['broken_connections']}"
        )
    return result


def summarize(runs: list[dict[str, Any]], warmup: float) -> dict[str, Any]:
    latencies = sorted(lat for run in runs for lat in run["latencies_us"])
    seconds = sum(run["duration_s"] for run in runs)
    requests = sum(run["requests"] for run in runs)
    # CPU per request: the server's CPU over warm-up + window, over the requests of both
    # (warm-up requests estimated at the window's rate).
    served = sum(r["requests"] * (r["duration_s"] + warmup) / r["duration_s"] for r in runs)
    return {
        "rps": requests / seconds,
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "requests": requests,
        "seconds": seconds,
        "runs_rps": [round(r["requests"] / r["duration_s"], 1) for r in runs],
        "server_cpu_ms_per_request": 1000 * sum(r["server_cpu_s"] for r in runs) / served,
    }


def check_same_json(app_port: int, raw_port: int, token: str, agreements: int) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {token}"}
    app = httpx.get(f"http://127.0.0.1:{app_port}{APP_PATH}", headers=auth, timeout=10)
    raw = httpx.get(f"http://127.0.0.1:{raw_port}{RAW_PATH}", headers=auth, timeout=10)
    app.raise_for_status()
    raw.raise_for_status()
    body = app.json()
    if body != raw.json():
        raise RuntimeError(
            f"baseline JSON differs from the app's:\n{app.text[:400]}\n{raw.text[:400]}"
        )
    if body["total"] != agreements or len(body["items"]) != 50:
        raise RuntimeError(f"unexpected page: total {body['total']}, {len(body['items'])} items")
    if any(len(item["parties"]) != 2 for item in body["items"]):
        raise RuntimeError("an agreement without its two parties")
    for port, path in ((app_port, APP_PATH), (raw_port, RAW_PATH)):
        bad = httpx.get(
            f"http://127.0.0.1:{port}{path}", headers={"Authorization": "Bearer nope"}, timeout=10
        )
        if bad.status_code != 401:
            raise RuntimeError(f"{path} with a wrong token: {bad.status_code}, not 401")
    return {"identical_bytes": app.content == raw.content, "response_bytes": len(app.content)}


def check_same_sql(
    children: Children, kind: str, env: dict[str, str], token: str
) -> dict[str, Any]:
    """The statements the app runs for the request (captured in a separate process) vs raw's."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    import raw_app

    captured = children.run_json(
        f"capture-{kind}",
        [str(PYTHON), str(BENCH / "capture_sql.py")],
        {**env, "BENCH_TOKEN": token},
        timeout=60,
    )
    if captured["status"] != 200:
        raise RuntimeError(f"capture_sql: the app answered {captured['status']}")
    app_sql = captured["statements"]
    raw_sql = raw_app.statements(kind, 50)
    result: dict[str, Any] = {"same": app_sql == raw_sql, "app_statements": len(app_sql)}
    if not result["same"]:
        result["app"], result["raw"] = app_sql, raw_sql
    return result


def bench_database(kind: str, args: argparse.Namespace, children: Children) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"mou-bench-{kind}-"))
    try:
        with fresh_database(kind, args.postgres_url, workdir) as url:
            env = {**os.environ, "MOU_DATABASE_URL": url}
            print(f"[{kind}] seeding {args.agreements} agreements ...", file=sys.stderr)
            seeded = children.run_json(
                f"seed-{kind}",
                [
                    str(PYTHON),
                    str(BENCH / "seed.py"),
                    "--agreements",
                    str(args.agreements),
                    "--password",
                    PASSWORD,
                ],
                env,
                timeout=300,
            )
            app_port, raw_port = free_port(), free_port()
            uvicorn = [str(UVICORN), "--log-level", "warning", "--factory"]
            app = children.start(
                f"app-{kind}",
                [*uvicorn, "mou.app:create_app", "--port", str(app_port)],
                env,
            )
            raw_env = {
                **env,
                "BENCH_DATABASE_URL": url,
                "BENCH_SQLITE_DRIVER": args.sqlite_baseline,
            }
            raw = children.start(
                f"raw-{kind}",
                [*uvicorn, "raw_app:create_app", "--app-dir", str(BENCH), "--port", str(raw_port)],
                raw_env,
            )
            try:
                wait_http(children, f"app-{kind}", app, f"http://127.0.0.1:{app_port}/health")
                wait_http(children, f"raw-{kind}", raw, f"http://127.0.0.1:{raw_port}{RAW_PATH}")
                response = httpx.post(
                    f"http://127.0.0.1:{app_port}/api/v1/auth/token",
                    json={"username": "bench-admin", "password": PASSWORD, "name": "bench"},
                    timeout=30,
                )
                response.raise_for_status()
                token = response.json()["access_token"]
                same = check_same_json(app_port, raw_port, token, args.agreements)
                same["sql"] = check_same_sql(children, kind, env, token)
                if not same["sql"]["same"]:
                    print(
                        f"[{kind}] WARNING: the app's SQL differs from the baseline's",
                        file=sys.stderr,
                    )
                settled = wait_quiet([app.pid, raw.pid])
                print(f"[{kind}] servers idle after {settled:.1f} s", file=sys.stderr)
                runs: dict[str, list[dict[str, Any]]] = {"app": [], "raw": []}
                for target in ORDER:
                    print(f"[{kind}] {target} ...", file=sys.stderr)
                    if target == "app":
                        runs["app"].append(load(children, args, app_port, APP_PATH, token, app))
                    else:
                        runs["raw"].append(load(children, args, raw_port, RAW_PATH, token, raw))
                print(f"[{kind}] /health ...", file=sys.stderr)
                health = load(children, args, app_port, "/health", "", app)
                app_hwm, raw_hwm = proc_status(app.pid, "VmHWM"), proc_status(raw.pid, "VmHWM")
                workers = []
                for pid in descendants(app.pid):
                    with contextlib.suppress(OSError, KeyError):
                        workers.append(proc_status(pid, "VmHWM"))
            finally:
                children.stop(app)
                children.stop(raw)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    app_sum, raw_sum = summarize(runs["app"], args.warmup), summarize(runs["raw"], args.warmup)
    return {
        "database": kind,
        "seed": seeded,
        "baseline": (
            f"sqlite: one {args.sqlite_baseline} connection"
            if kind == "sqlite"
            else "postgres: asyncpg pool (1..8), one acquire per request"
        )
        + (
            f"; the app's {same['sql']['app_statements']} statements verbatim (captured, compared)"
            if same["sql"]["same"]
            else "; SQL NOT the app's (see check.sql)"
        )
        + ", token lookup included"
        + ("; identical response bytes" if same["identical_bytes"] else "; same JSON"),
        "check": same,
        "app": app_sum,
        "raw": raw_sum,
        "ratio": app_sum["rps"] / raw_sum["rps"],
        "health": summarize([health], args.warmup),
        "app_peak_rss_bytes": app_hwm,
        "raw_peak_rss_bytes": raw_hwm,
        "app_child_processes": len(workers),
        "app_children_peak_rss_bytes": sum(workers),
    }


def line(r: dict[str, Any]) -> str:
    a, b, h = r["app"], r["raw"], r["health"]
    return (
        f"list_agreements[{r['database']}]: "
        f"app {a['rps']:.0f} req/s (p50 {a['p50_ms']:.1f} ms, p99 {a['p99_ms']:.1f} ms), "
        f"raw {b['rps']:.0f} req/s (p50 {b['p50_ms']:.1f} ms, p99 {b['p99_ms']:.1f} ms), "
        f"ratio {r['ratio']:.2f}; /health {h['rps']:.0f} req/s; "
        f"app peak RSS {r['app_peak_rss_bytes'] / 2**20:.0f} MiB"
        + (
            f" (+{r['app_children_peak_rss_bytes'] / 2**20:.0f} MiB in its "
            f"{r['app_child_processes']} child processes)"
            if r["app_child_processes"]
            else ""
        )
        + "\n"
        f"  runs app {'/'.join(f'{x:.0f}' for x in a['runs_rps'])}, "
        f"raw {'/'.join(f'{x:.0f}' for x in b['runs_rps'])} req/s; "
        f"server CPU/request app {a['server_cpu_ms_per_request']:.2f} ms, "
        f"raw {b['server_cpu_ms_per_request']:.2f} ms; "
        f"baseline {r['baseline']}"
        + (
            ""
            if r["check"]["sql"]["same"]
            else "\n  WARNING: the app's SQL differs from the baseline's"
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--agreements", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before each run")
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per run")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "MOU_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a server where this user may CREATE DATABASE",
    )
    parser.add_argument("--sqlite-baseline", choices=["sqlite3", "aiosqlite"], default="sqlite3")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.agreements < 50:
        parser.error("--agreements must be at least 50 (one full page)")

    def terminate(signum: int, _: Any) -> None:
        raise SystemExit(128 + signum)

    # Ctrl-C raises KeyboardInterrupt even where SIGINT came in ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    logs = Path(tempfile.mkdtemp(prefix="mou-bench-logs-"))
    children = Children(logs)
    started = time.monotonic()
    results = []
    try:
        for kind in kinds:
            results.append(bench_database(kind, args, children))
    except KeyboardInterrupt:
        print(f"interrupted; child logs kept in {logs}", file=sys.stderr)
        return 130
    except BaseException:
        print(f"bench failed; child logs kept in {logs}", file=sys.stderr)
        raise
    else:
        shutil.rmtree(logs, ignore_errors=True)
    finally:
        children.stop_all()
    print(
        f"GET {APP_PATH} vs raw-driver baseline: {args.concurrency} clients, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per run, runs {','.join(ORDER)}; "
        f"{args.agreements} agreements x 2 parties; {os.cpu_count()} CPUs, "
        f"load avg {os.getloadavg()[0]:.2f}; {time.monotonic() - started:.0f} s"
    )
    for result in results:
        print(line(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": "list_agreements",
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config": {
            "concurrency": args.concurrency,
            "warmup_s": args.warmup,
            "duration_s": args.duration,
            "order": ORDER,
            "agreements": args.agreements,
            "sqlite_baseline": args.sqlite_baseline,
            "cpus": os.cpu_count(),
        },
        "results": {r["database"]: r for r in results},
    }
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"written {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
