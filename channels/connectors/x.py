"""X: posts mentioning the institution's account and replies to its posts, read by polling the
mentions timeline or received through the Account Activity webhook; replies, hides and deletes
done as the account (X API v2).

Documented calls (https://docs.x.com/x-api):
- read: ``GET /2/users/:id/mentions`` with ``since_id``, ``pagination_token``, ``max_results``
  (5-100), ``tweet.fields``, ``expansions=author_id``; newest first, ``meta.newest_id`` and
  ``meta.next_token`` (https://docs.x.com/x-api/posts/timelines/introduction);
- webhook: the Account Activity API's challenge-response check (a ``GET`` with ``crc_token``
  answered ``{"response_token": "sha256=" + base64(HMAC-SHA256(consumer secret, crc_token))}``)
  and the ``x-twitter-webhooks-signature`` header on deliveries, the same HMAC of the body;
  ``tweet_create_events`` carry v1.1 post objects, ``tweet_delete_events`` deletions, and
  ``for_user_id`` names the subscribed account
  (https://docs.x.com/x-api/account-activity/introduction, .../webhooks/introduction);
- reply: ``POST /2/tweets`` ``{"text", "reply": {"in_reply_to_tweet_id"}}`` (201 ``{"data":
  {"id", "text"}}``, https://docs.x.com/x-api/posts/manage-tweets/introduction);
- hide/unhide: ``PUT /2/tweets/:id/hidden`` ``{"hidden": true|false}`` (``{"data": {"hidden"}}``;
  only replies in conversations the account started; scopes tweet.read users.read
  tweet.moderate.write; https://docs.x.com/x-api/posts/hide-replies/introduction);
- delete: ``DELETE /2/tweets/:id``, the account's own posts only (``{"data": {"deleted"}}``);
- read back: ``GET /2/tweets/:id``: a post that no longer exists answers 404 or an ``errors``
  entry of type ``https://api.twitter.com/2/problems/resource-not-found``. No v2 lookup says
  whether a reply is hidden: a hide cannot be verified (``Capability.verify`` is empty);
- errors: problem objects ``{"title", "detail", "type", "status"}``; 429 with
  ``x-rate-limit-reset`` (epoch seconds) means later; 400, 401 and 403 are final
  (https://docs.x.com/x-api/fundamentals/response-codes-and-errors, .../rate-limits).

The channel's ``handle`` holds the account's numeric user id, the access token is an OAuth 2.0
user token (scopes tweet.read tweet.write users.read tweet.moderate.write offline.access), the
signing secret the app's consumer secret (for the webhook). The account's own posts are its own
activity (``ItemEvent.own``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from channels.connectors import rest
from channels.connectors.actions import (
    ActionDone,
    ActionKind,
    ActionRejected,
    ActionRequest,
    Capability,
    Observed,
)
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
from channels.connectors.polling import ConnectorError, Page, RateLimited

if TYPE_CHECKING:
    import requests

    from channels.models import Channel

LABEL = "X"
PAGE_SIZE = 100
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
TWEET_FIELDS = "author_id,conversation_id,created_at,in_reply_to_user_id,lang,referenced_tweets"


class XConnector:
    platform = "x"
    source = "x"
    capabilities: Mapping[ActionKind, Capability] = {
        ActionKind.REPLY: Capability(
            call='POST /2/tweets {"text", "reply": {"in_reply_to_tweet_id"}}',
            verify="GET /2/tweets/:id",
        ),
        ActionKind.HIDE: Capability(
            call='PUT /2/tweets/:id/hidden {"hidden": true}',
            note="Only replies to conversations the account started. X's API does not say "
            "whether a reply is hidden, so a hide cannot be read back.",
        ),
        ActionKind.UNHIDE: Capability(
            call='PUT /2/tweets/:id/hidden {"hidden": false}',
            note="Not verifiable either, for the same reason.",
        ),
        ActionKind.DELETE: Capability(
            call="DELETE /2/tweets/:id",
            verify="GET /2/tweets/:id (resource-not-found)",
            note="The account's own posts only; another person's reply can only be hidden.",
        ),
    }

    # -- ingest ---------------------------------------------------------------------------

    def configured(self, channel: Channel) -> bool:
        return bool((channel.handle or "").isdigit() and channel.access_token_encrypted)

    def fetch(self, channel: Channel, cursor: str) -> Page:
        since, newest, page_token = rest.cursor_parts(cursor)
        params = {
            "max_results": PAGE_SIZE,
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": "name,username",
        }
        if since:
            params["since_id"] = since
        if page_token:
            params["pagination_token"] = page_token
        response = rest.call(
            "x",
            "GET",
            f"/users/{channel.handle}/mentions",
            token=channel.access_token,
            label=LABEL,
            params=params,
        )
        body = _checked(response, ConnectorError)
        users = {u.get("id"): u for u in (body.get("includes") or {}).get("users") or []}
        tweets = [t for t in body.get("data") or [] if isinstance(t, dict)]
        records = [
            {"account_id": channel.handle, "tweet": t, "author": users.get(t.get("author_id"), {})}
            for t in sorted(tweets, key=lambda t: _id_key(t.get("id")))
        ]
        meta = body.get("meta") or {}
        newest = max([newest, str(meta.get("newest_id") or "")], key=_id_key) or since
        next_token = str(meta.get("next_token") or "")
        # Without a cursor only the latest page: history is not moderation work.
        if since and next_token:
            return Page(records, rest.cursor_join(since, newest, next_token), more=True)
        return Page(records, newest, more=False)

    def parse(self, payload: object) -> list[ItemEvent]:
        """A polled page (``{"records": [...]}``) or an Account Activity delivery."""
        if isinstance(payload, dict) and isinstance(payload.get("records"), list):
            return [_polled_event(r, f"records[{i}]") for i, r in enumerate(payload["records"])]
        if isinstance(payload, dict) and payload.get("for_user_id"):
            return _activity_events(payload)
        raise PayloadError(
            "Expected a 'records' list or an Account Activity event with 'for_user_id'."
        )

    # -- actions --------------------------------------------------------------------------

    def perform(self, channel: Channel, request: ActionRequest) -> ActionDone:
        if request.kind == ActionKind.REPLY:
            body = self._send(
                channel,
                "POST",
                "/tweets",
                {"text": request.text, "reply": {"in_reply_to_tweet_id": request.target_id}},
            )
            post_id = str((body.get("data") or {}).get("id") or "")
            if not post_id:
                raise ConnectorError("X: the reply was accepted without an id.")
            return ActionDone(object_id=post_id, url=f"https://x.com/i/web/status/{post_id}")
        if request.kind in (ActionKind.HIDE, ActionKind.UNHIDE):
            hidden = request.kind == ActionKind.HIDE
            self._send(channel, "PUT", f"/tweets/{request.target_id}/hidden", {"hidden": hidden})
            return ActionDone(object_id=request.target_id)
        if request.kind == ActionKind.DELETE:
            self._send(channel, "DELETE", f"/tweets/{request.target_id}")
            return ActionDone(object_id=request.target_id)
        raise ActionRejected(f"X: {request.kind} is not supported.")

    def find_done(self, channel: Channel, request: ActionRequest) -> ActionDone | None:
        """X takes no idempotency key: after an unknown outcome, look for the account's reply
        to the target with the same text among its posts since the target."""
        if request.kind != ActionKind.REPLY:
            return None  # hiding and deleting again is harmless
        response = rest.call(
            "x",
            "GET",
            f"/users/{channel.handle}/tweets",
            token=channel.access_token,
            label=LABEL,
            params={
                "since_id": request.target_id,
                "max_results": PAGE_SIZE,
                "tweet.fields": "referenced_tweets",
            },
        )
        for tweet in _checked(response, ActionRejected).get("data") or []:
            replied = {
                r.get("id")
                for r in tweet.get("referenced_tweets") or []
                if r.get("type") == "replied_to"
            }
            if (
                request.target_id in replied
                and tweet.get("text", "").strip() == request.text.strip()
            ):
                return ActionDone(object_id=str(tweet["id"]))
        return None

    def observe(self, channel: Channel, kind: ActionKind, object_id: str) -> Observed:
        response = rest.call(
            "x", "GET", f"/tweets/{object_id}", token=channel.access_token, label=LABEL
        )
        if response.status_code == 404:
            return Observed.GONE
        body = _checked(response, ActionRejected)
        errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
        if not body.get("data") and any(e.get("type") == NOT_FOUND for e in errors):
            return Observed.GONE
        if kind in (ActionKind.HIDE, ActionKind.UNHIDE):
            raise ActionRejected("X: the API does not say whether a reply is hidden.")
        return Observed.VISIBLE if body.get("data") else Observed.GONE

    def _send(self, channel: Channel, method: str, path: str, json: Any = None) -> dict[str, Any]:
        response = rest.call("x", method, path, token=channel.access_token, label=LABEL, json=json)
        return _checked(response, ActionRejected)


CONNECTOR = XConnector()


def crc_response(consumer_secret: str, crc_token: str) -> str:
    """The Account Activity challenge's answer (also the form of a delivery's signature)."""
    return signature(consumer_secret, crc_token.encode())


def signature(consumer_secret: str, message: bytes) -> str:
    digest = hmac.new(consumer_secret.encode(), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def _checked(response: requests.Response, final: type[Exception]) -> dict[str, Any]:
    body = rest.body_of(response)
    if response.status_code < 400:
        return body
    message = "X: {} {}: {}".format(
        response.status_code,
        clean_text(body.get("title") or "error", 100),
        clean_text(body.get("detail"), 300),
    )
    if response.status_code == 429:
        raise RateLimited(rest.epoch_time(response.headers.get("x-rate-limit-reset")))
    if response.status_code >= 500:
        raise ConnectorError(message)
    raise final(message)


def _id_key(identifier: object) -> tuple[int, str]:
    """Post ids are decimal strings: by length, then lexically."""
    text = str(identifier or "")
    return len(text), text


def _polled_event(record: Any, where: str) -> ItemEvent:
    if not isinstance(record, dict) or not isinstance(record.get("tweet"), dict):
        raise PayloadError(f"{where} must be an object with a 'tweet'.")
    tweet, account = record["tweet"], str(record.get("account_id") or "")
    author = record["author"] if isinstance(record.get("author"), dict) else {}
    external_id = clean_text(tweet.get("id"), 255)
    if not external_id:
        raise PayloadError(f"{where}.tweet.id is required.")
    username = clean_text(author.get("username"), 100)
    replied = [
        r.get("id")
        for r in tweet.get("referenced_tweets") or []
        if isinstance(r, dict) and r.get("type") == "replied_to"
    ]
    return ItemEvent(
        external_id=external_id,
        verb=Verb.CREATE,
        occurred_at=parse_iso_time(tweet.get("created_at"), f"{where}.tweet.created_at"),
        kind="reply" if account and tweet.get("in_reply_to_user_id") == account else "mention",
        author_name=clean_text(author.get("name") or username, 255),
        author_handle=f"@{username}" if username else "",
        author_url=f"https://x.com/{username}" if username else "",
        text=clean_text(tweet.get("text")),
        language=clean_language(tweet.get("lang")),
        permalink=_permalink(username, external_id),
        parent_external_id=clean_text(replied[0] if replied else "", 255),
        raw=clean_json(record),
        own=bool(account) and tweet.get("author_id") == account,
    )


def _activity_events(payload: dict[str, Any]) -> list[ItemEvent]:
    account = str(payload["for_user_id"])
    events = []
    for index, tweet in enumerate(payload.get("tweet_create_events") or []):
        events.append(_activity_event(tweet, account, f"tweet_create_events[{index}]"))
    for index, deletion in enumerate(payload.get("tweet_delete_events") or []):
        status = deletion.get("status") if isinstance(deletion, dict) else None
        if not isinstance(status, dict) or not status.get("id"):
            raise PayloadError(f"tweet_delete_events[{index}].status.id is required.")
        events.append(ItemEvent(external_id=clean_text(status["id"], 255), verb=Verb.REMOVE))
    return events


def _activity_event(tweet: Any, account: str, where: str) -> ItemEvent:
    """A v1.1 post object, as Account Activity deliveries carry them."""
    if not isinstance(tweet, dict) or not tweet.get("id_str"):
        raise PayloadError(f"{where}.id_str is required.")
    user = tweet["user"] if isinstance(tweet.get("user"), dict) else {}
    username = clean_text(user.get("screen_name"), 100)
    extended = tweet["extended_tweet"] if isinstance(tweet.get("extended_tweet"), dict) else {}
    external_id = clean_text(tweet["id_str"], 255)
    return ItemEvent(
        external_id=external_id,
        verb=Verb.CREATE,
        occurred_at=_v1_time(tweet.get("created_at"), f"{where}.created_at"),
        kind="reply" if tweet.get("in_reply_to_user_id_str") == account else "mention",
        author_name=clean_text(user.get("name") or username, 255),
        author_handle=f"@{username}" if username else "",
        author_url=f"https://x.com/{username}" if username else "",
        text=clean_text(extended.get("full_text") or tweet.get("text")),
        language=clean_language(tweet.get("lang")),
        permalink=_permalink(username, external_id),
        parent_external_id=clean_text(tweet.get("in_reply_to_status_id_str"), 255),
        raw=clean_json(tweet),
        own=user.get("id_str") == account,
    )


def _v1_time(value: object, field_name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(str(value), "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        raise PayloadError(
            f"{field_name} is not a v1.1 time (e.g. Wed Oct 10 20:19:24 +0000 2018)."
        ) from None


def _permalink(username: str, post_id: str) -> str:
    return clean_url(f"https://x.com/{username or 'i/web'}/status/{post_id}")
