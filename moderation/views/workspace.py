"""What the queue page and the item page share: the moderation workspace.

Both pages are the same workspace (templates/moderation/workspace.html): the list of items and
the selected item beside it when there is room. With JavaScript, htmx loads one region at a time
into it and the views answer with that region only:

- ``item-panel``: the item beside the list (GET), or after a decision the same item or the next
  one of the queue, with the confirmation and the decided item's new row (POST);
- ``workspace-list``: the list, fetched by an item page opened directly once it has room for it.

Any other request (no JavaScript, a direct link, a reload) gets the whole page.
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails

PANEL = "item-panel"
LIST = "workspace-list"


def wants(request: HttpRequest, region: str) -> bool:
    """Whether this is an htmx request for one region of the workspace."""
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    if not htmx:
        return False
    return htmx.target == region and not htmx.history_restore_request


def messages_context(request: HttpRequest) -> dict[str, object]:
    """Confirmations go to the workspace's own live region, beside the item, rather than to the
    banner of ``base.html``: a view's context wins over the context processor's ``messages``."""
    return {"workspace_messages": get_messages(request), "messages": ()}


def vary(response: HttpResponse) -> HttpResponse:
    """The same URL answers a page or a region: caches must tell them apart."""
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
