"""The generic signed webhook: JSON items from any other source (schema in docs/webhooks.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from channels.connectors.base import ItemEvent, PayloadError, Verb, clean_json, clean_text

MAX_ITEMS = 500
KINDS = {"comment", "reply", "direct_message", "mention", "review", "post"}
LANGUAGES = {"fr", "nl", "de", "en"}


def parse(payload: Any) -> list[ItemEvent]:
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise PayloadError("Expected an object with an 'items' list.")
    items = payload["items"]
    if len(items) > MAX_ITEMS:
        raise PayloadError(f"At most {MAX_ITEMS} items per request, got {len(items)}.")
    return [_event(index, item) for index, item in enumerate(items)]


def _event(index: int, item: Any) -> ItemEvent:
    where = f"items[{index}]"
    if not isinstance(item, dict):
        raise PayloadError(f"{where} must be an object.")
    external_id = clean_text(item.get("external_id"), 255)
    if not external_id:
        raise PayloadError(f"{where}.external_id is required.")
    try:
        verb = Verb(item.get("action", "create"))
    except ValueError:
        raise PayloadError(f"{where}.action must be one of {[v.value for v in Verb]}.") from None
    kind = item.get("kind", "comment")
    if kind not in KINDS:
        raise PayloadError(f"{where}.kind must be one of {sorted(KINDS)}.")
    language = str(item.get("language") or "")[:2].lower()
    author: dict[str, Any] = item["author"] if isinstance(item.get("author"), dict) else {}
    return ItemEvent(
        external_id=external_id,
        verb=verb,
        occurred_at=_time(item.get("occurred_at"), where),
        kind=kind,
        author_name=clean_text(author.get("name"), 255),
        author_handle=clean_text(author.get("handle"), 255),
        author_url=_url(author.get("url")),
        text=clean_text(item.get("text")),
        language=language if language in LANGUAGES else "",
        permalink=_url(item.get("permalink")),
        parent_external_id=clean_text(item.get("parent_id"), 255),
        raw=clean_json(item),
    )


def _url(value: Any) -> str:
    text = clean_text(value, 1000)
    return text if text.startswith(("https://", "http://")) else ""


def _time(value: Any, where: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"{where}.occurred_at must be an ISO 8601 time.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
