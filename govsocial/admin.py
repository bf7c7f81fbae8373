"""Platform staff tooling: the deadline check's recent runs and the jobs' last runs, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from govsocial.models import DeadlineCheckRun, JobRun


@admin.register(DeadlineCheckRun)
class DeadlineCheckRunAdmin(admin.ModelAdmin):
    list_display = (
        "finished_at", "duration_ms", "warnings", "breaches", "notifications", "failed",
    )  # fmt: skip
    date_hierarchy = "finished_at"

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: DeadlineCheckRun | None = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: DeadlineCheckRun | None = None) -> bool:
        return False


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """The daily and weekly jobs' last runs; deleting a row makes its job run at the next tick."""

    list_display = ("name", "last_run_at", "running_since", "last_failed_at")
    readonly_fields = ("name", "last_run_at", "running_since", "last_failed_at")

    def has_add_permission(self, request: Any) -> bool:
        return False
