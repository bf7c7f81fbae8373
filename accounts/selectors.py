"""Page queries that span several accounts models (home page, institution overview)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Institution, Invitation, Membership, Notification, Role, User
from accounts.tenancy import expand_roles


@dataclass
class WaitingWork:
    label: str
    count: int
    url: str


@dataclass
class InstitutionSummary:
    institution: Institution
    roles: list[str]
    waiting: list[WaitingWork] = field(default_factory=list)

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles]

    @property
    def has_dashboard(self) -> bool:
        """The roles that read the institution dashboard (reports app)."""
        readers = {Role.COMMUNICATOR, Role.COMPLAINT_OFFICER, Role.INSTITUTION_ADMIN}
        return bool(expand_roles(self.roles) & readers)


def home_summaries(user: User) -> list[InstitutionSummary]:
    """The user's institutions with their roles and what waits for them (three queries)."""
    roles_by_institution: dict[int, set[str]] = defaultdict(set)
    institutions: dict[int, Institution] = {}
    for membership in Membership.objects.active().filter(user=user).select_related("institution"):
        roles_by_institution[membership.institution_id].add(membership.role)
        institutions[membership.institution_id] = membership.institution
    unread = _unread_by_institution(user)
    admin_ids = [
        pk for pk, roles in roles_by_institution.items() if Role.INSTITUTION_ADMIN in roles
    ]
    invitations = _pending_invitations_by_institution(admin_ids)
    summaries = []
    for pk, institution in sorted(institutions.items(), key=lambda item: item[1].name):
        roles = sorted(roles_by_institution[pk], key=Role.values.index)
        summary = InstitutionSummary(institution, roles)
        summary.waiting = _waiting_work(institution, roles, unread.get(pk, 0), invitations.get(pk))
        summaries.append(summary)
    return summaries


def _unread_by_institution(user: User) -> dict[int, int]:
    rows = (
        Notification.objects.visible_to(user)
        .unread()
        .filter(institution__isnull=False)
        .values("institution_id")
        .annotate(n=Count("id"))
    )
    return {row["institution_id"]: row["n"] for row in rows}


def _pending_invitations_by_institution(institution_ids: list[int]) -> dict[int, int]:
    if not institution_ids:
        return {}
    rows = (
        Invitation.objects.pending()
        .filter(institution_id__in=institution_ids)
        .values("institution_id")
        .annotate(n=Count("id"))
    )
    return {row["institution_id"]: row["n"] for row in rows}


def _waiting_work(
    institution: Institution, roles: list[str], unread: int, invitations: int | None
) -> list[WaitingWork]:
    slug = {"institution_slug": institution.slug}
    waiting = [
        WaitingWork(_("Unread notifications"), unread, reverse("accounts:notification-list"))
    ]
    if invitations is not None and Role.INSTITUTION_ADMIN in expand_roles(roles):
        waiting.append(
            WaitingWork(
                _("Invitations awaiting an answer"),
                invitations,
                reverse("accounts:member-list", kwargs=slug),
            )
        )
    return waiting


@dataclass
class InstitutionOverview:
    institution: Institution
    roles: list[str]
    member_count: int
    admin_count: int

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles if role in Role.values]


def institution_overview(institution: Institution, roles: frozenset[str]) -> InstitutionOverview:
    members = Membership.objects.for_institution(institution).active()
    return InstitutionOverview(
        institution=institution,
        roles=sorted((r for r in roles if r in Role.values), key=Role.values.index),
        member_count=members.values("user").distinct().count(),
        admin_count=members.filter(role=Role.INSTITUTION_ADMIN).count(),
    )


@dataclass
class MemberRow:
    user: User
    roles: list[str]
    is_active: bool

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in sorted(self.roles, key=Role.values.index)]


def member_rows(institution: Institution) -> list[MemberRow]:
    """Every person with a membership here, active first, then by name (one query)."""
    rows: dict[int, MemberRow] = {}
    memberships = (
        Membership.objects.for_institution(institution)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    for membership in memberships:
        row = rows.setdefault(membership.user_id, MemberRow(membership.user, [], False))
        row.roles.append(membership.role)
        row.is_active = row.is_active or (membership.is_active and membership.user.is_active)
    return sorted(rows.values(), key=lambda row: not row.is_active)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class SettingsChange:
    record: Any
    """The historical record (when, who, kind of change)."""
    changes: list[FieldChange]
    """Each setting changed, with its old and new value; empty for the creation."""


SETTINGS_UNTRACKED = frozenset({"id", "created_at"})


def settings_history(institution: Institution, limit: int = 10) -> list[SettingsChange]:
    """The latest changes of the institution's settings, each naming the fields it changed
    with their old and new values (two queries: one more record than shown is read, so the
    oldest shown one has its predecessor to compare with)."""
    records = list(
        institution.history.select_related("history_user").order_by("-history_date", "-pk")[
            : limit + 1
        ]
    )
    fields = [
        field for field in Institution._meta.concrete_fields if field.name not in SETTINGS_UNTRACKED
    ]
    return [
        SettingsChange(record, _field_changes(fields, record, older))
        for record, older in zip(records[:limit], [*records[1:], None], strict=False)
    ]


def _field_changes(fields: list[Any], record: Any, older: Any) -> list[FieldChange]:
    if older is None:
        return []
    return [
        FieldChange(
            str(field.verbose_name),
            _shown(field, getattr(older, field.attname)),
            _shown(field, getattr(record, field.attname)),
        )
        for field in fields
        if getattr(older, field.attname) != getattr(record, field.attname)
    ]


def _shown(field: Any, value: object) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return "—" if value in (None, "") else str(value)
