"""Benchmark: API throughput under wrk against gunicorn on loopback, beside a plain Django view.

    .venv/bin/python bench/api_throughput.py [--workers 3] [--connections 32] [--duration 10]

Uses its own PostgreSQL database (``--database``, default ``st_bench_api``): creates it, migrates
it and loads ``seed_demo --shots 50000`` (50,000 shots, 150,000 usage entries) the first time,
and keeps it for the next run. Starts gunicorn (DEBUG off, throttles off, persistent database
connections) with the product's URLs plus one bench-only view (bench/apibench/urls.py), then
measures with wrk at 32 connections, each run after a short warm-up:

- the usage-entry list, 50 a page, at random cursors all through the production, by token;
- the plain view: the same pages as ``.values()`` JSON, no auth, no serializer (the reference);
- creating one entry (POST, token), on random shots.

Prints req/s, p50 and p99 latency, the ratio to the plain view, the targets, and the machine's
load average (the numbers are only as quiet as the machine). Entries the run created are
deleted afterwards, so every run measures the same 150,000.
"""

import argparse
import base64
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PAGE = 50
CREATED_MARK = "bench-api-throughput"
TARGETS = {
    "list": {"rps": 200, "p99_ms": 300, "ratio": 0.5},
    "create": {"rps": 250, "p99_ms": 200, "ratio": None},
}

LUA = """
local paths = {%(paths)s}
local bodies = {%(bodies)s}
local method = "%(method)s"
local headers = {%(headers)s}

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) %% 100000)
end

function request()
  local body = nil
  if #bodies > 0 then body = bodies[math.random(#bodies)] end
  return wrk.format(method, paths[math.random(#paths)], headers, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, '
    .. '"non_2xx": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def ensure_database(name: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def server_environment(database: str, var_dir: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.apibench.settings",
        "DATABASE_URL": f"postgres:///{database}",
        "VAR_DIR": str(var_dir),
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "API_THROTTLE": "false",
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def setup(database: str, shots: int, var_dir: Path):
    """Django in this process, on the bench database, loaded once with the big production."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(server_environment(database, var_dir))
    os.environ["DEBUG"] = "true"  # this process only runs commands; no static manifest needed
    import django

    django.setup()
    from django.core.management import call_command

    from studio_tracker.productions.models import Production

    call_command("migrate", verbosity=0, interactive=False)
    feature = Production.objects.filter(title="The Long Night").first()
    if feature is None or feature.shots.count() < shots:
        print(f"Loading seed_demo --shots {shots} into {database} (once)…", flush=True)
        call_command("seed_demo", "--shots", str(shots), verbosity=0)
        feature = Production.objects.get(title="The Long Night")
    return feature


def bench_token(username: str) -> str:
    from django.contrib.auth import get_user_model

    from studio_tracker.accounts import tokens
    from studio_tracker.accounts.models import ApiToken

    user = get_user_model().objects.get(username=username)
    ApiToken.objects.filter(user=user, name=CREATED_MARK).delete()
    return tokens.issue_token(user, name=CREATED_MARK)[1]


def api_cursor(position: int) -> str:
    """DRF's cursor for "the page after this id" with ordering (id)."""
    return base64.b64encode(urlencode({"p": str(position)}).encode()).decode()


def page_starts(production, count: int, rng: random.Random) -> tuple[list[int], int]:
    """Random ids to start pages after, spread over the whole production (0 = the first page)."""
    from studio_tracker.usage.models import UsageEntry

    ids = list(
        UsageEntry.objects.filter(production=production).order_by("id").values_list("id", flat=True)
    )
    return [0, *sorted(rng.sample(ids[:-PAGE], count - 1))], len(ids)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes used so far (0 for any that are gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(server: subprocess.Popen, database: str) -> list[int]:
    """gunicorn's workers and the PostgreSQL backends holding their connections."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        backends = [row[0] for row in cursor.fetchall()]
    return [int(pid) for pid in children] + backends


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "studio_tracker.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except urllib.error.HTTPError:
            return server  # it answers (503 only says the broker is not there)
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not start")


def get_json(url: str, headers: dict) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        return json.loads(r.read())


def check_same_page(base: str, production_id: int, start: int, auth: dict) -> None:
    """The API page and the plain page hold the same entries, or the comparison means nothing."""
    query = {"production": production_id, "page_size": PAGE}
    if start:
        query["cursor"] = api_cursor(start)
    api = get_json(f"{base}/api/v1/usage-entries/?{urlencode(query)}", auth)["results"]
    plain = get_json(f"{base}/bench/plain-entries/?production={production_id}&after={start}", {})
    api_ids, plain_ids = [row["id"] for row in api], [row["id"] for row in plain["results"]]
    assert api_ids == plain_ids and len(api_ids) == PAGE, (api_ids[:3], plain_ids[:3])


def run_wrk(
    base: str,
    scratch: Path,
    name: str,
    *,
    paths: list[str],
    method: str = "GET",
    headers: dict | None = None,
    bodies: list[str] = (),
    connections: int,
    duration: int,
    warmup: int,
    cpu_of=lambda: [],
) -> dict:
    script = scratch / f"{name}.lua"
    script.write_text(
        LUA
        % {
            "paths": ", ".join(lua_string(p) for p in paths),
            "bodies": ", ".join(lua_string(b) for b in bodies),
            "method": method,
            "headers": ", ".join(
                f"[{lua_string(k)}] = {lua_string(v)}" for k, v in (headers or {}).items()
            ),
        }
    )

    def wrk(seconds: int) -> dict:
        output = subprocess.run(
            [
                shutil.which("wrk") or "/usr/bin/wrk",
                "--threads",
                "2",
                "--connections",
                str(connections),
                "--duration",
                f"{seconds}s",
                "--timeout",
                "10s",
                "--script",
                str(script),
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        line = next(x for x in output.splitlines() if x.startswith("RESULT "))
        return json.loads(line[len("RESULT ") :])

    if warmup:
        wrk(warmup)
    load_before = os.getloadavg()[0]
    pids = cpu_of()
    cpu_before = cpu_seconds(pids)
    result = wrk(duration)
    result["cpu_ms"] = (cpu_seconds(pids) - cpu_before) * 1000 / max(result["requests"], 1)
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["load"] = (load_before, os.getloadavg()[0])
    return result


def delete_created() -> int:
    from studio_tracker.usage.models import UsageEntry

    return UsageEntry.objects.filter(external_ref=CREATED_MARK).delete()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="st_bench_api")
    parser.add_argument("--shots", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=3, help="seconds before each measurement")
    parser.add_argument("--user", default="pat", help="who the token belongs to (a producer)")
    args = parser.parse_args()

    ensure_database(args.database)
    var_dir = ROOT / "var" / "bench_api"
    var_dir.mkdir(parents=True, exist_ok=True)
    production = setup(args.database, args.shots, var_dir)
    delete_created()
    from studio_tracker.productions.models import Shot
    from studio_tracker.usage.models import Tool

    rng = random.Random(8)
    starts, entry_count = page_starts(production, 200, rng)
    token = bench_token(args.user)
    auth = {"Authorization": f"Token {token}"}
    tool = Tool.objects.filter(organization=production.organization, status="approved").first()
    shot_ids = list(Shot.objects.filter(production=production).values_list("id", flat=True))
    bodies = [
        json.dumps(
            {
                "production": production.pk,
                "shot": shot_id,
                "department": "vfx",
                "category": "roto_cleanup_paint",
                "modality": "video",
                "tool": tool.pk,
                "disposition": "final_key",
                "description": "Wire removal",
                "used_on": "2026-03-02",
                "external_ref": CREATED_MARK,
            }
        )
        for shot_id in rng.sample(shot_ids, 500)
    ]
    api_paths = [
        "/api/v1/usage-entries/?"
        + urlencode(
            {"production": production.pk, "page_size": PAGE}
            | ({"cursor": api_cursor(start)} if start else {})
        )
        for start in starts
    ]
    plain_paths = [f"/bench/plain-entries/?production={production.pk}&after={s}" for s in starts]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, args.workers, server_environment(args.database, var_dir))
    common = {
        "connections": args.connections,
        "duration": args.duration,
        "warmup": args.warmup,
        "cpu_of": lambda: server_pids(server, args.database),
    }
    try:
        for start in (0, starts[100]):
            check_same_page(base, production.pk, start, auth)
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            plain = run_wrk(base, scratch, "plain", paths=plain_paths, **common)
            listing = run_wrk(base, scratch, "list", paths=api_paths, headers=auth, **common)
            create = run_wrk(
                base,
                scratch,
                "create",
                paths=["/api/v1/usage-entries/"],
                method="POST",
                headers={**auth, "Content-Type": "application/json"},
                bodies=bodies,
                **common,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        created = delete_created()

    cpus = os.cpu_count() or 1
    print(
        f"\nwrk, {args.connections} connections, {args.duration} s each, gunicorn "
        f"{args.workers} sync workers on 127.0.0.1; {production.title}: {entry_count:,} entries, "
        f"{len(shot_ids):,} shots; {cpus} CPUs\n"
    )
    print(
        f"{'measurement':<28}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'x plain':>8}{'errors':>7}"
        f"{'CPU ms':>8}{'CPU-bound':>10}  {'target':<38}{'load 1m':>11}"
    )
    rows = [
        ("plain view, .values() JSON", plain, None),
        ("GET usage-entries, 50/page", listing, "list"),
        ("POST usage-entries (one)", create, "create"),
    ]
    failed = []
    for label, result, target_name in rows:
        ratio = result["rps"] / plain["rps"]
        target_text, ok = "(reference)", True
        if target_name:
            target = TARGETS[target_name]
            target_text = f">= {target['rps']} req/s, p99 <= {target['p99_ms']} ms"
            ok = result["rps"] >= target["rps"] and result["p99_us"] / 1000 <= target["p99_ms"]
            if target["ratio"]:
                target_text += f", >= {target['ratio']}x"
                ok = ok and ratio >= target["ratio"]
            target_text += ": ok" if ok else ": MISSED"
            if not ok:
                failed.append(label)
        errors = result["non_2xx"] + result["socket_errors"]
        # What the machine could serve were the server alone on it: its CPUs over the CPU time
        # the workers and their database backends spent per request (wrk's own share ignored).
        bound = cpus * 1000 / result["cpu_ms"] if result["cpu_ms"] else float("nan")
        print(
            f"{label:<28}{result['rps']:>7.0f}{result['p50_us'] / 1000:>8.1f}"
            f"{result['p99_us'] / 1000:>8.1f}{ratio:>7.2f}x{errors:>7}{result['cpu_ms']:>8.1f}"
            f"{bound:>10.0f}  {target_text:<38}"
            f"{result['load'][0]:>5.1f} -> {result['load'][1]:<4.1f}"
        )
    print(
        f"\nCPU ms: server CPU time (gunicorn workers + their PostgreSQL backends) per request;"
        f" CPU-bound: {cpus} CPUs / that, the req/s ceiling on this machine without other load."
        f"\nThe 1-minute load average before and after each run is shown: other work on the"
        f" machine lowers req/s and raises latency. {created:,} entries the run created were"
        f" deleted again."
    )
    if failed:
        print("Missed targets: " + ", ".join(failed))


if __name__ == "__main__":
    main()
