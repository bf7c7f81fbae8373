"""Chaining the rows written before the ledger existed (for the recording apps' migrations).

An app's data migration calls ``ledger_backfill(apps, ["moderation.decision", ...])`` with the
kinds it registers: their rows without an entry are appended to their institutions' chains in
the order they were written (``time_field``, then id; kinds interleaved by time), streamed with
server-side cursors and inserted in batches, so a million rows do not sit in memory. The
entries' ``recorded_at`` is the migration's time: that is when they entered the ledger.

The migration runs with the historical models of the migration state; the records are read
with the registered field lists, which only use column values.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone

from govsocial.ledger.append import chain_entries
from govsocial.ledger.registry import Recorded, recorded_kind

BATCH = 2000


def ledger_backfill(apps: Any, kinds: list[str]) -> int:
    """Append every unrecorded row of ``kinds``; returns how many were chained."""
    entry_model = apps.get_model("govsocial", "LedgerEntry")
    head_model = apps.get_model("govsocial", "LedgerHead")
    heads = {head.institution_id: head for head in head_model.objects.all()}
    now = timezone.now()
    batch: list[Any] = []
    count = 0
    for recorded, row in heapq.merge(*(_rows(apps, entry_model, kind) for kind in kinds)):
        head = heads.get(row.institution_id)
        if head is None:
            head = heads[row.institution_id] = head_model(institution_id=row.institution_id)
        batch.extend(chain_entries(head, [(recorded, row)], now, entry_model))
        if len(batch) >= BATCH:
            count += len(entry_model.objects.bulk_create(batch))
            batch = []
    count += len(entry_model.objects.bulk_create(batch))
    for head in heads.values():
        if head.seq:
            head.recorded_at = now
            head.save()
    return count


class _Row:
    """Orders rows of several kinds by the time they were written."""

    def __init__(self, recorded: Recorded, row: Any) -> None:
        self.recorded = recorded
        self.row = row
        self.key = (getattr(row, recorded.time_field), row.pk)

    def __lt__(self, other: _Row) -> bool:
        return self.key < other.key

    def __iter__(self) -> Iterator[Any]:
        return iter((self.recorded, self.row))


def _rows(apps: Any, entry_model: Any, kind: str) -> Iterator[_Row]:
    recorded = recorded_kind(kind)
    if recorded is None:
        raise LookupError(f"No application records the ledger kind {kind!r}.")
    opts = recorded.model._meta
    model = apps.get_model(opts.app_label, opts.model_name)
    entry = entry_model.objects.filter(kind=kind, object_id=Cast(OuterRef("pk"), CharField()))
    rows = model.objects.filter(~Exists(entry)).order_by(recorded.time_field, "pk")
    for row in rows.iterator(chunk_size=BATCH):
        yield _Row(recorded, row)
