"""Appending to a chain: the ledger's only writer.

Invariants:
- called inside the transaction that writes the recorded rows (``AppendOnlyModel.save`` and
  ``AppendOnlyQuerySet.bulk_create`` do it), so a row never exists without its entry nor an
  entry without its row;
- every append first updates its institution's ``LedgerHead`` row, which locks it until the
  transaction ends: a second worker waits for the first to commit, then reads the new head
  (PostgreSQL re-reads a row it waited for), so ``seq`` has no gaps and no two entries share a
  ``prev_hash``. Several institutions are taken in id order (no deadlock);
- ``recorded_at`` never goes back along a chain (clocks of several hosts may differ slightly),
  so the entries of a local day are one run of ``seq`` and a day's digest is well defined.

Cost: one row on PostgreSQL is **one statement** (``_APPEND``: the head's UPDATE, which also
computes the new hash with PostgreSQL's ``sha256``, and the entry's INSERT in one CTE; the
definition is the same as ``canonical.link_hash``, and the verifier recomputes it in Python).
More than ``ONE_BY_ONE`` rows, or another database (the SQLite demo), take the head ``FOR
UPDATE``, insert the entries in one INSERT and update the head: three statements per
institution. The first append
of an institution also inserts its head.

A caller that writes the recorded rows in one statement of its own (a platform action's outcome
and its results, ``moderation.services.action_attempts``) adds ``ledger_insert_ctes``: the
rows' INSERT and their entries as CTEs of that statement, the content hashes computed by
PostgreSQL from the canonical document around the row's id (``document_around_id``), the head
upserted (created on an institution's first entry) so that the statement never leaves a row
without its entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connections, models
from django.utils import timezone

from govsocial.ledger.canonical import (
    GENESIS,
    document_bytes,
    link_hash,
    new_salt,
    sha256_hex,
)
from govsocial.ledger.models import LedgerEntry, LedgerHead
from govsocial.ledger.registry import Recorded, recorded_model

_APPEND = """
WITH head AS (
    UPDATE govsocial_ledgerhead
    SET seq = seq + 1,
        prev_hash = head_hash,
        head_hash = encode(sha256(convert_to(head_hash || %(content_hash)s, 'UTF8')), 'hex'),
        recorded_at = GREATEST(recorded_at, %(now)s)
    WHERE institution_id = %(institution_id)s
    RETURNING seq, prev_hash, head_hash, recorded_at
)
INSERT INTO govsocial_ledgerentry (
    institution_id, seq, kind, object_id, recorded_at, salt, content_hash, prev_hash, entry_hash
)
SELECT %(institution_id)s, seq, %(kind)s, %(object_id)s, recorded_at, %(salt)s,
       %(content_hash)s, prev_hash, head_hash
FROM head
RETURNING id, seq, recorded_at, prev_hash, entry_hash
"""


ONE_BY_ONE = 3
"""Up to this many rows, one statement each is cheaper than the locked path's three."""


def _vendor(row: models.Model) -> str:
    return connections[row._state.db or "default"].vendor


def ledger_append(row: models.Model) -> LedgerEntry:
    """Record ``row`` (of a registered model, already saved) at the end of its chain."""
    if _vendor(row) != "postgresql":
        return _append(row.institution_id, [row])[0]  # type: ignore[attr-defined]
    entry = _entry(*next(iter(_recorded([row]))))
    fields: dict[str, int | str | datetime] = {
        "institution_id": entry.institution_id,
        "kind": entry.kind,
        "object_id": entry.object_id,
        "salt": entry.salt,
        "content_hash": entry.content_hash,
        "now": timezone.now(),
    }
    with connections[row._state.db or "default"].cursor() as cursor:
        cursor.execute(_APPEND, fields)
        returned = cursor.fetchone()
        if returned is None:  # the institution's first entry: its head does not exist yet
            _create_head(entry.institution_id)
            cursor.execute(_APPEND, fields)
            returned = cursor.fetchone()
    entry.pk, entry.seq, entry.recorded_at, entry.prev_hash, entry.entry_hash = returned
    return entry


def ledger_append_many(rows: Sequence[models.Model]) -> list[LedgerEntry]:
    """Record ``rows`` in their order, each at the end of its institution's chain."""
    if len(rows) <= ONE_BY_ONE and rows and _vendor(rows[0]) == "postgresql":
        return [ledger_append(row) for row in rows]
    by_institution: dict[int, list[models.Model]] = {}
    for row in rows:
        by_institution.setdefault(row.institution_id, []).append(row)  # type: ignore[attr-defined]
    entries: list[LedgerEntry] = []
    for institution_id in sorted(by_institution):
        entries.extend(_append(institution_id, by_institution[institution_id]))
    return entries


def _append(institution_id: int, rows: list[models.Model]) -> list[LedgerEntry]:
    head = _locked_head(institution_id)
    now = timezone.now()
    at = max(now, head.recorded_at) if head.recorded_at else now
    entries = list(chain_entries(head, _recorded(rows), at))
    LedgerEntry.objects.bulk_create(entries)
    LedgerHead.objects.filter(pk=head.pk).update(
        seq=head.seq, head_hash=head.head_hash, prev_hash=head.prev_hash, recorded_at=at
    )
    return entries


def _recorded(rows: Iterable[models.Model]) -> Iterable[tuple[Recorded, models.Model]]:
    for row in rows:
        recorded = recorded_model(type(row))
        if recorded is None:
            raise TypeError(f"{type(row).__name__} is not recorded in the ledger.")
        yield recorded, row


def _entry(recorded: Recorded, row: models.Model) -> LedgerEntry:
    """The entry of ``row`` with its content hash; its place in the chain still to set."""
    salt = new_salt()
    object_id = str(row.pk)
    document = document_bytes(
        kind=recorded.kind, object_id=object_id, salt=salt, record=recorded.record(row)
    )
    return LedgerEntry(
        institution_id=row.institution_id,  # type: ignore[attr-defined]
        kind=recorded.kind,
        object_id=object_id,
        salt=salt,
        content_hash=sha256_hex(document),
    )


def chain_entries(
    head: LedgerHead,
    rows: Iterable[tuple[Recorded, models.Model]],
    at: datetime,
    entry_model: type[LedgerEntry] = LedgerEntry,
) -> Iterable[LedgerEntry]:
    """The entries of ``rows`` after ``head``, advancing ``head`` (in memory) as they go.
    ``entry_model`` is the migration's historical model when a data migration backfills."""
    for recorded, row in rows:
        entry = _entry(recorded, row)
        head.seq += 1
        head.prev_hash = head.head_hash
        head.head_hash = link_hash(head.prev_hash, entry.content_hash)
        yield entry_model(
            institution_id=head.institution_id,
            seq=head.seq,
            kind=entry.kind,
            object_id=entry.object_id,
            recorded_at=at,
            salt=entry.salt,
            content_hash=entry.content_hash,
            prev_hash=head.prev_hash,
            entry_hash=head.head_hash,
        )


def _locked_head(institution_id: int) -> LedgerHead:
    locked = LedgerHead.objects.select_for_update().filter(institution_id=institution_id)
    head = locked.first()
    if head is None:
        _create_head(institution_id)
        head = locked.get()
    return head


def _create_head(institution_id: int) -> None:
    """Two workers may create an institution's head at once: the unique institution makes one
    INSERT a no-op, and both then queue on the row's lock."""
    LedgerHead.objects.bulk_create(
        [LedgerHead(institution_id=institution_id)], ignore_conflicts=True
    )


# --- rows and their entries inside a caller's statement (PostgreSQL) -------------------------


def document_around_id(recorded: Recorded, row: models.Model, salt: str) -> tuple[str, str]:
    """The text of ``row``'s canonical document before and after its id: for a numeric id,
    ``before + str(id) + after`` is ``document_bytes(...)`` exactly ("id" is the first key of
    the sorted document and a number's digits need no escaping), so PostgreSQL can hash the
    document of a row whose id it allocates in the same statement."""
    probe = document_bytes(
        kind=recorded.kind, object_id="0", salt=salt, record=recorded.record(row)
    ).decode("ascii")
    before = '{"id":"'
    if not probe.startswith(before + '0"'):
        raise ValueError("The canonical document no longer starts with the row's id.")
    return before, probe[len(before) + 1 :]


def _link_sql(prev: str, content: str) -> str:
    """``canonical.link_hash`` in SQL (both operands are ASCII hex digests)."""
    return f"encode(sha256(convert_to({prev} || {content}, 'UTF8')), 'hex')"


def _chain_sql(start: str, contents: Sequence[str]) -> list[str]:
    """The entry hashes after ``start`` for ``contents``, as SQL expressions."""
    links = []
    for content in contents:
        start = _link_sql(start, content)
        links.append(start)
    return links


def ledger_insert_ctes(rows: Sequence[models.Model], *, when: str) -> tuple[str, list[Any]]:
    """CTEs, for the caller's ``WITH`` list on PostgreSQL, that insert ``rows`` (new rows of one
    recorded model and one institution) and append their entries to the chain in the caller's
    statement, if the caller's CTE ``when`` returned a row; and their parameters (``%s``).

    One statement is one transaction: a row never exists without its entry. The ids come from
    the table's sequence (``nextval``, in the statement), the content hashes from
    ``document_around_id`` (the salt and the record computed here, the id in SQL), and the head
    is upserted: created on the institution's first entry, else updated, which locks it as
    ``ledger_append`` does (a concurrent append waits, then chains after the one it waited
    for). The head's ``prev_hash`` becomes the head before these entries. The rows' ``pk`` is
    not set: the caller does not need it."""
    model = type(rows[0])
    recorded = recorded_model(model)
    if recorded is None:
        raise TypeError(f"{model.__name__} is not recorded in the ledger.")
    institution_ids = {row.institution_id for row in rows}  # type: ignore[attr-defined]
    if len(institution_ids) != 1 or any(type(row) is not model for row in rows):
        raise ValueError("The rows must be of one model and one institution.")
    institution_id = institution_ids.pop()
    connection = connections[rows[0]._state.db or "default"]
    fields = _insert_fields(model)
    documents: list[Any] = []
    values: list[Any] = []
    entries: list[Any] = []
    for row in rows:
        values += [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]
        salt = new_salt()
        documents += document_around_id(recorded, row, salt)
        entries += [institution_id, recorded.kind, salt]
    params = [*documents, institution_id, timezone.now(), *values, *entries]
    return _insert_ctes_sql(model, len(rows), when), params


def _insert_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _pk_column(model: type[models.Model]) -> str:
    pk = model._meta.pk
    assert pk is not None  # noqa: S101 (every concrete model has one)
    return str(pk.column)


@cache
def _insert_ctes_sql(model: type[models.Model], n: int, when: str) -> str:
    """The CTEs of ``ledger_insert_ctes`` for ``n`` rows of ``model``. Parameters: each row's
    document before and after its id; the institution and the time; each row's column values;
    each entry's institution, kind and salt."""
    connection = connections["default"]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    head, entry = LedgerHead._meta.db_table, LedgerEntry._meta.db_table
    ks = range(1, n + 1)
    sequence = f"pg_get_serial_sequence('{model._meta.db_table}', '{_pk_column(model)}')"
    ids = ", ".join(f"nextval({sequence}) AS id_{k}" for k in ks)
    contents = ", ".join(
        f"encode(sha256(convert_to(%s || id_{k}::text || %s, 'UTF8')), 'hex') AS content_{k}"
        for k in ks
    )
    new_chain = _chain_sql(f"'{GENESIS}'", [f"ledger_content.content_{k}" for k in ks])
    old_chain = _chain_sql(
        f"{head}.head_hash",
        [f"(SELECT content_{k} FROM ledger_content)" for k in ks],  # noqa: S608
    )
    returned_chain = _chain_sql("ledger_head.prev_hash", [f"c.content_{k}" for k in ks])
    fields = _insert_fields(model)
    names = ", ".join(quote(str(f.column)) for f in fields)
    casts = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
    rows = " UNION ALL ".join(
        f"SELECT ledger_content.id_{k}, {casts} FROM ledger_content"  # noqa: S608
        for k in ks
    )
    entries = " UNION ALL ".join(
        f"SELECT CAST(%s AS bigint), ledger_head.seq - {n - k}, CAST(%s AS varchar), "  # noqa: S608
        f"c.id_{k}::text, ledger_head.recorded_at, CAST(%s AS varchar), c.content_{k}, "
        f"{'ledger_head.prev_hash' if k == 1 else returned_chain[k - 2]}, "
        f"{'ledger_head.head_hash' if k == n else returned_chain[k - 1]} "
        "FROM ledger_head, ledger_content AS c"
        for k in ks
    )
    return f"""
        ledger_ids AS MATERIALIZED (
            SELECT {ids} WHERE EXISTS (SELECT 1 FROM {when})
        ),
        ledger_content AS MATERIALIZED (SELECT ledger_ids.*, {contents} FROM ledger_ids),
        ledger_head AS (
            INSERT INTO {head} (institution_id, seq, prev_hash, head_hash, recorded_at)
            SELECT %s, {n}, '{GENESIS}', {new_chain[-1]}, %s FROM ledger_content
            ON CONFLICT (institution_id) DO UPDATE SET
                seq = {head}.seq + EXCLUDED.seq,
                prev_hash = {head}.head_hash,
                head_hash = {old_chain[-1]},
                recorded_at = GREATEST({head}.recorded_at, EXCLUDED.recorded_at)
            RETURNING seq, prev_hash, head_hash, recorded_at
        ),
        ledger_rows AS (
            INSERT INTO {table} ({quote(_pk_column(model))}, {names}) {rows} RETURNING 1
        ),
        ledger_entries AS (
            INSERT INTO {entry} (
                institution_id, seq, kind, object_id, recorded_at, salt, content_hash,
                prev_hash, entry_hash
            )
            {entries}
            RETURNING 1
        )
    """  # noqa: S608 (tables and columns from the models, values as parameters)
