"""Cache generations: a counter per kind of data, part of every cache key built from that data.

A value read far more often than it changes (the unread badge, the charter banner) is cached
under a key holding the current *generation*; a writer bumps the generation instead of finding
and deleting keys. It bumps when it writes and again after its transaction commits, so a value
read in between, from the data before the commit, is stored under a generation never read after.
A lost bump (Redis down) lasts until the cached value's own timeout.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction


def generation(key: str) -> int:
    return int(cache.get(key, 0))


def generations(keys: list[str]) -> list[int]:
    """The current generations of ``keys``, in one round trip."""
    found = cache.get_many(keys)
    return [int(found.get(key, 0)) for key in keys]


def generations_bump(keys: Iterable[str]) -> None:
    """New generations for these keys now and again once the current transaction commits."""
    keys = sorted(set(keys))
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


def digest(text: str) -> str:
    """A short fixed-length stand-in for ``text`` in a cache key."""
    return hashlib.blake2s(text.encode(), digest_size=8).hexdigest()
