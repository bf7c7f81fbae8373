"""Mastodon: the channel account's mentions and direct messages, read with Mastodon.py, and
the decisions Mastodon's API lets an account carry out, as that account.

What the API allows (https://docs.joinmastodon.org/methods/statuses/): posting a reply
(``POST /api/v1/statuses`` with ``in_reply_to_id``; an ``Idempotency-Key`` header makes the
server publish it once however often it is sent, for an hour), a private answer (the same with
``visibility=direct``: only the accounts the status names see it, so it starts with the
author's handle), deleting the account's *own* statuses (``DELETE /api/v1/statuses/:id``) and
reading a status back (``GET /api/v1/statuses/:id``, 404 once it is gone; entity shape:
https://docs.joinmastodon.org/entities/Status/). What it does not allow: hiding or deleting
other people's replies or mentions. An account can only report them to the server's moderators,
or block or mute their author; those decisions go to the manual list. Errors are Mastodon's
``{"error": "..."}`` (https://docs.joinmastodon.org/entities/Error/); a 429 carries
``X-RateLimit-Reset`` (https://docs.joinmastodon.org/api/rate-limits/).

The client runs with ``ratelimit_method="throw"``: when the server answers 429 we raise
``RateLimited`` with the reset time the server announced, and the scheduler comes back then.
A worker never sleeps waiting for a platform.

The instance is the scheme and host of the channel's address (``https://social.example/@x``
reads ``https://social.example``); the access token needs the ``read:notifications`` scope,
``write:statuses`` to answer and delete, ``read:statuses`` to read back.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.cookiejar import DefaultCookiePolicy
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import nh3
import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonUnauthorizedError,
)

from channels.connectors.actions import (
    ActionDone,
    ActionKind,
    ActionRejected,
    ActionRequest,
    Capability,
    Observed,
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

if TYPE_CHECKING:
    from channels.models import Channel

PAGE_SIZE = 40  # Mastodon's maximum for notifications
REQUEST_TIMEOUT = 15  # seconds; a poll must not hold a worker for the library's default 300
DEFAULT_BACKOFF = timedelta(minutes=5)  # when a 429 carries no usable reset time
LANGUAGES = {"fr", "nl", "de", "en"}
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"</p>\s*<p[^>]*>", re.IGNORECASE)


CAPABILITIES: dict[ActionKind, Capability] = {
    ActionKind.REPLY: Capability(
        call="POST /api/v1/statuses in_reply_to_id=<status> (Idempotency-Key header)",
        verify="GET /api/v1/statuses/:id",
        note="The answer starts with the author's @handle so that Mastodon notifies them.",
    ),
    ActionKind.PRIVATE_REPLY: Capability(
        call="POST /api/v1/statuses visibility=direct in_reply_to_id=<status> (Idempotency-Key)",
        verify="GET /api/v1/statuses/:id",
        note="A direct-visibility status naming the author: only the people it names see it.",
    ),
    ActionKind.DELETE: Capability(
        call="DELETE /api/v1/statuses/:id",
        verify="GET /api/v1/statuses/:id (404: gone)",
        note=(
            "Only the account's own statuses. Mastodon lets no account hide or delete other "
            "people's replies or mentions: those go to the manual list (report them to the "
            "server's moderators, or block or mute the account)."
        ),
        own_only=True,
    ),
}


class MastodonConnector:
    source = "mastodon"
    platform = "mastodon"
    capabilities: Mapping[ActionKind, Capability] = CAPABILITIES

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

    def perform(self, channel: Channel, request: ActionRequest) -> ActionDone:
        client = _client(channel)
        if request.kind == ActionKind.DELETE:
            return self._delete(client, request.target_id)
        direct = request.kind == ActionKind.PRIVATE_REPLY
        with _errors(client):
            status = client.status_post(
                _addressed(request),
                in_reply_to_id=request.target_id,
                visibility="direct" if direct else None,
                idempotency_key=request.key,
            )
        return ActionDone(object_id=str(status["id"]), url=clean_url(status.get("url")))

    def _delete(self, client: Mastodon, status_id: str) -> ActionDone:
        try:
            with _errors(client):
                client.status_delete(status_id)
        except ActionRejected:
            if _gone(client, status_id):  # deleted by an earlier attempt: done
                return ActionDone(object_id=status_id)
            raise
        return ActionDone(object_id=status_id)

    def find_done(self, channel: Channel, request: ActionRequest) -> ActionDone | None:
        """Our answer under the target (same text, by the channel's account when its address
        names one); None for a delete, which is idempotent."""
        if request.kind == ActionKind.DELETE:
            return None
        client = _client(channel)
        with _errors(client):
            context = client.status_context(request.target_id)
        wanted = _words(_addressed(request))
        for status in context.get("descendants") or []:
            if str(status.get("in_reply_to_id")) != request.target_id:
                continue
            if _ours(channel, status) and _words(status_text(status)) == wanted:
                return ActionDone(object_id=str(status["id"]), url=clean_url(status.get("url")))
        return None

    def observe(self, channel: Channel, kind: ActionKind, object_id: str) -> Observed:
        client = _client(channel)
        return Observed.GONE if _gone(client, object_id) else Observed.VISIBLE


def _addressed(request: ActionRequest) -> str:
    """Mastodon notifies only the accounts a status names: start with the author's handle."""
    handle = request.mention
    if handle.startswith("@") and handle.lower() not in request.text.lower():
        return f"{handle} {request.text}"
    return request.text


def _words(text: str) -> list[str]:
    """Text compared without mentions, case and spacing: Mastodon renders a mention of
    ``@lies@social.example`` as ``@lies``."""
    return [word.casefold() for word in text.split() if not word.startswith("@")]


def _ours(channel: Channel, status: dict[str, Any]) -> bool:
    """Whether the channel's account wrote ``status``; any author when the channel's address is
    the server only (no ``/@account``)."""
    own = (channel.url or "").rstrip("/")
    if "/@" not in own:
        return True
    account = status.get("account")
    if not isinstance(account, dict):
        return False
    return str(account.get("url") or "").rstrip("/").casefold() == own.casefold()


def _gone(client: Mastodon, status_id: str) -> bool:
    """Read a status back: False when it is there, True on 404; other failures raise."""
    try:
        with _errors(client):
            client.status(status_id)
    except ActionRejected as refusal:
        if isinstance(refusal.__cause__, MastodonNotFoundError):
            return True
        raise
    return False


@contextmanager
def _errors(client: Mastodon) -> Iterator[None]:
    """Mastodon.py's exceptions in the connector's words: 429 and transient failures retry
    later, a refusal (401, 403, 404, 422) is final."""
    try:
        yield
    except MastodonRatelimitError:
        raise RateLimited(_reset_time(client.ratelimit_reset)) from None
    except (MastodonNotFoundError, MastodonUnauthorizedError) as error:
        raise ActionRejected(f"Mastodon: {type(error).__name__}: {error}") from error
    except MastodonAPIError as error:
        if _http_status(error) in (403, 422):  # forbidden, or the text was refused
            raise ActionRejected(f"Mastodon: {error}") from error
        raise ConnectorError(f"Mastodon: {type(error).__name__}: {error}") from None
    except MastodonError as error:
        raise ConnectorError(f"Mastodon: {type(error).__name__}: {error}") from None


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
        session=_session(),
        ratelimit_method="throw",
        request_timeout=REQUEST_TIMEOUT,
        version_check_mode="none",
        user_agent="GovSocial",
    )


_local = threading.local()


def _session() -> requests.Session:
    """One HTTP session per thread, so that a worker reuses its connections; it keeps no
    cookies (the token goes in each request's header, never in the session)."""
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        _local.session = session
    return session


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
