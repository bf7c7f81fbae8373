"""A Redis cache that degrades to a per-process memory cache instead of raising.

Django's RedisCache raises ``redis.ConnectionError`` when Redis is down, and allauth's rate limits
read the cache on every login attempt: without this wrapper a Redis outage at night would lock
every moderator out with a 500. While Redis is unreachable each process keeps its own in-memory
cache, so rate limits still hold per process (the documented fallback limit). After a failure the
backend skips Redis for ``RETRY_AFTER`` seconds so requests do not each pay the connect timeout.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER = 5.0


class ReusedClientRedisCacheClient(RedisCacheClient):
    """One ``redis.Redis`` per connection pool instead of a new one per cache operation.

    Django builds a fresh client for every call, and each construction fills a table of about
    170 response callbacks: a quarter of a millisecond per cache call on the webhook path
    (bench/ingest.py). A client over a connection pool is thread-safe, so one is enough.
    Relies on the private pool helpers of Django's client; govsocial/tests covers the reuse.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._client(connection_pool=pool)  # type: ignore[attr-defined]
            self._clients[index] = client
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._fallback = LocMemCache(f"govsocial-fallback-{id(self)}", {"OPTIONS": {}})
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        """True while Redis is considered down and the per-process fallback serves requests."""
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.degraded:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except REDIS_DOWN_ERRORS as error:
                self._mark_down(error)
        return getattr(self._fallback, name)(*args, **kwargs)

    def _mark_down(self, error: Exception) -> None:
        with self._lock:
            first = not self.degraded
            self._down_until = time.monotonic() + RETRY_AFTER
        if first:
            logger.warning("Redis cache unreachable, using the per-process fallback: %s", error)


def _delegating(name: str) -> Callable[..., Any]:
    def method(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(ResilientRedisCache, _name, _delegating(_name))
