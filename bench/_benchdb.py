"""Shared by the benchmarks: a database of their own on the PostgreSQL of DATABASE_URL."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


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
