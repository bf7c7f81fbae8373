"""Platform staff tooling: charters are edited in the product; published versions are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from charter.models import Charter, CharterVersion


@admin.register(Charter)
class CharterAdmin(admin.ModelAdmin):
    list_display = ("title", "institution", "audience", "slug")
    list_filter = ("institution", "audience")


@admin.register(CharterVersion)
class CharterVersionAdmin(admin.ModelAdmin):
    list_display = ("charter", "number", "status", "published_at", "published_by")
    list_filter = ("status",)
    readonly_fields = (
        "charter",
        "number",
        "status",
        "published_at",
        "published_by",
        "created_by",
        "institution",
        "created_at",
    )

    def has_change_permission(self, request: Any, obj: CharterVersion | None = None) -> bool:
        return obj is None or not obj.is_published

    def has_delete_permission(self, request: Any, obj: CharterVersion | None = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False
