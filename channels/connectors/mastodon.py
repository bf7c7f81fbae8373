"""Mastodon: the channel account's mentions and direct messages, read with Mastodon.py, and
the decisions Mastodon's API lets an account carry out, as that account.

What the API allows (https://docs.joinmastodon.org/methods/statuses/): posting a reply
(``POST /api/v1/statuses`` with ``in_reply_to_id``; an ``Idempotency-Key`` header makes the
server publish it once however often it is sent, for an hour), a private answer (the same with
``visibility=direct``: only the accounts the status names see it, so it starts with the
author's handle), publishing an approved post (the same without ``in_reply_to_id``, with
``visibility=public``), deleting the account's *own* statuses (``DELETE /api/v1/statuses/:id``) and
reading a status back (``GET /api/v1/statuses/:id``, 404 once it is gone; entity shape:
https://docs.joinmastodon.org/entities/Status/). What it does not allow: hiding or deleting
other people's replies or mentions. An account can only report them to the server's moderators,
or block or mute their author; those decisions go to the manual list. Errors are Mastodon's
``{"error": "..."}`` (https://docs.joinmastodon.org/entities/Error/); a 429 carries
``X-RateLimit-Reset`` (https://docs.joinmastodon.org/api/rate-limits/).

Polling uses Mastodon.py with ``ratelimit_method="throw"``; actions use plain HTTP requests
(``_call``: the library's typed answers cost more than the requests themselves). Either way a
429 raises ``RateLimited`` with the reset time the server announced, and the scheduler comes
back then: a worker never sleeps waiting for a platform.

The instance is the scheme and host of the channel's address (``https://social.example/@x``
reads ``https://social.example``); the access token needs the ``read:notifications`` scope,
``write:statuses`` to answer, publish and delete, ``read:statuses`` to read back, and
``read:accounts`` to find a post already published after an attempt was cut off
(``GET /api/v1/accounts/verify_credentials``, then the account's statuses
``GET /api/v1/accounts/:id/statuses``, https://docs.joinmastodon.org/methods/accounts/).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import nh3
import requests
from mastodon import (
    Mastodon,
    MastodonError,
    MastodonRatelimitError,
)

from channels.connectors import http_session
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
    clean_language,
    clean_text,
    clean_url,
    parse_iso_time,
)
from channels.connectors.polling import ConnectorError, Page, RateLimited, page_records

if TYPE_CHECKING:
    from channels.models import Channel

PAGE_SIZE = 40  # Mastodon's maximum for notifications
REQUEST_TIMEOUT = 15  # seconds; a poll must not hold a worker for the library's default 300
DEFAULT_BACKOFF = timedelta(minutes=5)  # when a 429 carries no usable reset time
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
    ActionKind.PUBLISH: Capability(
        call="POST /api/v1/statuses visibility=public (Idempotency-Key header)",
        verify="GET /api/v1/statuses/:id",
        note="An attempt cut off is looked for among the account's statuses "
        "(GET /api/v1/accounts/:id/statuses) before it is sent again.",
    ),
}


class MastodonConnector:
    source = "mastodon"
    platform = "mastodon"
    capabilities: Mapping[ActionKind, Capability] = CAPABILITIES

    def parse(self, payload: object) -> list[ItemEvent]:
        events = []
        for index, record in enumerate(page_records(payload)):
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
        if request.kind == ActionKind.DELETE:
            try:
                _call(channel, "DELETE", f"/api/v1/statuses/{_id(request.target_id)}")
            except _NotFound:
                if not _gone(channel, request.target_id):
                    raise  # not ours: Mastodon answers 404 for someone else's status
            return ActionDone(object_id=request.target_id)  # gone, now or by an earlier try
        if request.kind == ActionKind.PUBLISH:
            fields = {"status": request.text, "visibility": "public"}
        else:
            fields = {"status": _addressed(request), "in_reply_to_id": request.target_id}
        if request.kind == ActionKind.PRIVATE_REPLY:
            fields["visibility"] = "direct"
        status = _call(channel, "POST", "/api/v1/statuses", data=fields, key=request.key)
        return ActionDone(object_id=str(status["id"]), url=clean_url(status.get("url")))

    def find_done(self, channel: Channel, request: ActionRequest) -> ActionDone | None:
        """Our answer under the target (same text, by the channel's account when its address
        names one), or our post with the same text; None for a delete, which is idempotent."""
        if request.kind == ActionKind.DELETE:
            return None
        if request.kind == ActionKind.PUBLISH:
            return _find_post(channel, request.text)
        context = _call(channel, "GET", f"/api/v1/statuses/{_id(request.target_id)}/context")
        wanted = _words(_addressed(request))
        for status in context.get("descendants") or []:
            if str(status.get("in_reply_to_id")) != request.target_id:
                continue
            if _ours(channel, status) and _words(status_text(status)) == wanted:
                return ActionDone(object_id=str(status["id"]), url=clean_url(status.get("url")))
        return None

    def observe(self, channel: Channel, kind: ActionKind, object_id: str) -> Observed:
        return Observed.GONE if _gone(channel, object_id) else Observed.VISIBLE


def _find_post(channel: Channel, text: str) -> ActionDone | None:
    """A post (not a reply) with this text among the newest statuses of the token's account."""
    account = _call(channel, "GET", "/api/v1/accounts/verify_credentials")
    account_id = _id(str(account.get("id") or "") if isinstance(account, dict) else "")
    statuses = _call(
        channel,
        "GET",
        f"/api/v1/accounts/{account_id}/statuses?exclude_replies=true&limit={PAGE_SIZE}",
    )
    wanted = _words(text)
    for status in statuses if isinstance(statuses, list) else []:
        if status.get("in_reply_to_id") is None and _words(status_text(status)) == wanted:
            return ActionDone(object_id=str(status["id"]), url=clean_url(status.get("url")))
    return None


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


def _gone(channel: Channel, status_id: str) -> bool:
    """Read a status back: False when it is there, True on 404; other failures raise."""
    try:
        _call(channel, "GET", f"/api/v1/statuses/{_id(status_id)}")
    except _NotFound:
        return True
    return False


class _NotFound(ActionRejected):
    """404: the status does not exist (any more), or is not the account's to act on."""


def _id(status_id: str) -> str:
    """Mastodon ids are decimal strings; anything else must not reach a URL path."""
    if not status_id.isdigit():
        raise ActionRejected(f"Mastodon: not a status id: {status_id[:40]!r}")
    return status_id


def _call(
    channel: Channel, method: str, path: str, *, data: dict[str, str] | None = None, key: str = ""
) -> Any:
    """One API request, its answer's JSON; errors in the connector's words: 429 and transient
    failures retry later, a refusal (401, 403, 404, 422) is final.

    Plain HTTP rather than Mastodon.py: the library casts every answer into typed objects,
    which costs more than the request itself, and actions read two fields.
    """
    base_url = instance_url(channel.url)
    try:
        public_server_check(base_url)
    except AddressRefused as refusal:
        raise ConnectorError(f"Mastodon: {refusal}") from None
    headers = {"Authorization": f"Bearer {channel.access_token}", "User-Agent": "GovSocial"}
    if key:
        headers["Idempotency-Key"] = key
    try:
        response = http_session.session().request(
            method, f"{base_url}{path}", data=data, headers=headers, timeout=REQUEST_TIMEOUT
        )
    except requests.RequestException as error:
        raise ConnectorError(f"Mastodon: {type(error).__name__}") from None
    status = response.status_code
    if status < 400:
        try:
            return response.json()
        except ValueError:
            raise ConnectorError(f"Mastodon: {status} with an answer that is not JSON") from None
    message = f"Mastodon: {status} {_error_text(response)}"
    if status == 429:
        raise RateLimited(_reset_at(response.headers.get("X-RateLimit-Reset", "")))
    if status == 404:
        raise _NotFound(message)
    if status in (401, 403, 422):  # bad token, forbidden, or the text was refused
        raise ActionRejected(message)
    raise ConnectorError(message)


def _error_text(response: requests.Response) -> str:
    """The Error entity's ``error`` (https://docs.joinmastodon.org/entities/Error/)."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    return clean_text(body.get("error") if isinstance(body, dict) else "", 500)


def _reset_at(header: str) -> datetime:
    """``X-RateLimit-Reset`` is an ISO 8601 time (https://docs.joinmastodon.org/api/rate-limits/)."""
    try:
        reset = datetime.fromisoformat(header)
    except ValueError:
        return datetime.now(UTC) + DEFAULT_BACKOFF
    return _reset_time(reset.timestamp())


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
        session=http_session.session(),
        ratelimit_method="throw",
        request_timeout=REQUEST_TIMEOUT,
        version_check_mode="none",
        user_agent="GovSocial",
    )


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
    return ItemEvent(
        external_id=external_id,
        verb=Verb.CREATE,
        occurred_at=parse_iso_time(status.get("created_at"), f"{where}.status.created_at"),
        kind="direct_message" if status.get("visibility") == "direct" else "mention",
        author_name=clean_text(account.get("display_name") or account.get("acct"), 255),
        author_handle=clean_text(f"@{account['acct']}" if account.get("acct") else "", 255),
        author_url=clean_url(account.get("url")),
        text=status_text(status),
        language=clean_language(status.get("language")),
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
