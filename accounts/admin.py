"""Platform staff tooling. Product users manage members in the product UI, not here."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Institution, Invitation, Membership, Notification, OutgoingEmail, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "preferred_language", "is_active", "is_superuser")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "preferred_language", "spoken_languages")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "password1", "password2")}),)


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ("slug", "name_en", "time_zone", "social_response_hours")
    search_fields = ("slug", "name_fr", "name_nl", "name_en")


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "institution", "role", "is_active")
    list_filter = ("institution", "role", "is_active")
    raw_id_fields = ("user",)


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ("email", "institution", "created_at", "accepted_at", "revoked_at")
    exclude = ("token_hash",)
    readonly_fields = ("institution", "email", "roles", "invited_by", "accepted_by")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "kind", "subject", "created_at", "read_at")
    list_filter = ("kind",)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    list_display = ("to_address", "subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status",)
