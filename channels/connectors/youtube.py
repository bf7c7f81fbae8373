"""YouTube: the channel's comment threads, read by polling, answered and moderated as the
channel's owner (YouTube Data API v3).

Documented calls (https://developers.google.com/youtube/v3/docs):
- read: ``GET commentThreads?part=snippet,replies&allThreadsRelatedToChannelId=...&order=time``
  (commentThreads/list; newest first, ``nextPageToken``/``pageToken``);
- reply: ``POST comments?part=snippet`` with ``snippet.parentId`` (comments/insert; a reply
  goes under a top-level comment, so a reply to a reply goes under its parent);
- hide, remove, unhide: ``POST comments/setModerationStatus?id=...&moderationStatus=`` with
  ``heldForReview``, ``rejected``, ``published`` (comments/setModerationStatus, 204). Google:
  "To remove a comment authored by another user from your channel or video, set its moderation
  status to rejected. The comments.delete method can only be used by the comment's original
  author"; so a DELETE of the channel's own comment uses ``DELETE comments?id=`` and any other
  one is rejected. A rejected comment cannot be published again;
- read back: ``GET comments?part=snippet&id=...`` (comments/list). Rejected and deleted comments
  are not returned ("the API does not currently provide a way to list or otherwise discover
  rejected comments"): absent means gone. ``snippet.moderationStatus`` is only returned to the
  owner and not with the ``id`` filter, so "held for review" is read from the held queue,
  ``commentThreads?moderationStatus=heldForReview``.
- errors (https://developers.google.com/youtube/v3/docs/errors): ``{"error": {"code",
  "message", "errors": [{"reason", "domain"}]}}``; 403 ``quotaExceeded`` (the daily quota,
  reset at midnight Pacific time, https://developers.google.com/youtube/v3/getting-started#quota)
  and ``rateLimitExceeded`` mean later; 403 ``forbidden``/``insufficientPermissions``, 404
  ``commentNotFound`` and 400 are final.

Scope: ``https://www.googleapis.com/auth/youtube.force-ssl``. The channel's ``handle`` holds the
YouTube channel id (``UC`` + 22 characters), the access token is the owner's OAuth token.
Comments whose author is the channel itself are its own activity (``ItemEvent.own``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

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
    clean_text,
    clean_url,
    parse_iso_time,
)
from channels.connectors.polling import ConnectorError, Page, RateLimited, page_records

if TYPE_CHECKING:
    import requests

    from channels.models import Channel

LABEL = "YouTube"
PAGE_SIZE = 100  # commentThreads.list's maximum
HELD_PAGES = 5  # pages of the held queue searched when verifying a hide
CHANNEL_ID = re.compile(r"UC[\w-]{22}")
PACIFIC = ZoneInfo("America/Los_Angeles")
LATER_REASONS = {"quotaExceeded", "rateLimitExceeded", "userRateLimitExceeded"}
MODERATION = {
    ActionKind.HIDE: "heldForReview",
    ActionKind.UNHIDE: "published",
    ActionKind.DELETE: "rejected",
}


class YouTubeConnector:
    platform = "youtube"
    source = "youtube"
    capabilities: Mapping[ActionKind, Capability] = {
        ActionKind.REPLY: Capability(
            call="POST comments?part=snippet {snippet: {parentId, textOriginal}}",
            verify="GET comments?part=snippet&id=",
            note="Replies go under the top-level comment (YouTube threads have one level).",
        ),
        ActionKind.HIDE: Capability(
            call="POST comments/setModerationStatus?moderationStatus=heldForReview",
            verify="GET commentThreads?moderationStatus=heldForReview (the held queue)",
            note="Held for review: hidden from the public until published again.",
        ),
        ActionKind.UNHIDE: Capability(
            call="POST comments/setModerationStatus?moderationStatus=published",
            verify="GET comments?part=snippet&id= and the held queue",
            note="A rejected (removed) comment cannot be published again.",
        ),
        ActionKind.DELETE: Capability(
            call="POST comments/setModerationStatus?moderationStatus=rejected "
            "(DELETE comments?id= for the channel's own comments)",
            verify="GET comments?part=snippet&id= (a rejected comment is no longer returned)",
            note="Only the author may delete a comment; the owner rejects the others'.",
        ),
    }

    # -- ingest ---------------------------------------------------------------------------

    def configured(self, channel: Channel) -> bool:
        return bool(CHANNEL_ID.fullmatch(channel.handle or "") and channel.access_token_encrypted)

    def fetch(self, channel: Channel, cursor: str) -> Page:
        since, newest, page_token = rest.cursor_parts(cursor)
        params = {
            "part": "snippet,replies",
            "allThreadsRelatedToChannelId": channel.handle,
            "order": "time",
            "maxResults": PAGE_SIZE,
            "textFormat": "plainText",
        }
        if page_token:
            params["pageToken"] = page_token
        body = self._get(channel, "/commentThreads", params, final=ConnectorError)
        threads = [t for t in body.get("items") or [] if isinstance(t, dict)]
        since_at = _time(since)
        fresh = [t for t in threads if since_at is None or _latest(t) > since_at]
        fresh.sort(key=_latest)
        times = [t for t in [_time(newest), *(_latest(t) for t in fresh)] if t is not None]
        newest = max(times).isoformat() if times else since
        # Without a cursor only the latest page: history is not moderation work.
        reached = since_at is None or len(fresh) < len(threads)
        next_token = str(body.get("nextPageToken") or "")
        if next_token and not reached:
            return Page(fresh, rest.cursor_join(since, newest, next_token), more=True)
        return Page(fresh, newest, more=False)

    def parse(self, payload: object) -> list[ItemEvent]:
        events: list[ItemEvent] = []
        for index, thread in enumerate(page_records(payload)):
            events.extend(_thread_events(thread, f"records[{index}]"))
        return events

    # -- actions --------------------------------------------------------------------------

    def perform(self, channel: Channel, request: ActionRequest) -> ActionDone:
        if request.kind == ActionKind.REPLY:
            return self._reply(channel, request)
        if request.kind == ActionKind.DELETE:
            comment = self._comment(channel, request.target_id)
            if comment is None:  # rejected or deleted already: nothing left to remove
                return ActionDone(object_id=request.target_id)
            if _author(comment) == channel.handle:
                self._send(channel, "DELETE", "/comments", params={"id": request.target_id})
                return ActionDone(object_id=request.target_id)
        if request.kind not in MODERATION:
            raise ActionRejected(f"YouTube: {request.kind} is not supported.")
        self._send(
            channel,
            "POST",
            "/comments/setModerationStatus",
            params={"id": request.target_id, "moderationStatus": MODERATION[request.kind]},
        )
        return ActionDone(object_id=request.target_id)

    def find_done(self, channel: Channel, request: ActionRequest) -> ActionDone | None:
        if request.kind != ActionKind.REPLY:
            return None  # moderation statuses are idempotent: sending again is harmless
        parent = self._top_level_id(channel, request.target_id)
        body = self._get(
            channel,
            "/comments",
            {"part": "snippet", "parentId": parent, "maxResults": 100, "textFormat": "plainText"},
            final=ActionRejected,
        )
        for comment in body.get("items") or []:
            snippet = comment.get("snippet") or {}
            text = snippet.get("textOriginal") or snippet.get("textDisplay")
            if _author(comment) == channel.handle and text == request.text:
                return ActionDone(object_id=str(comment["id"]))
        return None

    def observe(self, channel: Channel, kind: ActionKind, object_id: str) -> Observed:
        comment = self._comment(channel, object_id)
        if comment is None:
            return Observed.GONE
        status = (comment.get("snippet") or {}).get("moderationStatus")
        if status in ("heldForReview", "likelySpam"):
            return Observed.HIDDEN
        if status == "rejected":
            return Observed.GONE
        if status is None and kind in (ActionKind.HIDE, ActionKind.UNHIDE):
            return Observed.HIDDEN if self._held(channel, object_id) else Observed.VISIBLE
        return Observed.VISIBLE

    # -- calls ----------------------------------------------------------------------------

    def _reply(self, channel: Channel, request: ActionRequest) -> ActionDone:
        parent = self._top_level_id(channel, request.target_id)
        body = self._send(
            channel,
            "POST",
            "/comments",
            params={"part": "snippet"},
            json={"snippet": {"parentId": parent, "textOriginal": request.text}},
        )
        if not body.get("id"):
            raise ConnectorError("YouTube: the reply was accepted without an id.")
        return ActionDone(object_id=str(body["id"]))

    def _top_level_id(self, channel: Channel, comment_id: str) -> str:
        """YouTube replies only under a top-level comment: a reply's parent takes its place."""
        comment = self._comment(channel, comment_id)
        if comment is None:
            raise ActionRejected("YouTube: the comment no longer exists.")
        return str((comment.get("snippet") or {}).get("parentId") or comment_id)

    def _comment(self, channel: Channel, comment_id: str) -> dict[str, Any] | None:
        body = self._get(
            channel,
            "/comments",
            {"part": "snippet", "id": comment_id, "textFormat": "plainText"},
            final=ActionRejected,
        )
        items = [i for i in body.get("items") or [] if isinstance(i, dict)]
        return items[0] if items else None

    def _held(self, channel: Channel, comment_id: str) -> bool:
        """Whether the comment is in the channel's held-for-review queue."""
        params: dict[str, Any] = {
            "part": "snippet,replies",
            "allThreadsRelatedToChannelId": channel.handle,
            "moderationStatus": "heldForReview",
            "maxResults": PAGE_SIZE,
            "textFormat": "plainText",
        }
        for _ in range(HELD_PAGES):
            body = self._get(channel, "/commentThreads", params, final=ActionRejected)
            for thread in body.get("items") or []:
                if comment_id in {str(c.get("id")) for c in _comments(thread)}:
                    return True
            if not body.get("nextPageToken"):
                return False
            params["pageToken"] = body["nextPageToken"]
        return False

    def _get(
        self,
        channel: Channel,
        path: str,
        params: dict[str, Any],
        *,
        final: type[Exception],
    ) -> dict[str, Any]:
        response = rest.call(
            "youtube", "GET", path, token=channel.access_token, label=LABEL, params=params
        )
        return _checked(response, final)

    def _send(
        self,
        channel: Channel,
        method: str,
        path: str,
        *,
        params: dict[str, Any],
        json: Any = None,
    ) -> dict[str, Any]:
        response = rest.call(
            "youtube",
            method,
            path,
            token=channel.access_token,
            label=LABEL,
            params=params,
            json=json,
        )
        return _checked(response, ActionRejected)


CONNECTOR = YouTubeConnector()


def _checked(response: requests.Response, final: type[Exception]) -> dict[str, Any]:
    """The answer's body, or the documented error as ``RateLimited``, ``final`` (refusals:
    ``ActionRejected`` for actions, ``ConnectorError`` for polling) or ``ConnectorError``."""
    body = rest.body_of(response)
    if response.status_code < 400:
        return body
    error: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else {}
    reasons = [str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)]
    message = f"YouTube: {response.status_code} {', '.join(reasons) or 'error'}: " + clean_text(
        error.get("message"), 300
    )
    if response.status_code == 429 or LATER_REASONS.intersection(reasons):
        quota = "quotaExceeded" in reasons
        raise RateLimited(_next_pacific_midnight() if quota else _soon())
    if response.status_code >= 500:
        raise ConnectorError(message)
    raise final(message)


def _next_pacific_midnight() -> datetime:
    """When YouTube's daily quota resets."""
    now = datetime.now(PACIFIC)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0, 5), tzinfo=PACIFIC)
    return midnight.astimezone(UTC)


def _soon() -> datetime:
    return datetime.now(UTC) + rest.DEFAULT_BACKOFF


def _time(value: object) -> datetime | None:
    try:
        return parse_iso_time(value, "time")
    except PayloadError:
        return None


def _comments(thread: Any) -> list[dict[str, Any]]:
    """The thread's top-level comment and the replies it carries."""
    if not isinstance(thread, dict):
        return []
    snippet = thread["snippet"] if isinstance(thread.get("snippet"), dict) else {}
    replies = thread["replies"] if isinstance(thread.get("replies"), dict) else {}
    top = snippet.get("topLevelComment")
    found = [top] if isinstance(top, dict) else []
    return found + [r for r in replies.get("comments") or [] if isinstance(r, dict)]


def _latest(thread: dict[str, Any]) -> datetime:
    """The thread's latest activity: its newest comment or edit."""
    times = []
    for comment in _comments(thread):
        snippet = comment.get("snippet") or {}
        for name in ("updatedAt", "publishedAt"):
            moment = _time(snippet.get(name))
            if moment is not None:
                times.append(moment)
    return max(times, default=datetime.min.replace(tzinfo=UTC))


def _author(comment: dict[str, Any]) -> str:
    author = (comment.get("snippet") or {}).get("authorChannelId")
    return str(author.get("value") or "") if isinstance(author, dict) else ""


def _thread_events(thread: Any, where: str) -> list[ItemEvent]:
    if not isinstance(thread, dict) or not isinstance(thread.get("snippet"), dict):
        raise PayloadError(f"{where} must be a commentThread with a snippet.")
    snippet = thread["snippet"]
    if not isinstance(snippet.get("topLevelComment"), dict):
        raise PayloadError(f"{where}.snippet.topLevelComment is required.")
    owner = str(snippet.get("channelId") or "")
    video = clean_text(snippet.get("videoId"), 100)
    return [
        _event(comment, f"{where} comment {n}", owner, video)
        for n, comment in enumerate(_comments(thread))
    ]


def _event(comment: dict[str, Any], where: str, owner: str, video: str) -> ItemEvent:
    external_id = clean_text(comment.get("id"), 255)
    snippet = comment.get("snippet")
    if not external_id or not isinstance(snippet, dict):
        raise PayloadError(f"{where}: id and snippet are required.")
    parent = clean_text(snippet.get("parentId"), 255)
    author = _author(comment)
    link = f"https://www.youtube.com/watch?v={video}&lc={external_id}" if video else ""
    return ItemEvent(
        external_id=external_id,
        verb=Verb.CREATE,
        occurred_at=parse_iso_time(snippet.get("publishedAt"), f"{where}.snippet.publishedAt"),
        kind="reply" if parent else "comment",
        author_name=clean_text(snippet.get("authorDisplayName"), 255),
        author_handle=clean_text(author, 255),
        author_url=clean_url(snippet.get("authorChannelUrl")),
        text=clean_text(snippet.get("textOriginal") or snippet.get("textDisplay")),
        permalink=clean_url(link),
        parent_external_id=parent,
        raw=clean_json(comment),
        own=bool(owner) and author == owner,
    )
