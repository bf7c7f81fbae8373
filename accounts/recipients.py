"""Who hears about a deadline, fetched for a whole batch of rows in a few queries."""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import Membership, User


def people_by_institution(
    institution_ids: Iterable[int], roles: Iterable[str]
) -> dict[int, list[User]]:
    """Active members holding any of ``roles``, per institution (one query)."""
    people: dict[int, list[User]] = {}
    memberships = (
        Membership.objects.active()
        .filter(institution_id__in=set(institution_ids), role__in=list(roles))
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        listed = people.setdefault(membership.institution_id, [])
        if membership.user not in listed:
            listed.append(membership.user)
    return people


def unique(*groups: Iterable[User | None]) -> list[User]:
    """People of several groups, once each, active ones only, in order."""
    seen: dict[int, User] = {}
    for group in groups:
        for user in group:
            if user is not None and user.is_active and user.pk not in seen:
                seen[user.pk] = user
    return list(seen.values())
