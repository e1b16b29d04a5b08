"""Chaos run: report compiles through real workers while workers are killed and Redis restarts.

    .venv/bin/python bench/chaos.py            # 100 requests, 5 worker kills, 2 Redis restarts
    .venv/bin/python bench/chaos.py --short    # 20 requests, 1 kill, 1 restart (what CI runs)

Needs PostgreSQL (DATABASE_URL names the server; the run uses a database of its own, `st_chaos`
unless --database says otherwise, dropped and created fresh) and `redis-server` on the PATH (the
script starts its own on a free port from 6390, never the machine's shared one). It loads the
demo's three productions, starts two `celery worker` processes and `celery beat` (which runs the
sweeper every 5 s here, with short leases), then requests compiles through
`compiler.request_compile` as the API does, while it SIGKILLs a worker (restarting it, as a
supervisor would) and kills and restarts Redis at random moments. A report a user would see
`failed` is retried as a user would. A worker kill waits a few seconds for a worker that is
in the middle of a compile (a row is claimed and the worker's log shows a compile under way), so
that kills land on claimed rows rather than in PDF renderings, which take most of the time.

"Exactly one compiled version" means: each requested Report row ends `compiled`, with one
`report.compiled` audit event; no Report row exists that was not requested; no two rows share
a production and version, and each production's versions run 1..n without gaps; each row has
exactly one JSON, CSV, HTML and PDF rendering whose stored bytes hash to its recorded SHA-256;
the snapshot's JSON hashes to the report's digest and `credits.verify` (what /verify/ does)
finds this report by it; its stored findings number its `findings_count`. "Drained" means every
request compiled with its four renderings. The audit log must verify (`verify_audit_log`).
Prints a table; exits 1 if any check fails (the logs are then kept and their folder named).
"""

import argparse
import contextlib
import gzip
import hashlib
import io
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Short enough that a killed worker's claim and a message lost with Redis come back within
# seconds, long enough that a live compile of the demo (well under a second between progress
# writes) keeps its lease.
TIMINGS = {
    "REPORT_COMPILE_LEASE_SECONDS": "6",
    "REPORT_REDISPATCH_AFTER_SECONDS": "12",
    # Beat drops a sweep a worker did not start within 5/6 of this: at 2 s most expired while
    # both workers rendered PDFs (about 4 s each).
    "REPORT_SWEEP_SECONDS": "5",
}
FORMATS = {"json", "csv", "html", "pdf"}


@dataclass
class Plan:
    requests: int
    kills: int
    redis_restarts: int
    window: float  # seconds over which the requests are spread
    drain_timeout: float


FULL = Plan(requests=100, kills=5, redis_restarts=2, window=90, drain_timeout=900)
SHORT = Plan(requests=20, kills=1, redis_restarts=1, window=20, drain_timeout=180)


@dataclass
class Tally:
    requested: list = field(default_factory=list)  # report ids, in request order
    request_errors: list = field(default_factory=list)
    undispatched: int = 0  # requests whose dispatch failed (Redis down): the sweeper's job
    slowest_request: float = 0.0
    retried: set = field(default_factory=set)  # reports seen failed, retried as a user would
    errors_seen: list = field(default_factory=list)
    unexpected_exits: int = 0
    kills_mid_compile: int = 0
    compiled_after: float | None = None  # seconds after the last fault until all compiled
    last_fault_at: float = 0.0
    faults: list = field(default_factory=list)


# --- Services --------------------------------------------------------------------------------


def database_urls(name: str) -> tuple[str, str]:
    """The run's own database on DATABASE_URL's server, and that server's maintenance database."""
    base = os.environ.get("DATABASE_URL", "postgres:///postgres")
    parsed = urlparse(base)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit("The chaos run needs PostgreSQL: set DATABASE_URL to a postgres:// server.")
    query = f"?{parsed.query}" if parsed.query else ""

    def on_server(database: str) -> str:  # urlunparse would drop the empty host's "//"
        return f"postgres://{parsed.netloc}/{database}{query}"

    return on_server(name), on_server("postgres")


def recreate_database(maintenance_url: str, name: str, *, create: bool = True) -> None:
    import psycopg

    with psycopg.connect(_libpq(maintenance_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def free_port(start: int = 6390) -> int:
    for port in range(start, start + 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for Redis")


class Redis:
    """A redis-server of the run's own, without persistence: a restart loses every message."""

    def __init__(self, port: int, folder: Path):
        self.port, self.folder, self.process = port, folder, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--logfile",
                str(self.folder / "redis.log"),
            ],
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Celery:
    """One `celery worker` or `celery beat` process, in a session of its own (so SIGKILL to its
    group takes the pool child with it), logging to a file."""

    def __init__(self, name: str, args: list[str], env: dict, folder: Path):
        self.name, self.args, self.env, self.folder = name, args, env, folder
        self.process = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.folder / f"{self.name}.log", "a")  # noqa: SIM115 (the child keeps it)
        log.write(f"\n=== start {self.starts} at {time.time():.3f}\n")
        log.flush()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "studio_tracker", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def compiling(self) -> bool:
        """Whether its log's last task line is a compile it received and has not finished."""
        path = self.folder / f"{self.name}.log"
        with open(path, "rb") as log:
            log.seek(max(0, path.stat().st_size - 20_000))
            lines = [
                line for line in log.read().decode(errors="replace").splitlines() if "Task " in line
            ]
        return bool(lines) and "compile_report_task" in lines[-1] and "received" in lines[-1]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):  # it died just now
                os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self) -> None:
        self.signal(signal.SIGTERM)
        if self.process is None:
            return
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def worker(number: int, env: dict, folder: Path) -> Celery:
    return Celery(
        f"worker{number}",
        [
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--hostname",
            f"chaos{number}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        env,
        folder,
    )


def compiling_worker(workers: list[Celery], wait: float) -> Celery | None:
    """A worker in the middle of a compile, waiting a little for one: a kill then lands where
    it hurts most (a claimed row) rather than in a PDF rendering, which takes most of the time."""
    from django.utils import timezone

    from studio_tracker.reports.models import Report

    lease = int(TIMINGS["REPORT_COMPILE_LEASE_SECONDS"])
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        # A row claimed or renewed in the last second (not one a killed worker left), while
        # exactly one worker is running a compile task: that worker holds the claim.
        renewed = timezone.now() + timedelta(seconds=lease - 1)
        if Report.objects.filter(status=Report.Status.COMPILING, lease_until__gt=renewed).exists():
            busy = [w for w in workers if w.alive() and w.compiling()]
            if len(busy) == 1:
                return busy[0]
        time.sleep(0.01)
    return None


def beat(env: dict, folder: Path) -> Celery:
    return Celery(
        "beat",
        ["beat", "--schedule", str(folder / "beat-schedule"), "--loglevel", "INFO"],
        env,
        folder,
    )


# --- The run ---------------------------------------------------------------------------------


def setup_django(env: dict) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio_tracker.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", "--no-reports", stdout=io.StringIO())


def requesters() -> list[tuple]:
    """Each demo production with one of its producers: who asks for its reports."""
    from studio_tracker.productions.models import Membership, Production

    pairs = []
    for production in Production.objects.order_by("id"):
        membership = (
            Membership.objects.filter(production=production, role=Membership.Role.PRODUCER)
            .select_related("user")
            .first()
        )
        pairs.append((production, membership.user))
    return pairs


def schedule(plan: Plan, rng: random.Random) -> list[tuple[float, str, object]]:
    """Requests spread over the window; faults at random moments inside it, a few seconds apart
    so that each one has work in flight to disturb."""
    events = [
        (plan.window * i / plan.requests + rng.uniform(0, 0.3), "request", i)
        for i in range(plan.requests)
    ]
    faults = ["kill"] * plan.kills + ["redis"] * plan.redis_restarts
    rng.shuffle(faults)
    slot = plan.window / (len(faults) + 1)
    for index, fault in enumerate(faults):
        at = slot * (index + 0.5) + rng.uniform(0.3, 0.9) * slot
        if fault == "kill":
            events.append((at, "kill", rng.randrange(2)))
            events.append((at + rng.uniform(0.5, 2.0), "restart-worker", None))
        else:
            events.append((at, "redis-stop", None))
            events.append((at + rng.uniform(2.0, 6.0), "redis-start", None))
    return sorted(events, key=lambda event: event[0])


def supervise(processes: list[Celery], tally: Tally, *, expect_dead: set) -> None:
    """Restart any celery process that died on its own (a supervisor's job); count it."""
    for process in processes:
        if not process.alive() and process.name not in expect_dead:
            tally.unexpected_exits += 1
            print(f"  ! {process.name} exited on its own; restarting it", flush=True)
            process.start()


def run(plan: Plan, args) -> int:
    from django.db import close_old_connections

    from studio_tracker.reports import compiler
    from studio_tracker.reports.models import Report

    rng = random.Random(args.seed)
    tally = Tally()
    pairs = requesters()
    folder, env, redis = args.folder, args.env, args.redis
    workers = [worker(1, env, folder), worker(2, env, folder)]
    sweeper = beat(env, folder)
    everything = [*workers, sweeper]
    for process in everything:
        process.start()
    dead: set = set()
    killed: list = []
    started = time.monotonic()
    print(
        f"chaos: {plan.requests} requests over {len(pairs)} productions in {plan.window:.0f} s, "
        f"{plan.kills} worker kills, {plan.redis_restarts} Redis restarts (seed {args.seed})",
        flush=True,
    )
    try:
        for at, action, value in schedule(plan, rng):
            while time.monotonic() - started < at:
                supervise(everything, tally, expect_dead=dead)
                time.sleep(min(0.1, max(0.0, at - (time.monotonic() - started))))
            now = time.monotonic() - started
            if action == "request":
                production, actor = pairs[value % len(pairs)]
                asked = time.monotonic()
                try:
                    report = compiler.request_compile(actor=actor, production=production)
                except Exception as error:  # a user would see a 500: that is a finding
                    tally.request_errors.append(f"{type(error).__name__}: {error}")
                    close_old_connections()
                    continue
                tally.slowest_request = max(tally.slowest_request, time.monotonic() - asked)
                tally.requested.append(report.pk)
                if not Report.objects.filter(pk=report.pk, dispatched_at__isnull=False).exists():
                    tally.undispatched += 1
            elif action == "kill":
                target = compiling_worker(workers, wait=4.0) or workers[value]
                tally.kills_mid_compile += target.compiling()
                target.kill()
                dead.add(target.name)
                killed.append(target)
                tally.faults.append(f"{now:6.1f} s  SIGKILL {target.name}")
                print(f"  {now:6.1f} s  SIGKILL {target.name}", flush=True)
            elif action == "restart-worker":
                target = killed.pop(0)
                target.start()
                dead.discard(target.name)
                tally.last_fault_at = time.monotonic()
            elif action == "redis-stop":
                redis.kill()
                tally.faults.append(f"{now:6.1f} s  Redis stopped")
                print(f"  {now:6.1f} s  Redis stopped", flush=True)
            elif action == "redis-start":
                redis.start()
                tally.last_fault_at = time.monotonic()
                print(f"  {now:6.1f} s  Redis back", flush=True)
        print(f"  {time.monotonic() - started:6.1f} s  all requested; draining", flush=True)
        drained = drain(plan, tally, everything, dead)
    finally:
        for process in everything:
            process.stop()
    return report_on(plan, tally, drained, folder)


def drain(plan: Plan, tally: Tally, processes: list, dead: set) -> float | None:
    """Wait until every request is compiled with all its renderings; retry failed ones as a user
    would. Returns seconds after the last fault, or None on timeout."""
    from studio_tracker.reports import compiler
    from studio_tracker.reports.models import Rendering, Report

    deadline = time.monotonic() + plan.drain_timeout
    ids = tally.requested
    while time.monotonic() < deadline:
        supervise(processes, tally, expect_dead=dead)
        for report in Report.objects.filter(pk__in=ids, status=Report.Status.FAILED):
            tally.retried.add(report.pk)
            tally.errors_seen.append(f"report {report.pk}: {report.error}")
            compiler.retry(report, actor=report.requested_by)
        compiled = Report.objects.filter(pk__in=ids, status=Report.Status.COMPILED).count()
        if compiled == len(ids) and tally.compiled_after is None:
            tally.compiled_after = time.monotonic() - tally.last_fault_at
        rendered = Rendering.objects.filter(report__in=ids).count()
        if compiled == len(ids) and rendered >= len(ids) * len(FORMATS):
            return time.monotonic() - tally.last_fault_at
        time.sleep(0.5)
    return None


def sweeps(folder: Path) -> str:
    """How many of beat's sweeps a worker ran (the others expired waiting), from the logs."""

    def count(names: list[str], needle: str) -> int:
        return sum(
            line.count(needle)
            for name in names
            for line in (folder / name).read_text(errors="replace").splitlines()
            if "sweep" in line
        )

    workers = sorted(path.name for path in folder.glob("worker*.log"))
    ran = count(workers, "succeeded in")
    sent = count(["beat.log"], "Sending due task")
    return f"{ran}/{sent}"


def report_on(plan: Plan, tally: Tally, drained: float | None, folder: Path) -> int:
    from django.core.management import call_command
    from django.db.models import Count

    from studio_tracker.audit.models import AuditEvent
    from studio_tracker.reports import credits
    from studio_tracker.reports.models import Rendering, Report

    problems: list[str] = list(tally.request_errors)
    ids = set(tally.requested)
    rows = Report.objects.all()
    extra = rows.exclude(pk__in=ids).count()  # a version nobody asked for is a duplicate
    compiled = rows.filter(pk__in=ids, status=Report.Status.COMPILED)
    stuck = list(
        rows.filter(status__in=[Report.Status.QUEUED, Report.Status.COMPILING]).values_list(
            "pk", "status"
        )
    )
    lost = len(ids) - compiled.count() + len(tally.request_errors)
    compile_events = (
        AuditEvent.objects.filter(action="report.compiled", report_id__in=ids)
        .values("report_id")
        .annotate(n=Count("id"))
    )
    compiled_twice = [event["report_id"] for event in compile_events if event["n"] > 1]
    duplicate_versions = (
        rows.values("production_id", "version").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    duplicates = extra + len(compiled_twice) + duplicate_versions
    recompiled = compiled.filter(attempts__gt=1).count()
    returned = AuditEvent.objects.filter(action="report.requeued", report_id__in=ids).count()

    digests_ok = 0
    for report in compiled.prefetch_related("renderings"):
        with report.snapshot.open("rb") as handle:
            data = gzip.decompress(handle.read())
        found = credits.verify(data=data)
        formats = sorted(r.format for r in report.renderings.all())
        files_ok = all(
            hashlib.sha256(r.file.open("rb").read()).hexdigest() == r.sha256
            for r in report.renderings.all()
            if r.format != Rendering.Format.JSON
        )
        if (
            found["matches"]
            and found["report"] == report.pk
            and "sha256:" + found["sha256"] == report.digest
            and set(formats) == FORMATS
            and len(formats) == len(FORMATS)
            and files_ok
            and report.findings.count() == report.findings_count
        ):
            digests_ok += 1
        else:
            problems.append(f"report {report.pk}: digest/renderings/findings do not verify")
    versions_gapless = all(
        sorted(rows.filter(production_id=p).values_list("version", flat=True))
        == list(range(1, rows.filter(production_id=p).count() + 1))
        for p in rows.values_list("production_id", flat=True).distinct()
    )
    audit = io.StringIO()
    try:
        call_command("verify_audit_log", stdout=audit)
        audit_ok = True
    except Exception as error:
        audit_ok = False
        problems.append(f"verify_audit_log: {error}")

    if stuck:
        problems.append(f"stuck: {stuck[:10]}")
    if drained is None:
        problems.append(f"did not drain within {plan.drain_timeout:.0f} s")
    if lost:
        problems.append(f"{lost} requests lost")
    if duplicates:
        problems.append(
            f"duplicates: {extra} extra rows, compiled twice {compiled_twice[:10]}, "
            f"{duplicate_versions} repeated versions"
        )
    if not versions_gapless:
        problems.append("version numbers have gaps")

    table = [
        ("requests", len(tally.requested) + len(tally.request_errors)),
        ("  of which sent while Redis was down", tally.undispatched),
        ("  slowest request (s)", f"{tally.slowest_request:.2f}"),
        ("compiled (one version each)", compiled.count()),
        ("worker kills during a compile", f"{tally.kills_mid_compile}/{plan.kills}"),
        ("claims of killed workers returned by the sweeper", returned),
        ("compiled again after a lost claim", recompiled),
        ("failed-then-retried", len(tally.retried)),
        ("duplicates", duplicates),
        ("lost", lost),
        ("stuck (queued/compiling)", len(stuck)),
        ("digests verified from stored JSON", f"{digests_ok}/{compiled.count()}"),
        ("audit log verifies", "yes" if audit_ok else "NO"),
        ("celery processes that died unasked", tally.unexpected_exits),
        ("sweeps run / sent by beat", sweeps(folder)),
        (
            "time to drain after last fault (s)",
            f"{drained:.1f}" if drained is not None else "timed out",
        ),
        (
            "  until every request was compiled (s)",
            f"{tally.compiled_after:.1f}" if tally.compiled_after is not None else "-",
        ),
    ]
    print("\nfaults:")
    for fault in tally.faults:
        print(f"  {fault}")
    print()
    width = max(len(label) for label, _ in table)
    for label, value in table:
        print(f"{label:<{width}}  {value:>10}")
    print(f"\n{audit.getvalue().strip()}")
    for error in tally.errors_seen[:10]:
        print(f"seen failed: {error}")
    if problems:
        print("\nFAILED:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("\nOK: every request compiled once, nothing lost, duplicated or stuck.")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="20 requests, 1 kill, 1 restart")
    parser.add_argument("--database", default="st_chaos", help="the run's own database name")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the database and logs")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("The chaos run needs redis-server on the PATH.")
    plan = SHORT if args.short else FULL
    args.seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    database_url, maintenance_url = database_urls(args.database)
    recreate_database(maintenance_url, args.database)
    args.folder = Path(tempfile.mkdtemp(prefix="st-chaos-"))
    args.redis = Redis(free_port(), args.folder)
    args.redis.start()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "CELERY_BROKER_DIR", "CACHE_URL"}
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": args.redis.url,
            "VAR_DIR": str(args.folder),
            "MEDIA_ROOT": str(args.folder / "media"),
            "DEBUG": "true",
            "API_THROTTLE": "false",
            "LOG_LEVEL": "WARNING",
            **TIMINGS,
        }
    )
    args.env = env
    code = 1
    try:
        setup_django(env)
        code = run(plan, args)
    finally:
        args.redis.kill()
        from django.db import connections

        connections.close_all()
        if args.keep or code:
            print(f"logs and media: {args.folder}; database {args.database}")
        if not args.keep:
            if not code:
                shutil.rmtree(args.folder, ignore_errors=True)
            recreate_database(maintenance_url, args.database, create=False)
    sys.exit(code)


if __name__ == "__main__":
    main()
