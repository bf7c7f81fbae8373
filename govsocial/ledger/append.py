"""Appending to a chain: the ledger's only writer.

Invariants:
- called inside the transaction that writes the recorded rows (``AppendOnlyModel.save`` and
  ``AppendOnlyQuerySet.bulk_create`` do it), so a row never exists without its entry nor an
  entry without its row;
- appends for one institution are serialised by a row lock on its ``LedgerHead``: the second
  worker waits for the first to commit, then reads the new head, so ``seq`` has no gaps and no
  two entries share a ``prev_hash``. Several institutions are locked in id order (no deadlock);
- ``recorded_at`` never goes back along a chain (clocks of several hosts may differ slightly),
  so the entries of a local day are one run of ``seq`` and a day's digest is well defined.

Cost of one append: the head's ``SELECT ... FOR UPDATE``, the entry's INSERT and the head's
UPDATE (plus one INSERT the first time an institution records anything).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import models
from django.utils import timezone

from govsocial.ledger.canonical import document_bytes, link_hash, new_salt, sha256_hex
from govsocial.ledger.models import LedgerEntry, LedgerHead
from govsocial.ledger.registry import Recorded, recorded_model


def ledger_append(row: models.Model) -> LedgerEntry:
    """Record ``row`` (of a registered model, already saved) at the end of its chain."""
    return ledger_append_many([row])[0]


def ledger_append_many(rows: Sequence[models.Model]) -> list[LedgerEntry]:
    """Record ``rows`` in their order, each at the end of its institution's chain."""
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
        seq=head.seq, head_hash=head.head_hash, recorded_at=at
    )
    return entries


def _recorded(rows: Iterable[models.Model]) -> Iterable[tuple[Recorded, models.Model]]:
    for row in rows:
        recorded = recorded_model(type(row))
        if recorded is None:
            raise TypeError(f"{type(row).__name__} is not recorded in the ledger.")
        yield recorded, row


def chain_entries(
    head: LedgerHead,
    rows: Iterable[tuple[Recorded, models.Model]],
    at: datetime,
    entry_model: type[LedgerEntry] = LedgerEntry,
) -> Iterable[LedgerEntry]:
    """The entries of ``rows`` after ``head``, advancing ``head`` (in memory) as they go.
    ``entry_model`` is the migration's historical model when a data migration backfills."""
    for recorded, row in rows:
        salt = new_salt()
        object_id = str(row.pk)
        content = sha256_hex(
            document_bytes(
                kind=recorded.kind, object_id=object_id, salt=salt, record=recorded.record(row)
            )
        )
        entry_hash = link_hash(head.head_hash, content)
        head.seq += 1
        yield entry_model(
            institution_id=head.institution_id,
            seq=head.seq,
            kind=recorded.kind,
            object_id=object_id,
            recorded_at=at,
            salt=salt,
            content_hash=content,
            prev_hash=head.head_hash,
            entry_hash=entry_hash,
        )
        head.head_hash = entry_hash


def _locked_head(institution_id: int) -> LedgerHead:
    locked = LedgerHead.objects.select_for_update().filter(institution_id=institution_id)
    head = locked.first()
    if head is None:
        # The first entry of this institution: two workers may get here at once; the unique
        # institution makes one INSERT a no-op, and both then queue on the row's lock.
        LedgerHead.objects.bulk_create(
            [LedgerHead(institution_id=institution_id)], ignore_conflicts=True
        )
        head = locked.get()
    return head
