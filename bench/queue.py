"""Queue benchmark: the first page of an institution's open items, at 10,000 and 1,000,000 items.

Run: ``python bench/queue.py [--n 1000000]`` (``make bench`` runs every bench). A database of
its own on the PostgreSQL of ``DATABASE_URL`` (dropped at the end). Items are inserted with one
``INSERT ... SELECT generate_series`` across five institutions and their channels
(``_benchdb.insert_items``: statuses, languages, assignments and threads spread within every
channel; about one in six open); then ``ANALYZE``. The queue page (default
filters: open items, earliest deadline first) is requested in-process through Django's test
client as a signed-in communicator, 30 times after 5 warm-up requests, at the small size and
again at the full size. Reported: median and p95 server time, and the number of SQL queries.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from pathlib import Path

# This file is named like the standard library's ``queue``: its folder goes to the end of the
# path so that ``import queue`` elsewhere finds the standard one, and ``_benchdb`` is still found.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.append(str(HERE))

from _benchdb import django_bench_database, insert_items  # noqa: E402

SMALL = 10_000
RUNS = 30
WARM_UP = 5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000, help="items at the full size")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with django_bench_database("queue"):
        client, slug = _setup()
        insert_items(SMALL)
        small = _measure(client, slug)
        insert_items(args.n - SMALL)
        full = _measure(client, slug)
    print(
        json.dumps(
            {
                "bench": "queue",
                "n": args.n,
                "median_ms": full["median_ms"],
                "p95_ms": full["p95_ms"],
                "queries": full["queries"],
                "small_n": SMALL,
                "small_median_ms": small["median_ms"],
                "small_queries": small["queries"],
                "open_items_full": full["open"],
            }
        )
    )


def _setup():  # type: ignore[no-untyped-def]
    from django.test import Client

    from accounts.models import Institution, Membership, Role, User
    from channels.models import Channel

    for number in range(5):
        institution = Institution.objects.create(
            slug=f"bench-{number}", name_en=f"Bench {number}", name_fr="B", name_nl="B"
        )
        for platform in ("facebook", "x", "youtube", "instagram"):
            Channel.objects.create(
                institution=institution, platform=platform, name=f"{platform} {number}",
                languages=["fr", "nl"], response_hours=24, crisis_response_hours=1,
            )  # fmt: skip
    user = User.objects.create_user(email="communicator@bench.test", password="x" * 16)
    Membership.objects.create(
        institution=Institution.objects.get(slug="bench-0"), user=user, role=Role.COMMUNICATOR
    )
    client = Client()
    client.force_login(user)
    return client, "bench-0"


def _measure(client, slug: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/i/{slug}/queue/"
    for _ in range(WARM_UP):
        _check(client.get(url))
    timings = []
    queries = 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        _check(response)
        queries = len(captured.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM moderation_item WHERE status = 'open'")
        (open_items,) = cursor.fetchone()
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "queries": queries,
        "open": open_items,
    }


def _check(response) -> None:  # type: ignore[no-untyped-def]
    if response.status_code != 200:
        raise SystemExit(f"The queue page answered {response.status_code}.")


if __name__ == "__main__":
    main()
