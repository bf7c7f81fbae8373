"""Ingestion benchmark: signed generic webhooks into gunicorn, then a Celery worker drains them.

Run: ``python bench/ingest.py [--n 10000] [--batches 400]`` (``make bench`` runs every bench).
Uses the PostgreSQL server of ``DATABASE_URL`` but its own database (``<name>_bench_ingest``,
dropped at the end) and the Redis of ``REDIS_URL`` (database 15, flushed before and after).

Phases, each timed on its own:
1. single: ``--n`` deliveries of one event each, 8 concurrent keep-alive connections from two
   generator processes (sharing the machine's cores with gunicorn): accepted/s, p50/p99 latency;
2. backlog: one Celery worker (prefork, 2 processes) starts and processes the stored
   single-event deliveries: seconds to drain, processed/s;
3. batched: ``--batches`` deliveries of 50 events each: accepted events/s;
4. batched processing: the worker processes them: items/s.
Afterwards rows are counted (deliveries, items, duplicates) and the web workers' memory is
measured after a warm-up and after each load phase. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import multiprocessing
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _benchdb import database_url, drop_database, free_port, recreate_database, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
CONNECTIONS = 8
RECONNECT_EVERY = 100  # lets gunicorn's workers share the connections, as they would in life
WARM_UP = 200  # deliveries sent before measuring: imports, connections, caches settle
GENERATORS = 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000, help="single-event deliveries")
    parser.add_argument("--batches", type=int, default=400, help="50-event deliveries")
    args = parser.parse_args()
    # ``timeout`` and Ctrl-C must still stop gunicorn and the worker and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/govsocial")
    bench_url = database_url(base_url, "_bench_ingest")
    redis_url = _redis_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), 15)
    env = {**os.environ, "DATABASE_URL": bench_url, "REDIS_URL": redis_url, "DEBUG": "0"}
    env.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789abcdefghij")
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("SITE_URL", "http://127.0.0.1")  # required when DEBUG is off
    env["HTTPS"] = "0"
    env["CACHE_KEY_PREFIX"] = "govsocial-bench"

    recreate_database(base_url, bench_url)
    _flush_redis(redis_url)
    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    os.environ.update(env)
    webhook_id, channel_id = _create_channel()

    port = free_port()
    web = _start_web(env, port)
    worker = None
    try:
        wait_for_port(port)
        path = f"/hooks/generic/{webhook_id}/"
        _load(port, path, [_body(f"w{n}", 1) for n in range(WARM_UP)])
        rss_warm = _workers_rss(web.pid)

        single_bodies = [_body(f"s{n}", 1) for n in range(args.n)]
        single = _load(port, path, single_bodies)
        _progress("single", single)
        rss_after_single = _workers_rss(web.pid)

        worker = _start_worker(env)
        backlog_seconds = _wait_processed(WARM_UP + args.n, timeout=600)
        _progress("backlog", {"seconds": backlog_seconds})
        _stop(worker)
        worker = None

        batch_bodies = [_body(f"b{n}", 50) for n in range(args.batches)]
        batched = _load(port, path, batch_bodies)
        _progress("batched", batched)
        rss_after_batched = _workers_rss(web.pid)

        worker = _start_worker(env)
        batch_seconds = _wait_processed(WARM_UP + args.n + args.batches, timeout=600)
        counts = _counts(channel_id)
    finally:
        if worker is not None:
            _stop(worker)
        _stop(web)
        _flush_redis(redis_url)
        drop_database(base_url, bench_url)

    sent_items = WARM_UP + args.n + 50 * args.batches
    result = {
        "bench": "ingest",
        "n": args.n,
        "single_accepted_per_s": round(args.n / single["seconds"], 1),
        "single_p50_ms": single["p50_ms"],
        "single_p99_ms": single["p99_ms"],
        "single_errors": single["errors"],
        "batched_events_accepted_per_s": round(50 * args.batches / batched["seconds"], 1),
        "batched_p99_ms": batched["p99_ms"],
        "batched_errors": batched["errors"],
        "backlog_deliveries": WARM_UP + args.n,
        "backlog_seconds": round(backlog_seconds, 1),
        "backlog_processed_per_s": round((WARM_UP + args.n) / backlog_seconds, 1),
        "batched_items_processed_per_s": round(50 * args.batches / batch_seconds, 1),
        "deliveries_stored": counts["deliveries"],
        "deliveries_unprocessed": counts["unprocessed"],
        "items_stored": counts["items"],
        "items_expected": sent_items,
        "lost": sent_items - counts["items"],
        "duplicates": counts["duplicates"],
        "web_rss_mb_warm": rss_warm,
        "web_rss_mb_after_single": rss_after_single,
        "web_rss_mb_after_batched": rss_after_batched,
    }
    print(json.dumps(result))


def _progress(phase: str, figures: dict[str, float]) -> None:
    print(f"{phase}: {json.dumps(figures)}", file=sys.stderr, flush=True)


# --- load generation ------------------------------------------------------------------------


def _body(prefix: str, count: int) -> bytes:
    items = [
        {
            "external_id": f"{prefix}-{i}",
            "text": f"Bonjour, quand le bureau de recrutement de Bruxelles ouvre-t-il ? ({i})",
            "author": {"name": "Bench", "handle": "@bench"},
            "language": "fr",
            "occurred_at": "2026-11-25T10:00:00+01:00",
        }
        for i in range(count)
    ]
    return json.dumps({"items": items}).encode()


def _load(port: int, path: str, bodies: list[bytes]) -> dict[str, float]:
    """Send every body once over ``CONNECTIONS`` keep-alive connections; latency per request."""
    stamp = str(int(time.time()))
    signed = [(body, _sign(stamp, body)) for body in bodies]
    per_connection = [signed[i::CONNECTIONS] for i in range(CONNECTIONS)]
    groups = [per_connection[i::GENERATORS] for i in range(GENERATORS)]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with multiprocessing.Pool(GENERATORS) as pool:
        results = pool.starmap(_generator, [(port, path, stamp, group) for group in groups])
        pool.close()
        pool.join()
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    generator_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    latencies = sorted(ms for group_latencies, _ in results for ms in group_latencies)
    errors = sum(errors for _, errors in results)
    return {
        "seconds": seconds,
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1),
        "errors": errors,
        "generator_cpu_share": round(generator_cpu / (seconds * (os.cpu_count() or 1)), 2),
    }


def _generator(
    port: int, path: str, stamp: str, connections: list[list[tuple[bytes, str]]]
) -> tuple[list[float], int]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(connections)) as pool:
        results = list(pool.map(lambda work: _connection(port, path, stamp, work), connections))
    return [ms for latencies, _ in results for ms in latencies], sum(e for _, e in results)


def _connection(
    port: int, path: str, stamp: str, work: list[tuple[bytes, str]]
) -> tuple[list[float], int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, errors = [], 0
    for sent, (body, signature) in enumerate(work, start=1):
        if sent % RECONNECT_EVERY == 0:  # like a platform's connection pool recycling
            connection.close()
        headers = {
            "Content-Type": "application/json",
            "X-GovSocial-Timestamp": stamp,
            "X-GovSocial-Signature": signature,
        }
        started = time.perf_counter()
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException):
            connection.close()
            ok = False
        latencies.append((time.perf_counter() - started) * 1000)
        errors += 0 if ok else 1
    connection.close()
    return latencies, errors


def _sign(stamp: str, body: bytes) -> str:
    digest = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


# --- the system under test ------------------------------------------------------------------


def _start_web(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "govsocial.wsgi",
        "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread", "--workers", "2",
        "--threads", "4", "--keep-alive", "5", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def _start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "celery"), "-A", "govsocial", "worker",
        "--concurrency", "2", "-O", "fair", "--loglevel", "WARNING", "--without-gossip",
        "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def _workers_rss(master_pid: int) -> float:
    """Resident memory of gunicorn's workers (children of the master), in MB."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    total_kb = 0
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return round(total_kb / 1024, 1)


def _wait_processed(expected: int, timeout: float) -> float:
    from channels.models import InboundDelivery

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        processed = InboundDelivery.objects.filter(status="processed").count()
        if processed >= expected:
            return time.perf_counter() - started
        time.sleep(0.2)
    raise SystemExit(f"{processed} of {expected} deliveries processed after {timeout} s.")


def _counts(channel_id: int) -> dict[str, int]:
    from django.db.models import Count

    from channels.models import InboundDelivery
    from moderation.models import Item

    items = Item.objects.filter(channel_id=channel_id)
    duplicates = items.values("external_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    return {
        "deliveries": InboundDelivery.objects.count(),
        "unprocessed": InboundDelivery.objects.exclude(status="processed").count(),
        "items": items.count(),
        "duplicates": duplicates,
    }


def _create_channel() -> tuple[str, int]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsocial.settings")
    import django

    django.setup()
    from accounts.models import Institution
    from channels.models import Channel

    institution = Institution.objects.create(
        slug="bench", name_en="Bench", name_fr="Bench", name_nl="Bench"
    )
    channel = Channel(
        institution=institution, platform="other", name="Bench", languages=["fr"],
        response_hours=24, crisis_response_hours=1,
    )  # fmt: skip
    channel.signing_secret = SECRET
    channel.save()
    return str(channel.webhook_id), channel.pk


# --- plumbing -------------------------------------------------------------------------------


def _redis_url(url: str, database: int) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True)


if __name__ == "__main__":
    main()
