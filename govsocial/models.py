"""The deadline engine's own records: its runs (liveness) and the daily summaries sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class DeadlineCheckRun(models.Model):
    """One run of the deadline check; /healthz reads the newest. Kept for a week."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(default=timezone.now, db_index=True)
    duration_ms = models.PositiveIntegerField()
    warnings = models.PositiveIntegerField(default=0)
    breaches = models.PositiveIntegerField(default=0)
    notifications = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(
        default=0, help_text="Rows whose notices could not be written (see the logs)."
    )

    class Meta:
        ordering = ("-finished_at",)

    def __str__(self) -> str:
        return f"check at {self.finished_at:%Y-%m-%d %H:%M:%S}"


class DeadlineDigest(models.Model):
    """A daily summary e-mail: at most one per person, institution and local day (a database
    fact), covering the notices written since the previous one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey(
        "accounts.Institution", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(help_text="The institution's local date.")
    sent_at = models.DateTimeField(default=timezone.now)
    notices = models.PositiveIntegerField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("user", "institution", "day"), name="deadline_digest_once_a_day"
            ),
        )

    def __str__(self) -> str:
        return f"digest {self.user_id}@{self.institution_id} {self.day}"


class JobRun(models.Model):
    """The stored last run of each daily or weekly job (``settings.CATCH_UP_JOBS``).

    Celery beat forgets its own record at every restart; this row is what decides whether a job
    is due (govsocial/schedules.py), and ``running_since`` keeps two ticks from running a job at
    once (a lease: a worker killed mid-run frees it after ``govsocial.jobs.LEASE``).
    """

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last successful run started."
    )
    running_since = models.DateTimeField(null=True, blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} last run {self.last_run_at}"


# The ledger's models live in their package; Django finds them through this import.
from govsocial.ledger.models import LedgerDigest, LedgerEntry, LedgerHead  # noqa: E402

__all__ = [
    "DeadlineCheckRun",
    "DeadlineDigest",
    "JobRun",
    "LedgerDigest",
    "LedgerEntry",
    "LedgerHead",
]
