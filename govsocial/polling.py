"""Conditional answers for htmx polls: a poll whose answer did not change gets ``304``.

A poll's ``ETag`` is a digest of everything its fragment shows (the count, the language, the
user...). Such responses are marked ``private, no-cache`` rather than ``no-store``
(``govsocial.middleware.PrivateCacheControlMiddleware``): the browser keeps the fragment, asks
again with ``If-None-Match`` and htmx receives the kept copy when the server answers 304,
without the fragment being rendered or sent again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags, quote_etag


def poll_etag(*parts: object) -> str:
    digest = hashlib.blake2s(repr(parts).encode(), digest_size=12).hexdigest()
    return quote_etag(digest)


def conditional_poll(
    request: HttpRequest, etag: str, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """304 when the browser holds the answer ``etag`` names; else ``render()``, tagged."""
    held = parse_etags(request.headers.get("If-None-Match", ""))
    response = HttpResponseNotModified() if etag in held or "*" in held else render()
    response["ETag"] = etag
    response.revalidate_privately = True  # type: ignore[attr-defined]
    patch_cache_control(response, private=True, no_cache=True)
    return response
