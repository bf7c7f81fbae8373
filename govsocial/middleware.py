"""Cross-cutting response middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateCacheControlMiddleware:
    """Authenticated responses are never stored by a shared cache or the browser's disk cache.

    A proxy that cached one member's page could show it to a member of another institution.
    Poll answers marked ``revalidate_privately`` (govsocial.polling) may be kept by the browser
    alone and must be revalidated each time (``private, no-cache``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if getattr(response, "revalidate_privately", False):
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, private=True, no_store=True)
        return response
