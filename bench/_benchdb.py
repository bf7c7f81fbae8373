"""Shared by the benchmarks: a database of their own on the PostgreSQL of DATABASE_URL."""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def database_url(url: str, suffix: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def database_url_at(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def recreate_database(base_url: str, bench_url: str) -> None:
    name = urlsplit(bench_url).path.lstrip("/")
    _admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def database_exists(base_url: str, bench_url: str) -> bool:
    import psycopg2

    name = urlsplit(bench_url).path.lstrip("/")
    connection = psycopg2.connect(database_url_at(base_url, "postgres"))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def drop_database(base_url: str, bench_url: str) -> None:
    from django.db import connections

    connections.close_all()
    name = urlsplit(bench_url).path.lstrip("/")
    _admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(base_url: str, *statements: str) -> None:
    """Statements that PostgreSQL refuses inside a transaction, on the maintenance database."""
    import psycopg2

    connection = psycopg2.connect(database_url_at(base_url, "postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


@contextmanager
def django_bench_database(name: str) -> Iterator[None]:
    """A database of the bench's own (``<database>_bench_<name>`` on the PostgreSQL server of
    ``DATABASE_URL``), Django set up and migrated on it, dropped afterwards (also on errors)."""
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/govsocial")
    bench_url = database_url(base_url, f"_bench_{name}")
    recreate_database(base_url, bench_url)
    os.environ.update({"DATABASE_URL": bench_url, "DEBUG": "0", "HTTPS": "0"})
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789abcdefghij")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("SITE_URL", "http://localhost")  # required when DEBUG is off
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsocial.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # No collectstatic for benches: pages reference static files without the manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        call_command("migrate", verbosity=0)
        yield
    finally:
        drop_database(base_url, bench_url)


# --- items --------------------------------------------------------------------------------------

ITEMS_SQL = """
WITH channels AS (
    SELECT array_agg(c.id ORDER BY c.id) AS ids FROM channels_channel c
), rows AS (
    SELECT g, channels.ids[1 + g %% cardinality(channels.ids)] AS channel_id,
           cardinality(channels.ids) AS channel_count,
           (hashint8extended(g, 1) & 9223372036854775807) %% 600 AS status_draw,
           (hashint8extended(g, 2) & 9223372036854775807) %% 100 AS language_draw,
           (hashint8extended(g, 3) & 9223372036854775807) %% 1000 AS assign_draw,
           (hashint8extended(g, 4) & 9223372036854775807) %% 1000 AS thread_draw,
           (hashint8extended(g, 5) & 9223372036854775807) %% 1000 AS priority_draw
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g, channels
), threaded AS (
    -- a quarter are replies to an item of the same channel received a little earlier
    SELECT rows.*, g - channel_count * (1 + thread_draw %% 40) AS parent_g,
           thread_draw < 250 AND g - channel_count * (1 + thread_draw %% 40) >= %(first_ever)s
               AS is_reply
    FROM rows
), moderators AS (
    SELECT institution_id, array_agg(user_id ORDER BY user_id) AS ids
    FROM accounts_membership WHERE role IN ('communicator', 'spokesperson')
    GROUP BY institution_id
)
INSERT INTO moderation_item (
    institution_id, channel_id, external_id, kind, author_name, author_handle, author_url, text,
    language, permalink, parent_external_id, posted_at, received_at, due_at, warn_at, status,
    keyword_hits, priority, text_updated_at, raw_payload, assigned_to_id, removal_pending)
SELECT c.institution_id, c.id, 'b-' || r.g,
       CASE WHEN r.is_reply THEN 'reply' ELSE 'comment' END,
       'Author ' || (r.g %% 997), '', '',
       'Bench message number ' || r.g || ' · canary-' || i.slug,
       CASE WHEN r.language_draw < 45 THEN 'fr' WHEN r.language_draw < 85 THEN 'nl'
            WHEN r.language_draw < 97 THEN 'en' ELSE 'de' END,
       '',
       CASE WHEN r.is_reply THEN 'b-' || r.parent_g ELSE '' END,
       now() - (r.g %% 100000) * interval '1 minute' - interval '30 seconds',
       now() - (r.g %% 100000) * interval '1 minute',
       now() - (r.g %% 100000) * interval '1 minute' + interval '24 hours',
       now() - (r.g %% 100000) * interval '1 minute' + interval '18 hours',
       CASE WHEN r.status_draw < 100 THEN 'open' WHEN r.status_draw < 370 THEN 'answered'
            WHEN r.status_draw < 520 THEN 'no_action' WHEN r.status_draw < 574 THEN 'hidden'
            ELSE 'removed' END,
       CASE WHEN r.priority_draw < 5 THEN '[{"term": "bomb", "urgent": true}]'::jsonb
            WHEN r.priority_draw < 35 THEN '[{"term": "complaint", "urgent": false}]'::jsonb
            ELSE '[]'::jsonb END,
       CASE WHEN r.priority_draw < 5 THEN 2 WHEN r.priority_draw < 35 THEN 1 ELSE 0 END,
       now(), '{}'::jsonb,
       -- 40 %% are assigned to one of the institution's moderators (when it has any)
       CASE WHEN r.assign_draw < 400
            THEN m.ids[1 + r.assign_draw %% greatest(cardinality(m.ids), 1)] END,
       FALSE  -- removal_pending: NOT NULL, its default is Django's, not the database's
FROM threaded r
JOIN channels_channel c ON c.id = r.channel_id
JOIN accounts_institution i ON i.id = c.institution_id
LEFT JOIN moderators m ON m.institution_id = c.institution_id
"""


def insert_items(count: int) -> None:
    """``count`` more items over every channel of the database, in one statement, then ANALYZE.

    Spread like a real queue within *every* channel (each field drawn from its own hash of the
    item number, independent of the channel): one in six open, the rest answered, without
    action, hidden or removed; French, Dutch, English and some German; 40 % assigned to a
    moderator of the institution; a quarter replies to an earlier item of the same channel;
    3.5 % with watched terms (0.5 % urgent). Received one a minute over about 69 days, due 24
    hours later. Each text names its institution (``canary-<slug>``) so that a page showing
    another institution's item can be detected (bench/browse.py).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM moderation_item")
        (start,) = cursor.fetchone()
        cursor.execute(  # the first bench item: replies point to bench items only
            "SELECT COALESCE(MIN(substr(external_id, 3)::bigint), %s) FROM moderation_item "
            "WHERE external_id ~ '^b-[0-9]+$'",
            [start + 1],
        )
        (first_ever,) = cursor.fetchone()
        bounds = {"first": start + 1, "last": start + count, "first_ever": first_ever}
        cursor.execute(ITEMS_SQL, bounds)
        cursor.execute("ANALYZE moderation_item")


def free_port() -> int:
    """A TCP port nobody listens on now, for the benchmark's own gunicorn."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30) -> None:
    """Until gunicorn accepts connections on ``port``; stops the benchmark after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start.")
