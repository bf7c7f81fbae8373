"""Mastodon: the channel account's mentions and direct messages, read with Mastodon.py, and
replies posted as that account.

The client runs with ``ratelimit_method="throw"``: when the server answers 429 we raise
``RateLimited`` with the reset time the server announced, and the scheduler comes back then.
A worker never sleeps waiting for a platform.

The instance is the scheme and host of the channel's address (``https://social.example/@x``
reads ``https://social.example``); the access token needs the ``read:notifications`` scope,
and ``write:statuses`` to reply.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import nh3
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonUnauthorizedError,
)

from channels.connectors.addresses import AddressRefused, public_server_check
from channels.connectors.base import (
    ItemEvent,
    PayloadError,
    Verb,
    clean_json,
    clean_text,
    clean_url,
    parse_iso_time,
)
from channels.connectors.polling import ConnectorError, Page, RateLimited
from channels.connectors.replies import ReplyRejected, SentReply

if TYPE_CHECKING:
    from channels.models import Channel

PAGE_SIZE = 40  # Mastodon's maximum for notifications
REQUEST_TIMEOUT = 15  # seconds; a poll must not hold a worker for the library's default 300
DEFAULT_BACKOFF = timedelta(minutes=5)  # when a 429 carries no usable reset time
LANGUAGES = {"fr", "nl", "de", "en"}
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"</p>\s*<p[^>]*>", re.IGNORECASE)


class MastodonConnector:
    source = "mastodon"

    def parse(self, payload: object) -> list[ItemEvent]:
        if not isinstance(payload, dict) or not isinstance(payload.get("records"), list):
            raise PayloadError("Expected an object with a 'records' list.")
        events = []
        for index, record in enumerate(payload["records"]):
            event = _event(index, record)
            if event is not None:
                events.append(event)
        return events

    def configured(self, channel: Channel) -> bool:
        return bool(instance_url(channel.url) and channel.access_token_encrypted)

    def fetch(self, channel: Channel, cursor: str) -> Page:
        client = _client(channel)
        try:
            notifications = client.notifications(
                types=["mention"], min_id=cursor or None, limit=PAGE_SIZE
            )
        except MastodonRatelimitError:
            raise RateLimited(_reset_time(client.ratelimit_reset)) from None
        except MastodonError as error:
            raise ConnectorError(f"Mastodon: {type(error).__name__}: {error}") from None
        records = sorted((_plain(n) for n in notifications), key=lambda r: _id_key(r["id"]))
        newest = records[-1]["id"] if records else cursor
        # Without a cursor we take the latest page only: history before the channel was
        # connected is not moderation work.
        return Page(records=records, cursor=newest, more=bool(cursor) and len(records) == PAGE_SIZE)

    def reply(
        self, channel: Channel, *, in_reply_to: str, text: str, direct: bool, key: str
    ) -> SentReply:
        client = _client(channel)
        try:
            status = client.status_post(
                text,
                in_reply_to_id=in_reply_to,
                visibility="direct" if direct else None,
                idempotency_key=key,
            )
        except MastodonRatelimitError:
            raise RateLimited(_reset_time(client.ratelimit_reset)) from None
        except (MastodonNotFoundError, MastodonUnauthorizedError) as error:
            raise ReplyRejected(f"Mastodon: {type(error).__name__}: {error}") from None
        except MastodonAPIError as error:
            if _http_status(error) in (403, 422):  # forbidden, or the text was refused
                raise ReplyRejected(f"Mastodon: {error}") from None
            raise ConnectorError(f"Mastodon: {type(error).__name__}: {error}") from None
        except MastodonError as error:
            raise ConnectorError(f"Mastodon: {type(error).__name__}: {error}") from None
        return SentReply(platform_id=str(status["id"]), url=clean_url(status.get("url")))


CONNECTOR = MastodonConnector()


def _client(channel: Channel) -> Mastodon:
    """A client for the channel's server, checked public at each connection (DNS may change
    after the form accepted the address)."""
    base_url = instance_url(channel.url)
    try:
        public_server_check(base_url)
    except AddressRefused as refusal:
        raise ConnectorError(f"Mastodon: {refusal}") from None
    return Mastodon(
        access_token=channel.access_token,
        api_base_url=base_url,
        ratelimit_method="throw",
        request_timeout=REQUEST_TIMEOUT,
        version_check_mode="none",
        user_agent="GovSocial",
    )


def _http_status(error: MastodonAPIError) -> int | None:
    """Mastodon.py puts the HTTP status second in the exception's arguments."""
    arguments = error.args
    return arguments[1] if len(arguments) > 1 and isinstance(arguments[1], int) else None


def instance_url(address: str) -> str:
    parts = urlsplit(address or "")
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def _reset_time(reset_epoch: float | None) -> datetime:
    now = datetime.now(UTC)
    if reset_epoch is None:
        return now + DEFAULT_BACKOFF
    reset = datetime.fromtimestamp(reset_epoch, UTC)
    return reset if reset > now else now + timedelta(seconds=30)


def _plain(notification: Any) -> dict[str, Any]:
    """Mastodon.py's objects (dicts holding datetimes) as plain JSON data."""
    result: dict[str, Any] = json.loads(json.dumps(notification, default=_json_default))
    return result


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _id_key(identifier: object) -> tuple[int, str]:
    """Mastodon ids are decimal strings: compare by length first, then lexically."""
    text = str(identifier)
    return len(text), text


def _event(index: int, record: Any) -> ItemEvent | None:
    where = f"records[{index}]"
    if not isinstance(record, dict):
        raise PayloadError(f"{where} must be an object.")
    status = record.get("status")
    if record.get("type") != "mention" or not isinstance(status, dict):
        return None  # a mention whose status was deleted before we read it
    external_id = clean_text(status.get("id"), 255)
    if not external_id:
        raise PayloadError(f"{where}.status.id is required.")
    account: dict[str, Any] = status["account"] if isinstance(status.get("account"), dict) else {}
    language = str(status.get("language") or "")[:2].lower()
    return ItemEvent(
        external_id=external_id,
        verb=Verb.CREATE,
        occurred_at=parse_iso_time(status.get("created_at"), f"{where}.status.created_at"),
        kind="direct_message" if status.get("visibility") == "direct" else "mention",
        author_name=clean_text(account.get("display_name") or account.get("acct"), 255),
        author_handle=clean_text(f"@{account['acct']}" if account.get("acct") else "", 255),
        author_url=clean_url(account.get("url")),
        text=status_text(status),
        language=language if language in LANGUAGES else "",
        permalink=clean_url(status.get("url") or status.get("uri")),
        parent_external_id=clean_text(status.get("in_reply_to_id"), 255),
        raw=clean_json(record),
    )


def status_text(status: dict[str, Any]) -> str:
    """The status as plain text: paragraphs and line breaks kept, tags and entities gone."""
    content = _PARAGRAPH.sub("\n\n", _BREAK.sub("\n", str(status.get("content") or "")))
    body = html.unescape(nh3.clean(content, tags=set())).strip()
    warning = clean_text(status.get("spoiler_text"), 500).strip()
    return clean_text(f"{warning}\n\n{body}" if warning else body)
