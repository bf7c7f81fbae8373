"""Fixed-window rate limits on the shared cache, for public forms.

A counter per (scope, key, window) in the cache: Redis in production (shared by all processes),
the per-process fallback during a Redis outage (limits then hold per process). allauth limits
its own forms; this serves ours with the same proxy setting (``TRUSTED_PROXY_COUNT``).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def allow(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; False once more than ``limit`` hits fell in the current window."""
    bucket = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{scope}:{key}:{bucket}"
    cache.add(cache_key, 0, window_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window_seconds + 5)
        count = 1
    return count <= limit


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or the right hop of X-Forwarded-For behind
    ``TRUSTED_PROXY_COUNT`` proxies of ours (never a value the client chose)."""
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))
