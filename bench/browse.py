"""Browsing benchmark: moderators of the five demo institutions working the queue at once.

Run: ``python bench/browse.py [--n 1000000] [--users 30] [--duration 180]`` (``make bench``
runs every bench). Uses the PostgreSQL server of ``DATABASE_URL`` but a database of its own
(``<name>_bench_browse``, dropped at the end unless ``--keep``; ``--reuse`` takes a kept one as
it is, after migrating it) and the Redis of ``REDIS_URL`` (database 15, flushed before and after).

1. Data: the demo institutions, accounts and data (``seed_demo``), then ``--n`` items over the
   demo channels (``_benchdb.insert_items``: statuses, languages, assignments and threads
   spread within every channel; each text names its institution, the canary), and
   ``ceil(users / 5)`` moderators per institution who sign in with a password (no MFA).
2. In-process, warm, through Django's test client as a moderator of ``defence``: each page's
   SQL queries and median server time, and the plan of every query (``EXPLAIN ANALYZE``).
   A sequential scan of a large table, or a plan node that reads more than 10,000 rows, is a
   failure (``plan_failures``): the run goes on, then exits with status 1.
3. gunicorn started as in the Procfile (its ``web`` line; ``--workers``, ``--threads`` and
   ``--max-requests`` override it), then locust, headless, on the same machine
   (bench/_browse_locust.py): ``--users`` moderators spread over the institutions, each signed
   in once, looping queue and polls, item, one time in three a decision, 2 to 5 s of thought.
   Requests count from a few seconds after the last sign-in, for ``--duration`` seconds.
   Every response is searched for other institutions' canaries (``leaks``); any status other
   than the expected ones is an error (a decision refused because someone else was faster is
   counted as ``refused``, not as an error).

The last line printed is one JSON object: ``{"bench": "browse", "pages": {"queue": {"median_ms",
"p95_ms", "p99_ms", "queries", "server_ms", "server_cpu_ms"}, "item": ..., "decision": ...,
"poll": ...}, "rps", "errors", "leaks", "web_cpu_ms_per_request", ...}`` (``server_ms``: the
in-process median of step 2, ``server_cpu_ms`` its CPU time in Python; with the CPU time of
gunicorn per request counted, figures that hold on a busy machine).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# bench/ holds a ``queue.py``: the folder goes to the end of the path so that ``import queue``
# finds the standard library's, and ``_benchdb`` is still found.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.append(str(HERE))

from _benchdb import (  # noqa: E402
    ROOT,
    database_exists,
    database_url,
    drop_database,
    free_port,
    insert_items,
    recreate_database,
    wait_for_port,
)

PASSWORD = "govsocial-bench-password"  # bench accounts, in a throwaway database
INSTITUTIONS = ("defence", "foreign-affairs", "federal-police", "bosa", "cirb")
PAGES = ("queue", "item", "decision", "poll")
WARM_UP_SECONDS = 5
IN_PROCESS_RUNS = 20
BIG_TABLE_ROWS = 10_000
MAX_ROWS_READ = 10_000
LOG_DIR = Path(tempfile.gettempdir()) / "govsocial-bench-browse"
"""gunicorn's and locust's output (access log, locust's own summary)."""


def main() -> None:
    args = _arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/govsocial")
    bench_url = database_url(base_url, "_bench_browse")
    env = _environment(bench_url)
    fresh = not (args.reuse and database_exists(base_url, bench_url))
    if fresh:
        recreate_database(base_url, bench_url)
    _flush_redis(env["REDIS_URL"])
    web = None
    LOG_DIR.mkdir(exist_ok=True)
    try:
        _django(env)
        _prepare(fresh, args.n)
        accounts = _accounts(math.ceil(args.users / len(INSTITUTIONS)))
        server, plan_failures = _in_process()
        _run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        port = free_port()
        web = _start_web(env, port, args)
        wait_for_port(port)
        load = _locust(port, web.pid, accounts, args)
    finally:
        if web is not None:
            _stop(web)
        _flush_redis(env["REDIS_URL"])
        if not args.keep:
            drop_database(base_url, bench_url)
    print(json.dumps({**_result(args, server, load), "plan_failures": plan_failures}))
    if plan_failures:
        sys.exit(1)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="items (default 1,000,000)")
    parser.add_argument("--users", type=int, default=30, help="simulated moderators")
    parser.add_argument("--duration", type=int, default=180, help="seconds measured")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(2.0, 5.0),
        metavar=("MIN", "MAX"),
        help="seconds of thought between loops (default 2 5; less finds the capacity)",
    )
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: Procfile's)")
    parser.add_argument("--threads", type=int, help="gunicorn threads (default: Procfile's)")
    parser.add_argument("--max-requests", type=int, help="gunicorn --max-requests")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use a kept database as it is")
    return parser.parse_args()


def _environment(bench_url: str) -> dict[str, str]:
    redis_url = re.sub(r"/\d*$", "", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "REDIS_URL": f"{redis_url}/15",
        "CACHE_KEY_PREFIX": "govsocial-bench-browse",
        "DEBUG": "0",
        "HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "govsocial.settings",
    }
    env.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789abcdefghij")
    env.setdefault("SITE_URL", "http://127.0.0.1")
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    return env


def _django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # In-process pages: no manifest needed (gunicorn gets collectstatic's).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _prepare(fresh: bool, items: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not fresh:
        _progress("data", {"reused": True})
        return
    started = time.perf_counter()
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    insert_items(items)
    _progress("data", {"items": items, "seconds": round(time.perf_counter() - started, 1)})


def _accounts(per_institution: int) -> list[list[str]]:
    """Moderators who sign in with a password (verified address, communicator, no MFA role)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from accounts.models import Institution, Membership, Role, User

    password = make_password(PASSWORD)
    accounts = []
    for number in range(per_institution):
        for slug in INSTITUTIONS:
            email = f"moderator-{number}@{slug}.bench"
            user, created = User.objects.get_or_create(
                email=email,
                defaults={"password": password, "full_name": f"Bench moderator {number}",
                          "preferred_language": ("fr", "nl", "en")[number % 3]},
            )  # fmt: skip
            if created:
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                Membership.objects.create(
                    institution=Institution.objects.get(slug=slug), user=user,
                    role=Role.COMMUNICATOR,
                )  # fmt: skip
            accounts.append([email, PASSWORD, slug])
    return accounts


def _canaries() -> dict[str, str]:
    return {slug: f"canary-{slug}" for slug in INSTITUTIONS}


# --- in-process: queries, server time, plans --------------------------------------------------


def _in_process() -> tuple[dict[str, dict[str, Any]], int]:
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="moderator-0@defence.bench"))
    queue_html = _page(client, "get", "/i/defence/queue/").content.decode()
    ids = [int(pk) for pk in re.findall(r"/queue/items/(\d+)/", queue_html)]
    since = re.search(r"queue/new/\?since=([^\"&]+)", queue_html)
    new_items = f"/i/defence/queue/new/?since={since.group(1) if since else ''}"
    htmx = {"HX-Request": "true"}

    def decide(n: int) -> Any:
        action = ("assign-me", "no-action")[n % 2]
        url = f"/i/defence/queue/items/{ids[n % len(ids)]}/{action}/"
        return _page(client, "post", url, {"queue": "status=open"}, expect=302)

    pages = {
        "queue": lambda _: _page(client, "get", "/i/defence/queue/"),
        "item": lambda n: _page(
            client, "get", f"/i/defence/queue/items/{ids[n % len(ids)]}/?queue=status%3Dopen"
        ),
        "decision": decide,
        "poll": lambda n: _page(
            client,
            "get",
            new_items if n % 2 else "/notifications/unread-count/",
            headers=htmx,
            expect=(200, 304),
        ),
    }
    figures, failures = {}, 0
    for name, request in pages.items():
        figures[name], failed = _measure_page(name, request)
        failures += failed
    return figures, failures


def _page(client: Any, method: str, url: str, data: Any = None, *, expect: Any = 200,
          headers: dict[str, str] | None = None) -> Any:  # fmt: skip
    response = getattr(client, method)(url, data, headers=headers or {})
    expected = expect if isinstance(expect, tuple) else (expect,)
    if response.status_code not in expected:
        raise SystemExit(f"{method.upper()} {url} answered {response.status_code}.")
    return response


def _measure_page(name: str, request: Any) -> tuple[dict[str, Any], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        request(n)  # warm
    timings, cpu = [], []
    for n in range(IN_PROCESS_RUNS):
        started, cpu_started = time.perf_counter(), time.process_time()
        request(n + 3)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        request(IN_PROCESS_RUNS + 3)
    failed = _check_plans(name, [query["sql"] for query in captured.captured_queries])
    return {
        "server_ms": round(statistics.median(timings), 1),
        "server_cpu_ms": round(statistics.median(cpu), 1),  # Python's share, load-independent
        "queries": len(captured.captured_queries),
    }, failed


def _check_plans(page: str, statements: list[str]) -> int:
    """Print each read's plan nodes; count the reads with a sequential scan of a large table or
    a node reading more than ``MAX_ROWS_READ`` rows (e.g. every item of a channel)."""
    from django.db import connection

    failed = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s",
                       [BIG_TABLE_ROWS])  # fmt: skip
        big = {name for (name,) in cursor.fetchall()}
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0][0]["Plan"]
            nodes = list(_nodes(plan))
            bad = [
                node for node in nodes
                if (node["Node Type"] == "Seq Scan" and node.get("Relation Name") in big)
                or node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
                > MAX_ROWS_READ
            ]  # fmt: skip
            summary = ", ".join(
                f"{node['Node Type']}"
                + (f" on {node['Relation Name']}" if "Relation Name" in node else "")
                + (f" using {node['Index Name']}" if "Index Name" in node else "")
                for node in nodes
                if "Relation Name" in node
            )
            flag = "FAIL" if bad else "ok"
            print(f"plan {page} {flag}: {summary} | {sql[:120]}", file=sys.stderr)
            failed += bool(bad)
    return failed


def _nodes(plan: dict[str, Any]) -> Any:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


# --- gunicorn and locust ---------------------------------------------------------------------


def _start_web(env: dict[str, str], port: int, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """The Procfile's ``web`` command, on our port, with the options given overriding it."""
    line = next(
        line.split(":", 1)[1]
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    command = shlex.split(line.replace("${PORT:-8000}", str(port)))
    command[0] = str(Path(sys.executable).parent / command[0])
    for option, value in (("--workers", args.workers), ("--threads", args.threads),
                          ("--max-requests", args.max_requests)):  # fmt: skip
        if value is not None:
            if option in command:
                command[command.index(option) + 1] = str(value)
            else:
                command += [option, str(value)]
    _progress("gunicorn", {"command": " ".join(command[1:])})
    log = open(LOG_DIR / "web.log", "wb")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _locust(
    port: int, web_pid: int, accounts: list[list[str]], args: argparse.Namespace
) -> dict[str, Any]:
    spawn_rate = 5
    ramp = math.ceil(args.users / spawn_rate) + 2  # the locustfile stops the run itself
    with tempfile.TemporaryDirectory() as folder:
        result = Path(folder) / "figures.json"
        env = {
            **os.environ,
            "BROWSE_ACCOUNTS": json.dumps(accounts),
            "BROWSE_CANARIES": json.dumps(_canaries()),
            "BROWSE_WARM_UP": str(WARM_UP_SECONDS),
            "BROWSE_DURATION": str(args.duration),
            "BROWSE_WEB_PID": str(web_pid),
            "BROWSE_RESULT": str(result),
            "BROWSE_THINK": f"{args.think[0]},{args.think[1]}",
        }
        command = [
            str(Path(sys.executable).parent / "locust"), "-f", str(HERE / "_browse_locust.py"),
            "--headless", "--users", str(args.users), "--spawn-rate", str(spawn_rate),
            "--run-time", f"{args.duration + ramp + WARM_UP_SECONDS + 600}s",  # a bound only
            "--host", f"http://127.0.0.1:{port}", "--only-summary", "--loglevel", "WARNING",
            "--stop-timeout", "10",
        ]  # fmt: skip
        with open(LOG_DIR / "locust.log", "wb") as log:
            subprocess.run(command, env=env, check=False, stdout=log, stderr=subprocess.STDOUT)
        if not result.exists():
            raise SystemExit(f"locust wrote no figures: see {LOG_DIR / 'locust.log'}.")
        return json.loads(result.read_text())


def _result(args: argparse.Namespace, server: dict[str, Any], load: dict[str, Any]) -> Any:
    pages = {}
    for name in PAGES:
        times = sorted(load["times"].get(name, []))
        pages[name] = {
            "median_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": _percentile(times, 0.95),
            "p99_ms": _percentile(times, 0.99),
            "count": len(times),
            **server[name],
        }
    for error in load["sign_in_errors"][:10] + load["errors"][:10] + load["leaks"][:10]:
        print(error, file=sys.stderr)
    return {
        "bench": "browse",
        "n": args.n,
        "users": args.users,
        "think_s": list(args.think),
        "signed_in": load["signed_in"],
        "sign_in_retries": load["sign_in_retries"],
        "seconds": round(load["seconds"], 1),
        "pages": pages,
        "rps": round(load["requests"] / load["seconds"], 1) if load["seconds"] else 0,
        "errors": len(load["errors"]) + (args.users - load["signed_in"]),
        "refused": load["refused"],
        "not_modified": load["not_modified"],
        # CPU time of gunicorn per request counted: the server's cost, whatever else ran
        "web_cpu_ms_per_request": round(1000 * load["web_cpu_seconds"] / load["requests"], 1)
        if load["requests"]
        else None,
        "leaks": len(load["leaks"]),
    }


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, math.ceil(len(values) * share) - 1)], 1)


# --- processes -------------------------------------------------------------------------------


def _run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _progress(phase: str, figures: dict[str, Any]) -> None:
    print(f"{phase}: {json.dumps(figures)}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
