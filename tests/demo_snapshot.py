"""The demo data seeded once per test process and put back in a second for each test that needs it.

``seed_demo`` takes some 20 s; a browser tour needs the demo as freshly seeded, and the live server
it drives is transactional (the database is emptied after every test). So each pytest process
(each xdist worker, each with its own database) seeds once, copies every table out with
PostgreSQL's ``COPY`` into memory, with the sequences and the uploaded files, and puts the
database back as it was. A test then gets the demo back by truncating every table and copying the
rows in again (well under a second): each test sees the demo as seeded, whatever the tests before
it changed.

Foreign keys and the append-only triggers (a published charter version's texts refuse inserts,
for example) are triggers in PostgreSQL: the copy runs with ``session_replication_role =
replica``, which skips them while rows that were valid together go back together.

The demo's clock is the seeding time: its items were received some minutes "ago" from then, and
a test that comes later sees them that much older, as a tour of the old way did (the page walker
seeded once, then walked for several minutes). A snapshot older than ``MAX_AGE`` is seeded again:
a whole ``make test`` stays well within it on a quiet machine; a slow run on a loaded one pays a
seed (20 s, several minutes under load) each time it passes.
"""

from __future__ import annotations

import io
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

MAX_AGE = 30 * 60.0
"""Seconds after which the snapshot is seeded again (see the module's docstring)."""

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
"""The tests' hasher (conftest's ``_test_settings``): the demo passwords must verify with it."""


@dataclass
class Snapshot:
    """Every table's rows (PostgreSQL text COPY format, with the columns they fill, named: a
    migration test that drops and adds a column back may change their order) and every
    sequence's position."""

    tables: dict[str, tuple[str, bytes]]
    sequences: dict[str, tuple[int, bool]]
    media: Path | None = None
    taken_at: float = field(default_factory=time.monotonic)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def take(media: Path | None = None) -> Snapshot:
    """The database as it is now (in autocommit or inside a test's transaction)."""
    tables: dict[str, tuple[str, bytes]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            description = connection.introspection.get_table_description(cursor, table)
            columns = ", ".join(_quote(column.name) for column in description)
            buffer = io.BytesIO()
            cursor.copy_expert(f"COPY {_quote(table)} ({columns}) TO STDOUT", buffer)
            if buffer.tell():
                tables[table] = (columns, buffer.getvalue())
        cursor.execute(
            "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences "
            "WHERE schemaname = current_schema()"
        )
        sequences: dict[str, tuple[int, bool]] = {}
        for (sequence,) in cursor.fetchall():
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 (catalogue names)
            sequences[sequence] = cursor.fetchone()
    return Snapshot(tables, sequences, media)


def restore(snapshot: Snapshot, media_root: Path | str | None = None) -> None:
    """Every table emptied then filled from ``snapshot``, its sequences where they were, and its
    uploaded files copied under ``media_root``. Inside a test transaction, a rollback undoes it."""
    with transaction.atomic(), connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {', '.join(_quote(name) for name in names)}")
        for table, (columns, rows) in snapshot.tables.items():
            cursor.copy_expert(f"COPY {_quote(table)} ({columns}) FROM STDIN", io.BytesIO(rows))
        for sequence, (value, called) in snapshot.sequences.items():
            cursor.execute("SELECT setval(%s, %s, %s)", [sequence, value, called])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    # The rows' ids may differ from those cached in this process (a flush recreates them).
    ContentType.objects.clear_cache()
    if snapshot.media is not None and media_root is not None:
        shutil.copytree(snapshot.media, media_root, dirs_exist_ok=True)


def seeded(media: Path, baseline: Snapshot) -> Snapshot:
    """Run ``seed_demo`` on ``baseline`` (the database without the demo), snapshot the result,
    then put the database back as it was (the tests after it in this process see no demo rows)."""
    before = take()
    restore(baseline)
    with override_settings(PASSWORD_HASHERS=FAST_HASHER, MEDIA_ROOT=media):
        call_command("seed_demo", stdout=io.StringIO())
    demo = take(media)
    restore(before)
    return demo


class DemoSeed:
    """This process's snapshot of the demo, seeded on first use and again when ``MAX_AGE`` old."""

    def __init__(self, blocker: DjangoDbBlocker, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._blocker = blocker
        self._tmp_path_factory = tmp_path_factory
        with blocker.unblock():
            self._baseline = take()
        self._snapshot: Snapshot | None = None

    def current(self) -> Snapshot:
        if self._snapshot is None or time.monotonic() - self._snapshot.taken_at > MAX_AGE:
            with self._blocker.unblock():
                media = self._tmp_path_factory.mktemp("demo-media")
                self._snapshot = seeded(media, self._baseline)
        return self._snapshot
