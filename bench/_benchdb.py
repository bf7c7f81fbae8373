"""Shared by the benchmarks: a database of their own on the PostgreSQL of DATABASE_URL."""

from __future__ import annotations

import os
import sys
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
