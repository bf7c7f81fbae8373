"""API benchmark: the item list (``GET /api/v1/items/``) at 10,000 and 1,000,000 items.

Run: ``python bench/api.py [--n 1000000]``. The same database and data as bench/queue.py (a
database of its own, dropped at the end; ``_benchdb.insert_items``: five institutions, about
one item in six open, then ``ANALYZE``), the same targets as the queue page. The first page of
open items (50 rows) is requested in-process through Django's test client with an API token
of the first institution (``items:read``), 30 times after 5 warm-up requests, at the small size
and again at the full size; then a second page (the keyset cursor). Reported: median and p95
server time, and the number of SQL queries. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.append(str(HERE))

from _benchdb import django_bench_database, insert_items  # noqa: E402

SMALL = 10_000
RUNS = 30
WARM_UP = 5
URL = "/api/v1/items/"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000, help="items at the full size")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with django_bench_database("api"):
        client = _setup()
        insert_items(SMALL)
        small = _measure(client, URL)
        insert_items(args.n - SMALL)
        full = _measure(client, URL)
        cursor = _check(client.get(URL)).json()["next"]
        second = _measure(client, f"{URL}?{urlencode({'after': cursor})}")
    print(
        json.dumps(
            {
                "bench": "api",
                "n": args.n,
                "median_ms": full["median_ms"],
                "p95_ms": full["p95_ms"],
                "queries": full["queries"],
                "second_page_median_ms": second["median_ms"],
                "second_page_queries": second["queries"],
                "small_n": SMALL,
                "small_median_ms": small["median_ms"],
                "small_queries": small["queries"],
            }
        )
    )


def _setup():  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Institution
    from api.services import token_create
    from channels.models import Channel

    settings.API_RATE_LIMIT = (1_000_000, 60)  # measured, not limited
    for number in range(5):
        institution = Institution.objects.create(
            slug=f"bench-{number}", name_en=f"Bench {number}", name_fr="B", name_nl="B"
        )
        for platform in ("facebook", "x", "youtube", "instagram"):
            Channel.objects.create(
                institution=institution, platform=platform, name=f"{platform} {number}",
                languages=["fr", "nl"], response_hours=24, crisis_response_hours=1,
            )  # fmt: skip
    created = token_create(
        institution=Institution.objects.get(slug="bench-0"),
        actor=None,
        name="Bench",
        scopes=["items:read"],
        expires_at=timezone.now() + timedelta(days=1),
    )
    return Client(headers={"Authorization": f"Bearer {created.secret}"})


def _measure(client, url: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

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
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "queries": queries,
    }


def _check(response):  # type: ignore[no-untyped-def]
    if response.status_code != 200:
        raise SystemExit(f"The item list answered {response.status_code}: {response.content!r}")
    return response


if __name__ == "__main__":
    main()
