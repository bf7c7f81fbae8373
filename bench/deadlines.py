"""Deadline-check benchmark: 1,000,000 open items and 100,000 open complaints.

Run: ``python bench/deadlines.py [--n 1000000] [--cases 100000] [--transitions 10000]`` (``make
bench`` runs every bench). A database of its own on the PostgreSQL of ``DATABASE_URL``, dropped
at the end. Rows are inserted with ``INSERT ... SELECT generate_series`` across five
institutions (every item open and unanswered, every complaint in progress, all with deadlines
in the future), then ``ANALYZE``.

Measured, each time in-process with the real ``deadlines_check``:

1. a check with nothing due, at a small size (10,000 items, 1,000 complaints) and at the full
   size: median time of 20 runs, SQL queries, peak Python memory;
2. one check with ``--transitions`` rows due (9 in 10 items, 1 in 10 complaints; half of them
   past their deadline, half only past their warning): time, queries, peak memory, and the
   notifications written (each channel has a two-person team; breaches also go to an admin).

Times are taken without tracemalloc (it slows allocation-heavy code several times); the peak
memory comes from a second, traced run of the same check (for 2., after undoing the first).

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

# bench/ holds a ``queue.py``: the folder goes to the end of the path so that ``import queue``
# finds the standard library's, and ``_benchdb`` is still found.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.append(str(HERE))

from _benchdb import django_bench_database  # noqa: E402

SMALL_ITEMS = 10_000
SMALL_CASES = 1_000
RUNS = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000, help="open items at the full size")
    parser.add_argument("--cases", type=int, default=100_000, help="open complaints")
    parser.add_argument("--transitions", type=int, default=10_000, help="rows made due")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with django_bench_database("deadlines"):
        from django.urls import reverse

        from govsocial.celery import app

        app.conf.broker_url = "memory://"  # the e-mail phase's task is enqueued, not measured
        reverse("home")  # load the URL configuration once, as a running worker has
        _setup()
        _insert_items(SMALL_ITEMS)
        _insert_cases(SMALL_CASES)
        small = _idle_checks()
        _insert_items(args.n - SMALL_ITEMS)
        _insert_cases(args.cases - SMALL_CASES)
        full = _idle_checks()
        busy = _busy_check(args.transitions)
    print(
        json.dumps(
            {
                "bench": "deadlines",
                "n": args.n,
                "cases": args.cases,
                "idle_median_ms": full["median_ms"],
                "idle_queries": full["queries"],
                "idle_peak_kib": full["peak_kib"],
                "small_idle_median_ms": small["median_ms"],
                "small_idle_queries": small["queries"],
                "small_idle_peak_kib": small["peak_kib"],
                "transitions": busy["transitions"],
                "transitions_ms": busy["ms"],
                "transitions_queries": busy["queries"],
                "transitions_peak_kib": busy["peak_kib"],
                "notifications": busy["notifications"],
            }
        )
    )


def _setup() -> None:
    from accounts.models import Institution, Membership, Role, User
    from channels.models import Channel

    for number in range(5):
        institution = Institution.objects.create(
            slug=f"bench-{number}", name_en=f"Bench {number}", name_fr="B", name_nl="B"
        )
        team = [
            User.objects.create_user(email=f"c{number}-{person}@bench.test", password=None)
            for person in range(2)
        ]
        for user in team:
            Membership.objects.create(institution=institution, user=user, role=Role.COMMUNICATOR)
            Membership.objects.create(
                institution=institution, user=user, role=Role.COMPLAINT_OFFICER
            )
        admin = User.objects.create_user(email=f"admin{number}@bench.test", password=None)
        Membership.objects.create(institution=institution, user=admin, role=Role.INSTITUTION_ADMIN)
        for platform in ("facebook", "x", "youtube", "instagram"):
            channel = Channel.objects.create(
                institution=institution, platform=platform, name=f"{platform} {number}",
                languages=["fr", "nl"], response_hours=24, crisis_response_hours=1,
            )  # fmt: skip
            channel.moderators.set(team)


def _insert_items(count: int) -> None:
    """Open, unanswered items whose warning and deadline are still ahead (spread over 6 h)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM moderation_item")
        (start,) = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO moderation_item (
                institution_id, channel_id, external_id, kind, author_name, author_handle,
                author_url, text, language, permalink, parent_external_id, posted_at,
                received_at, due_at, warn_at, status, keyword_hits, priority, raw_payload)
            SELECT c.institution_id, c.id, 'b-' || g, 'comment', 'Author ' || (g %% 997), '',
                   '', 'Bench message ' || g, (ARRAY['fr','nl','en'])[1 + g %% 3], '', '',
                   now() - (g %% 360) * interval '1 minute',
                   now() - (g %% 360) * interval '1 minute',
                   now() - (g %% 360) * interval '1 minute' + interval '24 hours',
                   now() - (g %% 360) * interval '1 minute' + interval '18 hours',
                   'open', '[]'::jsonb, 0, '{}'::jsonb
            FROM generate_series(%s, %s) AS g
            JOIN LATERAL (
                SELECT id, institution_id FROM channels_channel
                ORDER BY id OFFSET (g %% 20) LIMIT 1
            ) c ON true
            """,
            [start + 1, start + count],
        )
        cursor.execute("ANALYZE moderation_item")


def _insert_cases(count: int) -> None:
    """Complaints in progress, received within the last 20 days (due in 10 to 30 days)."""
    from django.db import connection

    from complaints.models import Category

    category = Category.objects.filter(institution__isnull=True).first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM complaints_case")
        (start,) = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO complaints_case (
                institution_id, reference, source, category_id, subject, description, language,
                received_at, due_at, warn_at, status, outcome, created_at)
            SELECT i.id, 'B-' || g, 'email', %s, 'Bench complaint', 'Text', 'fr',
                   now() - (g %% 20) * interval '1 day',
                   now() - (g %% 20) * interval '1 day' + interval '30 days',
                   now() - (g %% 20) * interval '1 day' + interval '22 days 12 hours',
                   'in_progress', '', now()
            FROM generate_series(%s, %s) AS g
            JOIN LATERAL (
                SELECT id FROM accounts_institution ORDER BY id OFFSET (g %% 5) LIMIT 1
            ) i ON true
            """,
            [category.pk, start + 1, start + count],
        )
        cursor.execute("ANALYZE complaints_case")


def _idle_checks() -> dict[str, float]:
    from deadlines.engine import deadlines_check

    deadlines_check()  # warm up
    timings, queries = [], 0
    for _ in range(RUNS):
        result, ms, queries = _timed(deadlines_check)
        if result.warnings or result.breaches:
            raise SystemExit("An idle check found transitions: the bench data is wrong.")
        timings.append(ms)
    return {"median_ms": round(statistics.median(timings), 1), "queries": queries,
            "peak_kib": _peak_kib(deadlines_check)}  # fmt: skip


def _busy_check(transitions: int) -> dict[str, float]:
    """Make ``transitions`` rows due (half breached, half warned only), then check once."""
    from django.db import connection

    from accounts.models import Notification
    from deadlines.engine import deadlines_check

    items = transitions * 9 // 10
    cases = transitions - items
    with connection.cursor() as cursor:
        for table, count in (("moderation_item", items), ("complaints_case", cases)):
            cursor.execute(
                f"""
                UPDATE {table} SET
                    warn_at = now() - interval '2 hours',
                    due_at = CASE WHEN id %% 2 = 0 THEN now() - interval '1 hour'
                                  ELSE now() + interval '1 hour' END
                WHERE id IN (SELECT id FROM {table} ORDER BY id DESC LIMIT %s)
                """,
                [count],
            )
    result, ms, queries = _timed(deadlines_check)
    if result.warnings + result.breaches != transitions:
        raise SystemExit(
            f"Expected {transitions} transitions, got {result.warnings + result.breaches}."
        )
    notifications = Notification.objects.count()
    with connection.cursor() as cursor:  # undo, to measure the same check's memory
        cursor.execute("DELETE FROM accounts_notification")
        for table in ("moderation_item", "complaints_case"):
            cursor.execute(
                f"UPDATE {table} SET warned_at = NULL, breached_at = NULL "
                "WHERE warned_at IS NOT NULL"
            )
    return {
        "transitions": transitions,
        "ms": round(ms, 1),
        "queries": queries,
        "peak_kib": _peak_kib(deadlines_check),
        "notifications": notifications,
    }


def _timed(function):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = function()
        ms = (time.perf_counter() - started) * 1000
    return result, ms, len(captured.captured_queries)


def _peak_kib(function) -> int:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak // 1024


if __name__ == "__main__":
    main()
