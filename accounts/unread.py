"""The unread-notifications count of the navigation bar and its poll, kept in the cache.

Every page shows the count and every open tab polls it each minute, so it is read far more often
than it changes. The cached value is keyed by the user, a *generation* of their notifications
and the institutions they are active in (their notifications of other institutions are not
visible): a service that creates, reads or deletes notifications bumps the generations of the
recipients when it writes and again after its transaction commits (``unread_changed``); a change
of memberships changes the key by itself. The generation is read before the database, so a count
read while a writer commits is stored under a generation that is never read after the commit.
A lost bump (Redis down, a superuser's edit in the admin) lasts at most ``TTL``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from accounts.models import Membership, Notification, User

TTL = 300


def _generation_key(user_id: int) -> str:
    return f"notifications:generation:{user_id}"


def unread_count(user: User, memberships: Iterable[Membership]) -> int:
    """The user's unread notifications as ``Notification.objects.visible_to(user).unread()``
    counts them; ``memberships``: their active memberships (``user_memberships``)."""
    generation = cache.get(_generation_key(user.pk), 0)
    institutions = ",".join(str(i) for i in sorted({m.institution_id for m in memberships}))
    key = f"notifications:unread:{user.pk}:{generation}:{_digest(institutions)}"
    count = cache.get(key)
    if count is None:
        count = Notification.objects.visible_to(user).unread().count()
        cache.set(key, count, TTL)
    return int(count)


def unread_changed(user_ids: Iterable[int]) -> None:
    """The unread counts of these users change: new generations now and again once the
    transaction commits (a count read in between, from the data before the commit, is stored
    under the intermediate generation and never read after the commit)."""
    keys = [_generation_key(user_id) for user_id in set(user_ids)]
    if keys:
        _bump(keys)
        transaction.on_commit(lambda: _bump(keys))


def _bump(keys: list[str]) -> None:
    for key in keys:
        cache.add(key, 0, None)
        try:
            cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, None)


def _digest(text: str) -> str:
    return hashlib.blake2s(text.encode(), digest_size=8).hexdigest()
