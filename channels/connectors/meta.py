"""Meta page webhooks (Facebook pages, Instagram): the ``feed`` field's comment and post changes.

Shape (Graph API webhooks reference, "page" object): ``{"object": "page", "entry": [{"id",
"time", "changes": [{"field": "feed", "value": {"item", "verb", "comment_id", "post_id",
"parent_id", "created_time", "message", "from": {"id", "name"}}}]}]}``. One POST may batch many
entries and changes. Reactions, shares and other items are not moderation material and are
skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from channels.connectors.base import ItemEvent, PayloadError, Verb, clean_json, clean_text

VERBS = {
    "add": Verb.CREATE,
    "edited": Verb.EDIT,
    "remove": Verb.REMOVE,
    "hide": Verb.HIDE,
    "unhide": Verb.UNHIDE,
}
ITEMS = {"comment", "post", "status", "photo", "video"}


def parse(payload: Any) -> list[ItemEvent]:
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise PayloadError("Expected an object with an 'entry' list.")
    events = []
    for entry in payload["entry"]:
        if not isinstance(entry, dict):
            raise PayloadError("Each entry must be an object.")
        for change in entry.get("changes") or []:
            event = _event(change)
            if event is not None:
                events.append(event)
    return events


def _event(change: Any) -> ItemEvent | None:
    if not isinstance(change, dict) or change.get("field") != "feed":
        return None
    value = change.get("value")
    if not isinstance(value, dict):
        raise PayloadError("A feed change needs a 'value' object.")
    verb = VERBS.get(str(value.get("verb")))
    item = str(value.get("item", ""))
    if verb is None or item not in ITEMS:
        return None
    external_id = clean_text(
        value.get("comment_id") if item == "comment" else value.get("post_id"), 255
    )
    if not external_id:
        raise PayloadError(f"A {item} change without its id.")
    parent = clean_text(value.get("parent_id"), 255)
    post = clean_text(value.get("post_id"), 255)
    author: dict[str, Any] = value["from"] if isinstance(value.get("from"), dict) else {}
    return ItemEvent(
        external_id=external_id,
        verb=verb,
        occurred_at=_time(value.get("created_time")),
        kind=_kind(item, parent, post),
        author_name=clean_text(author.get("name"), 255),
        author_handle=clean_text(author.get("id"), 255),
        text=clean_text(value.get("message")),
        permalink=f"https://www.facebook.com/{external_id}",
        parent_external_id=parent if parent and parent != external_id else "",
        raw=clean_json(value),
    )


def _kind(item: str, parent: str, post: str) -> str:
    if item != "comment":
        return "post"
    return "reply" if parent and parent != post else "comment"


def _time(value: Any) -> datetime | None:
    """Meta sends Unix seconds (sometimes as an ISO string)."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, int | float) or str(value).isdigit():
            return datetime.fromtimestamp(int(value), tz=UTC)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise PayloadError(f"Unreadable created_time: {value!r}.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
