"""Reports benchmark: the dashboard, a monthly report and the transparency page with 1,000,000
items and 100,000 complaints.

Run: ``python bench/reports.py [--n 1000000] [--cases 100000]`` (``make bench`` runs every
bench). A database of its own on the PostgreSQL of ``DATABASE_URL``, dropped at the end. Five
institutions with four channels and published house rules each; items spread over the last 13
months (one in six still open, the others answered, without action, hidden or removed under a
house rule, each with its decision); complaints over the same 13 months (most answered); then
``ANALYZE``. Pages are requested in-process through Django's test client as a signed-in
communicator and complaint officer (with TOTP enrolled: complaint officers must use MFA): the
dashboard 20 times, last month's report and the transparency page 10 times each (the page's
cache emptied before each request; then 10 times cached), after warm-up. Reported: median
server time and SQL queries. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from pathlib import Path

# bench/ holds a ``queue.py``: the folder goes to the end of the path so that ``import queue``
# finds the standard library's, and ``_benchdb`` is still found.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.append(str(HERE))

from _benchdb import django_bench_database  # noqa: E402

DAYS = 395


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000, help="items")
    parser.add_argument("--cases", type=int, default=100_000, help="complaints")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with django_bench_database("reports"):
        client = _setup()
        _insert(args.n, args.cases)
        dashboard = _measure(client, "/i/bench-0/dashboard/", 20)
        monthly = _measure(client, "/i/bench-0/reports/", 10)
        public = _measure(client, "/transparency/bench-0/", 10, before=_forget_public_figures)
        public_cached = _measure(client, "/transparency/bench-0/", 10)
    print(
        json.dumps(
            {
                "bench": "reports",
                "n": args.n,
                "cases": args.cases,
                "dashboard_median_ms": dashboard["median_ms"],
                "dashboard_queries": dashboard["queries"],
                "monthly_median_ms": monthly["median_ms"],
                "monthly_queries": monthly["queries"],
                "transparency_median_ms": public["median_ms"],
                "transparency_queries": public["queries"],
                "transparency_cached_median_ms": public_cached["median_ms"],
            }
        )
    )


def _setup():  # type: ignore[no-untyped-def]
    from allauth.mfa.totp.internal.auth import TOTP
    from django.test import Client

    from accounts.demo import DEMO_TOTP_SECRET
    from accounts.models import Institution, Membership, Role, User
    from channels.models import Channel
    from charter.services import (
        RuleInput,
        TextInput,
        charter_create,
        draft_save,
        draft_start,
        version_publish,
    )

    admin = User.objects.create_user(email="admin@bench.test", password=None)
    for number in range(5):
        institution = Institution.objects.create(
            slug=f"bench-{number}", name_en=f"Bench {number}", name_fr="B", name_nl="B"
        )
        for role in (Role.COMMUNICATOR, Role.COMPLAINT_OFFICER):
            Membership.objects.create(institution=institution, user=admin, role=role)
        for platform in ("facebook", "x", "youtube", "instagram"):
            Channel.objects.create(
                institution=institution, platform=platform, name=f"{platform} {number}",
                languages=["fr", "nl"], response_hours=24, crisis_response_hours=1,
            )  # fmt: skip
        charter = charter_create(institution=institution, actor=admin, audience="public",
                                 slug="house-rules", title="House rules",
                                 house_rules=True)  # fmt: skip
        draft = draft_start(charter=charter, actor=admin)
        draft_save(
            version=draft, actor=admin,
            texts=[TextInput("en", "House rules", "Be kind.")],
            rules=[RuleInput(n, texts={"en": (f"Rule {n}", f"Text {n}.")}) for n in (1, 2, 3)],
        )  # fmt: skip
        version_publish(version=draft, actor=admin, change_summary="First.")
    TOTP.activate(admin, DEMO_TOTP_SECRET)  # complaint officers must use MFA
    client = Client()
    client.force_login(admin)
    return client


def _insert(items: int, cases: int) -> None:
    from django.db import connection

    from complaints.models import Category

    category = Category.objects.filter(institution__isnull=True).first()
    minutes = DAYS * 24 * 60
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO moderation_item (
                institution_id, channel_id, external_id, kind, author_name, author_handle,
                author_url, text, language, permalink, parent_external_id, posted_at,
                received_at, due_at, warn_at, status, keyword_hits, priority, raw_payload,
                first_response_at, sla_answered_at)
            SELECT c.institution_id, c.id, 'b-' || g,
                   (ARRAY['comment','reply','mention'])[1 + g %% 3],
                   'Author', '', '', 'Bench message', (ARRAY['fr','nl','en'])[1 + g %% 3], '', '',
                   now() - (g %% {minutes}) * interval '1 minute',
                   now() - (g %% {minutes}) * interval '1 minute',
                   now() - (g %% {minutes}) * interval '1 minute' + interval '24 hours',
                   now() - (g %% {minutes}) * interval '1 minute' + interval '18 hours',
                   s.status, '[]'::jsonb, 0, '{{}}'::jsonb,
                   CASE WHEN s.status = 'open' THEN NULL
                        ELSE now() - (g %% {minutes}) * interval '1 minute'
                             + (g %% 1700) * interval '1 minute' END,
                   CASE WHEN s.status = 'open' THEN NULL
                        ELSE now() - (g %% {minutes}) * interval '1 minute'
                             + (g %% 1700) * interval '1 minute' END
            FROM generate_series(1, %s) AS g
            CROSS JOIN LATERAL (SELECT (ARRAY['open','answered','no_action','hidden','removed',
                                              'answered'])[1 + g %% 6] AS status) s
            JOIN LATERAL (
                SELECT id, institution_id FROM channels_channel
                ORDER BY id OFFSET (g %% 20) LIMIT 1
            ) c ON true
            """,
            [items],
        )
        cursor.execute(
            """
            INSERT INTO moderation_decision (
                institution_id, item_id, actor_id, action, created_at, note, reasons, reply_text,
                advice, referral_target, referral_person, rule_id)
            SELECT i.institution_id, i.id, NULL,
                   CASE i.status WHEN 'answered' THEN 'reply' WHEN 'no_action' THEN 'no_action'
                                 WHEN 'hidden' THEN 'hide' ELSE 'remove' END,
                   i.first_response_at, '', 'Against the house rules', '', '[]'::jsonb, '', '',
                   CASE WHEN i.status IN ('hidden', 'removed') THEN (
                       SELECT r.id FROM charter_charterrule r
                       WHERE r.institution_id = i.institution_id AND r.number = 1 + i.id %% 3)
                   END
            FROM moderation_item i WHERE i.status <> 'open'
            """,
            [],
        )
        cursor.execute(
            f"""
            INSERT INTO complaints_case (
                institution_id, reference, source, category_id, subject, description, language,
                received_at, due_at, warn_at, status, outcome, created_at, answered_at)
            SELECT i.id, 'B-' || g, 'email', %s, 'Bench complaint', 'Text', 'fr',
                   now() - (g %% {DAYS}) * interval '1 day',
                   now() - (g %% {DAYS}) * interval '1 day' + interval '30 days',
                   now() - (g %% {DAYS}) * interval '1 day' + interval '22 days 12 hours',
                   CASE WHEN g %% 10 < 7 AND g %% {DAYS} > 40 THEN 'closed' ELSE 'in_progress' END,
                   CASE WHEN g %% 10 < 7 AND g %% {DAYS} > 40 THEN 'founded' ELSE '' END,
                   now(),
                   CASE WHEN g %% 10 < 7 AND g %% {DAYS} > 40
                        THEN now() - (g %% {DAYS}) * interval '1 day' + (g %% 40) * interval '1 day'
                   END
            FROM generate_series(1, %s) AS g
            JOIN LATERAL (
                SELECT id FROM accounts_institution ORDER BY id OFFSET (g %% 5) LIMIT 1
            ) i ON true
            """,
            [category.pk, cases],
        )
        for table in ("moderation_item", "moderation_decision", "complaints_case"):
            cursor.execute(f"ANALYZE {table}")


def _forget_public_figures() -> None:
    """The transparency page caches its figures: measure the work, not the cache."""
    from django.core.cache import cache

    from accounts.models import Institution

    institution = Institution.objects.get(slug="bench-0")
    for language in ("en", "fr", "nl"):
        cache.delete(f"transparency:{institution.pk}:{language}")


def _measure(client, url: str, runs: int, before=None) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        _check(client.get(url), url)
    timings, queries = [], 0
    for _ in range(runs):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        _check(response, url)
        queries = len(captured.captured_queries)
    return {"median_ms": round(statistics.median(timings), 1), "queries": queries}


def _check(response, url: str) -> None:  # type: ignore[no-untyped-def]
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}.")


if __name__ == "__main__":
    main()
