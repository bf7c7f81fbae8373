"""The unread-notifications count of the navigation bar and its poll, kept in the cache.

Every page shows the count and every open tab polls it each minute, so it is read far more often
than it changes. The cached value is keyed by the user, a *generation* of their notifications
and the institutions they are active in (their notifications of other institutions are not
visible): a service that creates, reads or deletes notifications bumps the generations of the
recipients when it writes and again after its transaction commits (``unread_changed``); a change
of memberships changes the key by itself (``govsocial.generations``). A lost bump (Redis down, a
superuser's edit in the admin) lasts at most ``TTL``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

from accounts.models import Membership, Notification, User
from govsocial.generations import digest, generation, generations_bump

TTL = 300


def _generation_key(user_id: int) -> str:
    return f"notifications:generation:{user_id}"


def unread_count(user: User, memberships: Iterable[Membership]) -> int:
    """The user's unread notifications as ``Notification.objects.visible_to(user).unread()``
    counts them; ``memberships``: their active memberships (``user_memberships``)."""
    current = generation(_generation_key(user.pk))
    institutions = ",".join(str(i) for i in sorted({m.institution_id for m in memberships}))
    key = f"notifications:unread:{user.pk}:{current}:{digest(institutions)}"
    count = cache.get(key)
    if count is None:
        count = Notification.objects.visible_to(user).unread().count()
        cache.set(key, count, TTL)
    return int(count)


def unread_changed(user_ids: Iterable[int]) -> None:
    """The unread counts of these users change (see ``govsocial.generations``)."""
    generations_bump(_generation_key(user_id) for user_id in user_ids)
