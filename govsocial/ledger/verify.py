"""Verifying a chain against the live rows it records (``manage.py verify_ledger``).

The walk reads the chain in ``seq`` order by keyset pages of ``CHUNK`` entries (memory stays
flat at a million entries) and fetches each page's recorded rows in one query per kind. For
every entry it checks, in this order: the sequence has no gap (a deleted entry), the link to
the previous entry, the entry's own hash (a changed entry), that the recorded row still exists,
and that the live row recomputes to the stored content hash (a row changed behind the
application's back). Then the head row, the published digests, and that every registered row of the
institution has an entry (a row inserted behind the application's back). The first problem
found is returned: everything after a broken link is unverifiable anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast

from govsocial.ledger.canonical import GENESIS, document_bytes, link_hash, sha256_hex
from govsocial.ledger.models import LedgerDigest, LedgerEntry, LedgerHead
from govsocial.ledger.registry import recorded_kind, recorded_kinds

CHUNK = 2000


@dataclass(frozen=True)
class Break:
    """The first problem of a chain, named for the person who investigates it."""

    seq: int | None
    kind: str
    object_id: str
    problem: str

    def __str__(self) -> str:
        where = f"entry #{self.seq}" if self.seq is not None else "outside the chain"
        record = f" ({self.kind} {self.object_id})" if self.kind else ""
        return f"{where}{record}: {self.problem}"


@dataclass
class Verified:
    entries: int
    broken: Break | None


def ledger_verify(institution_id: int) -> Verified:
    """Walk the chain of ``institution_id``; ``broken`` is None when all of it verifies."""
    walk = _Walk(institution_id)
    broken = walk.entries() or walk.head() or walk.digests() or _unrecorded(institution_id)
    return Verified(walk.count, broken)


class _Walk:
    def __init__(self, institution_id: int) -> None:
        self.institution_id = institution_id
        self.count = 0
        self.prev_hash = GENESIS
        self.hashes_at: dict[int, str] = {}
        self.digest_seqs = set(
            LedgerDigest.objects.filter(institution_id=institution_id).values_list(
                "head_seq", flat=True
            )
        )

    def entries(self) -> Break | None:
        for page in _pages(self.institution_id):
            rows = _live_rows(page)
            for entry in page:
                broken = self._check(entry, rows.get((entry.kind, entry.object_id)))
                if broken:
                    return broken
                self.count += 1
                self.prev_hash = entry.entry_hash
                if entry.seq in self.digest_seqs:
                    self.hashes_at[entry.seq] = entry.entry_hash
        return None

    def _check(self, entry: LedgerEntry, row: models.Model | None) -> Break | None:
        def broken(problem: str) -> Break:
            return Break(entry.seq, entry.kind, entry.object_id, problem)

        if entry.seq != self.count + 1:
            return broken(f"entry #{self.count + 1} is missing (deleted from the chain)")
        if entry.prev_hash != self.prev_hash:
            return broken("its link to the previous entry differs (prev_hash)")
        if link_hash(entry.prev_hash, entry.content_hash) != entry.entry_hash:
            return broken("the entry itself was changed (entry hash)")
        recorded = recorded_kind(entry.kind)
        if recorded is None:
            return broken("no application records this kind any more")
        if row is None:
            return broken(f"the recorded {recorded.model.__name__} row no longer exists")
        content = sha256_hex(
            document_bytes(
                kind=entry.kind,
                object_id=entry.object_id,
                salt=entry.salt,
                record=recorded.record(row),
            )
        )
        if content != entry.content_hash:
            return broken(
                f"the live {recorded.model.__name__} row does not match the recorded content "
                "hash (the row, or the entry's salt, was changed)"
            )
        return None

    def head(self) -> Break | None:
        head = LedgerHead.objects.filter(institution_id=self.institution_id).first()
        seq, head_hash = (head.seq, head.head_hash) if head else (0, GENESIS)
        if seq != self.count:
            return Break(self.count + 1, "", "", "entries at the end of the chain are missing")
        if head_hash != self.prev_hash:
            return Break(None, "", "", "the chain's head row differs from its last entry")
        return None

    def digests(self) -> Break | None:
        published = LedgerDigest.objects.filter(institution_id=self.institution_id)
        for digest in published.order_by("day").iterator(chunk_size=CHUNK):
            if self.hashes_at.get(digest.head_seq) != digest.head_hash:
                return Break(
                    digest.head_seq,
                    "",
                    "",
                    f"the digest published for {digest.day:%Y-%m-%d} does not match the chain",
                )
        return None


def _pages(institution_id: int) -> Iterator[list[LedgerEntry]]:
    after = 0
    chain = LedgerEntry.objects.filter(institution_id=institution_id).order_by("seq")
    while page := list(chain.filter(seq__gt=after)[:CHUNK]):
        yield page
        after = page[-1].seq


def _live_rows(page: list[LedgerEntry]) -> dict[tuple[str, str], models.Model]:
    wanted: dict[str, list[str]] = {}
    for entry in page:
        wanted.setdefault(entry.kind, []).append(entry.object_id)
    rows: dict[tuple[str, str], models.Model] = {}
    for kind, ids in wanted.items():
        recorded = recorded_kind(kind)
        if recorded is None:
            continue
        pk = recorded.model._meta.pk
        assert pk is not None  # noqa: S101 (every concrete model has one)
        found = recorded.model._default_manager.in_bulk([pk.to_python(i) for i in ids])
        rows.update({(kind, str(key)): row for key, row in found.items()})
    return rows


def _unrecorded(institution_id: int) -> Break | None:
    """A registered row without an entry: inserted behind the application's back."""
    for recorded in recorded_kinds():
        entry = LedgerEntry.objects.filter(
            kind=recorded.kind, object_id=Cast(OuterRef("pk"), CharField())
        )
        stray = (
            recorded.model._default_manager.filter(institution_id=institution_id)
            .filter(~Exists(entry))
            .values_list("pk", flat=True)
            .first()
        )
        if stray is not None:
            return Break(None, recorded.kind, str(stray), "this row has no entry in the ledger")
    return None
