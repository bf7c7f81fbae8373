"""Meta webhook deliveries as item events: Facebook pages (``feed`` and ``messages`` fields)
and Instagram professional accounts (``comments`` and ``messages`` fields).

Shapes, as Meta documents them:

- page feed (https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed):
  ``{"object": "page", "entry": [{"id": PAGE_ID, "time", "changes": [{"field": "feed",
  "value": {"item", "verb", "comment_id", "post_id", "parent_id", "created_time", "message",
  "from": {"id", "name"}}}]}]}``;
- Messenger (https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
  and .../message-echoes): ``{"object": "page", "entry": [{"id": PAGE_ID, "time",
  "messaging": [{"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp" (ms),
  "message": {"mid", "text", "attachments", "is_echo"}}]}]}``; an echo (the page's own
  message) has the page as sender and the person as recipient;
- Instagram (https://developers.facebook.com/docs/instagram-platform/webhooks/examples and
  https://developers.facebook.com/docs/graph-api/webhooks/reference/instagram):
  ``{"object": "instagram", "entry": [{"id": IG_ACCOUNT_ID, "time", "changes": [{"field":
  "comments", "value": {"id", "text", "parent_id", "from": {"id", "username"}, "media":
  {"id", "media_product_type"}}}], "messaging": [...as Messenger, IGSIDs, echoes included]}]}``.

One POST may batch many entries, changes and messages. Reactions, shares, reads, deliveries
and other events are not moderation material and are skipped.

Own activity: the page's or account's own posts, comments and messages (``from.id`` or the
sender is the entry's id, i.e. the page or account the webhook is about, or the channel's
page id; an Instagram username equal to the channel's handle; ``is_echo``) are marked
``own``: the item store records them as the institution's, never as work to answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from channels.connectors.base import ItemEvent, PayloadError, Verb, clean_json, clean_text
from channels.connectors.meta.messaging import conversation_key

if TYPE_CHECKING:
    from channels.models import Channel

VERBS = {
    "add": Verb.CREATE,
    "edited": Verb.EDIT,
    "remove": Verb.REMOVE,
    "hide": Verb.HIDE,
    "unhide": Verb.UNHIDE,
}
ITEMS = {"comment", "post", "status", "photo", "video"}
OBJECTS = {"page", "instagram"}
MILLISECONDS_FROM = 10**11
"""Meta sends some times in seconds (feed), others in milliseconds (messaging)."""


@dataclass(frozen=True)
class Owner:
    """Who the institution is on this delivery: the ids and Instagram username it posts as."""

    ids: frozenset[str]
    username: str = ""

    def owns(self, author_id: str, username: str = "") -> bool:
        return author_id in self.ids or bool(self.username and username == self.username)


def parse(payload: Any, channel: Channel | None = None) -> list[ItemEvent]:
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise PayloadError("Expected an object with an 'entry' list.")
    instagram = payload.get("object") == "instagram"
    handle = (channel.handle if channel is not None else "").strip()
    events = []
    for entry in payload["entry"]:
        if not isinstance(entry, dict):
            raise PayloadError("Each entry must be an object.")
        owner = Owner(
            ids=frozenset(i for i in (clean_text(entry.get("id"), 255), handle) if i),
            username=handle.removeprefix("@") if instagram else "",
        )
        for change in entry.get("changes") or []:
            event = _instagram_comment(change, entry, owner) if instagram else _feed(change, owner)
            if event is not None:
                events.append(event)
        for message in entry.get("messaging") or []:
            event = _message(message, owner, instagram)
            if event is not None:
                events.append(event)
    return events


def _feed(change: Any, owner: Owner) -> ItemEvent | None:
    if not isinstance(change, dict) or change.get("field") != "feed":
        return None
    value = _value(change)
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
    author = _author(value)
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
        own=owner.owns(clean_text(author.get("id"), 255)),
    )


def _instagram_comment(change: Any, entry: dict[str, Any], owner: Owner) -> ItemEvent | None:
    if not isinstance(change, dict) or change.get("field") != "comments":
        return None
    value = _value(change)
    external_id = clean_text(value.get("id"), 255)
    if not external_id:
        raise PayloadError("A comments change without the comment's id.")
    author = _author(value)
    username = clean_text(author.get("username"), 255)
    media = value["media"] if isinstance(value.get("media"), dict) else {}
    parent = clean_text(value.get("parent_id"), 255)
    return ItemEvent(
        external_id=external_id,
        verb=Verb.CREATE,
        occurred_at=_time(entry.get("time")),
        kind="reply" if parent else "comment",
        author_name=f"@{username}" if username else "",
        author_handle=clean_text(author.get("id"), 255),
        author_url=f"https://www.instagram.com/{username}/"
        if username.isascii() and username
        else "",
        text=clean_text(value.get("text")),
        parent_external_id=parent or clean_text(media.get("id"), 255),
        raw=clean_json(value),
        own=owner.owns(clean_text(author.get("id"), 255), username),
    )


def _message(event: Any, owner: Owner, instagram: bool) -> ItemEvent | None:
    """A message to or from the page or account; other messaging events are skipped."""
    if not isinstance(event, dict) or not isinstance(event.get("message"), dict):
        return None
    message = event["message"]
    if message.get("is_deleted"):
        return None
    external_id = clean_text(message.get("mid"), 255)
    if not external_id:
        raise PayloadError("A message without its 'mid'.")
    sender = clean_text(_id(event.get("sender")), 255)
    recipient = clean_text(_id(event.get("recipient")), 255)
    own = bool(message.get("is_echo")) or owner.owns(sender)
    person = recipient if own else sender
    if not person:
        raise PayloadError("A message without its sender and recipient ids.")
    return ItemEvent(
        external_id=external_id,
        verb=Verb.CREATE,
        occurred_at=_time(event.get("timestamp")),
        kind="direct_message",
        author_handle=sender,
        text=clean_text(message.get("text")) or _attachments(message),
        parent_external_id=conversation_key(person),
        raw=clean_json(event),
        own=own,
    )


def _attachments(message: dict[str, Any]) -> str:
    """A message without text (an image, a sticker, a shared post): what it carried."""
    attachments = message.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        return ""
    kinds = [clean_text(a.get("type"), 40) for a in attachments if isinstance(a, dict)]
    return " ".join(f"[{kind}]" for kind in kinds if kind)


def _value(change: dict[str, Any]) -> dict[str, Any]:
    value = change.get("value")
    if not isinstance(value, dict):
        raise PayloadError(f"A {change.get('field')} change needs a 'value' object.")
    return value


def _author(value: dict[str, Any]) -> dict[str, Any]:
    return value["from"] if isinstance(value.get("from"), dict) else {}


def _id(party: Any) -> Any:
    return party.get("id") if isinstance(party, dict) else None


def _kind(item: str, parent: str, post: str) -> str:
    if item != "comment":
        return "post"
    return "reply" if parent and parent != post else "comment"


def _time(value: Any) -> datetime | None:
    """Meta sends Unix seconds or milliseconds (sometimes an ISO string)."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, int | float) or str(value).isdigit():
            number = int(value)
            seconds = number / 1000 if number >= MILLISECONDS_FROM else number
            return datetime.fromtimestamp(seconds, tz=UTC)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise PayloadError(f"Unreadable time: {value!r}.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
