"""The chains: one head per institution, its entries, and the published daily digests."""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.utils import timezone

from govsocial.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from govsocial.ledger.canonical import GENESIS
from govsocial.tenancy import TenantQuerySet


class LedgerImmutableError(AppendOnlyError):
    message = "A ledger entry or a published digest can never be changed or deleted."


class LedgerHead(models.Model):
    """The last entry of an institution's chain. Every append updates (so locks) this row
    first, so two workers appending for one institution take turns and the chain never forks.
    ``prev_hash`` is the head before the last append: the one-statement append returns it."""

    institution = models.OneToOneField(
        "accounts.Institution", on_delete=models.PROTECT, related_name="+"
    )
    seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default=GENESIS)
    prev_hash = models.CharField(max_length=64, default=GENESIS)
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return f"ledger head {self.institution_id} #{self.seq}"


class LedgerEntry(AppendOnlyModel):
    """One recorded row. ``content_hash`` covers the row's canonical document (with ``salt``),
    ``entry_hash`` links it to the previous entry (govsocial/ledger/canonical.py)."""

    institution = models.ForeignKey(
        "accounts.Institution", on_delete=models.PROTECT, related_name="+"
    )
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(
        help_text="Never earlier than the previous entry's, so each day is a run of entries."
    )
    salt = models.CharField(max_length=32)
    content_hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()
    immutable_error = LedgerImmutableError

    class Meta:
        verbose_name = "ledger entry"
        verbose_name_plural = "ledger entries"
        constraints = (
            # the walk and the per-day lists read a chain in order by this index.
            models.UniqueConstraint(fields=("institution", "seq"), name="ledger_entry_seq"),
            # entry_for(row); and a row is recorded once.
            models.UniqueConstraint(fields=("kind", "object_id"), name="ledger_entry_object"),
        )
        indexes = (
            # the digest of a day: the last entry recorded before the day's end.
            models.Index(fields=("institution", "recorded_at", "seq"), name="ledger_entry_by_time"),
        )
        triggers = (
            pgtrigger.Protect(
                name="ledger_entry_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        )

    def __str__(self) -> str:
        return f"ledger {self.institution_id} #{self.seq} {self.kind} {self.object_id}"


class LedgerDigest(AppendOnlyModel):
    """The head of an institution's chain at the end of a local day, as published."""

    institution = models.ForeignKey(
        "accounts.Institution", on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(help_text="The institution's local date.")
    head_seq = models.PositiveBigIntegerField()
    head_hash = models.CharField(max_length=64)
    entries = models.PositiveIntegerField(help_text="Entries recorded that day.")
    published_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()
    immutable_error = LedgerImmutableError

    class Meta:
        ordering = ("institution", "-day")
        constraints = (
            # one digest a day (the job is idempotent); the page lists them newest first.
            models.UniqueConstraint(fields=("institution", "day"), name="ledger_digest_day"),
        )
        triggers = (
            pgtrigger.Protect(
                name="ledger_digest_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        )

    def __str__(self) -> str:
        return f"ledger digest {self.institution_id} {self.day}"
