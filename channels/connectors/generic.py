"""The generic signed webhook: JSON items from any other source (schema in docs/webhooks.md)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from channels.connectors.base import (
    ItemEvent,
    PayloadError,
    Verb,
    clean_json,
    clean_language,
    clean_text,
    clean_url,
    parse_iso_time,
)

MAX_ITEMS = 500
KINDS = {"comment", "reply", "direct_message", "mention", "review", "post"}


def parse(payload: Any) -> list[ItemEvent]:
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise PayloadError("Expected an object with an 'items' list.")
    items = payload["items"]
    if len(items) > MAX_ITEMS:
        raise PayloadError(f"At most {MAX_ITEMS} items per request, got {len(items)}.")
    return [item_event(item, prefix=f"items[{index}].") for index, item in enumerate(items)]


def item_event(item: Any, prefix: str = "") -> ItemEvent:
    """One item of the documented schema as an event.

    ``prefix`` names the item in error messages (``items[3].``); the messages are translated
    into the active language because imports show them to communicators.
    """
    if not isinstance(item, dict):
        raise PayloadError(_("Each item must be an object."))
    external_id = clean_text(item.get("external_id"), 255)
    if not external_id:
        raise PayloadError(_("%(field)s is required.") % {"field": f"{prefix}external_id"})
    try:
        verb = Verb(item.get("action") or "create")
    except ValueError:
        raise PayloadError(
            _("%(field)s must be one of: %(choices)s.")
            % {"field": f"{prefix}action", "choices": ", ".join(Verb)}
        ) from None
    kind = item.get("kind") or "comment"
    if kind not in KINDS:
        raise PayloadError(
            _("%(field)s must be one of: %(choices)s.")
            % {"field": f"{prefix}kind", "choices": ", ".join(sorted(KINDS))}
        )
    author: dict[str, Any] = item["author"] if isinstance(item.get("author"), dict) else {}
    return ItemEvent(
        external_id=external_id,
        verb=verb,
        occurred_at=parse_iso_time(item.get("occurred_at"), f"{prefix}occurred_at"),
        kind=kind,
        author_name=clean_text(author.get("name"), 255),
        author_handle=clean_text(author.get("handle"), 255),
        author_url=clean_url(author.get("url")),
        text=clean_text(item.get("text")),
        language=clean_language(item.get("language")),
        permalink=clean_url(item.get("permalink")),
        parent_external_id=clean_text(item.get("parent_id"), 255),
        raw=clean_json(item),
    )
