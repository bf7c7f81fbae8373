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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connections, models
from django.utils import timezone

from govsocial.ledger.canonical import document_bytes, link_hash, new_salt, sha256_hex
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
