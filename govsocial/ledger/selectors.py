"""Reads for pages: a record's entry and its day's digest, and the published lists.

Everything ``published_*`` returns is public (the transparency page and its JSON): hashes,
sequence numbers, dates and counts, never a record's kind, id, salt or content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone

from govsocial.ledger.canonical import GENESIS, document_bytes
from govsocial.ledger.models import LedgerDigest, LedgerEntry
from govsocial.ledger.registry import recorded_model

ALGORITHM = "sha256"


def entry_for(row: models.Model) -> LedgerEntry | None:
    """The entry recording ``row`` (None for a model the ledger does not record)."""
    recorded = recorded_model(type(row))
    if recorded is None:
        return None
    return LedgerEntry.objects.filter(kind=recorded.kind, object_id=str(row.pk)).first()


def digest_for(institution: Any, day: date) -> LedgerDigest | None:
    """The published digest of ``institution`` for its local ``day`` (None until published)."""
    return LedgerDigest.objects.filter(institution=institution, day=day).first()


@dataclass(frozen=True)
class RecordProof:
    """What a record's page shows so that anyone can check it against the published digest."""

    entry: LedgerEntry
    day: date
    digest: LedgerDigest | None
    document: str
    """The canonical document whose SHA-256 is the entry's content hash (staff only: it holds
    the record itself and the salt)."""


def record_proof(row: models.Model, institution: Any) -> RecordProof | None:
    entry = entry_for(row)
    recorded = recorded_model(type(row))
    if entry is None or recorded is None:
        return None
    day = timezone.localtime(entry.recorded_at, institution.zone).date()
    document = document_bytes(
        kind=entry.kind, object_id=entry.object_id, salt=entry.salt, record=recorded.record(row)
    )
    return RecordProof(entry, day, digest_for(institution, day), document.decode("ascii"))


def published_digests(institution: Any) -> list[dict[str, Any]]:
    digests = LedgerDigest.objects.filter(institution=institution).order_by("-day")
    return [_digest(digest) for digest in digests]


def published_day(institution: Any, day: date) -> dict[str, Any] | None:
    """The digest of ``day`` with the entries recorded that day, or None if not published."""
    digest = digest_for(institution, day)
    if digest is None:
        return None
    first_seq = digest.head_seq - digest.entries + 1
    entries = (
        LedgerEntry.objects.filter(
            institution=institution, seq__gte=first_seq, seq__lte=digest.head_seq
        )
        .order_by("seq")
        .values("seq", "prev_hash", "content_hash", "entry_hash")
    )
    before = (
        LedgerEntry.objects.filter(institution=institution, seq=first_seq - 1)
        .values_list("entry_hash", flat=True)
        .first()
    )
    return {
        "digest": _digest(digest),
        "previous_head_hash": before or GENESIS,
        "entries": list(entries),
    }


def _digest(digest: LedgerDigest) -> dict[str, Any]:
    return {
        "day": digest.day.isoformat(),
        "head_seq": digest.head_seq,
        "head_hash": digest.head_hash,
        "entries": digest.entries,
    }
