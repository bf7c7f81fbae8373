"""LinkedIn organisation page: comments on the organisation's posts, read by polling, answered
and deleted as the organisation (Community Management API, ``/rest`` versioned endpoints).

Documented calls (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/):
- the organisation's posts: ``GET /rest/posts?author={organization urn}&q=author&count=&sortBy=
  LAST_MODIFIED`` (shares/posts-api, "Find Posts by Authors");
- their comments: ``GET /rest/socialActions/{post urn}/comments`` and replies under a comment
  ``GET /rest/socialActions/{comment urn}/comments`` (shares/comments-api; ``elements``,
  ``paging``; a comment has ``actor``, ``commentUrn``, ``created.time`` in epoch milliseconds,
  ``message.text``, ``object``, ``parentComment`` for a reply);
- reply: ``POST /rest/socialActions/{comment urn}/comments`` ``{"actor": organization urn,
  "object": activity urn, "message": {"text"}, "parentComment": comment urn}`` (201, the
  created comment); LinkedIn nests one level, so a reply to a reply goes under its parent;
- delete: ``DELETE /rest/socialActions/{activity urn}/comments/{comment id}?actor={organization
  urn}`` (204): the organisation's own comments, and members' comments on the organisation's
  posts as its administrator; LinkedIn answers 403 for anything else, which sends the
  action to the manual list;
- read back: ``GET /rest/socialActions/{activity urn}/comments/{comment id}`` (404: gone);
- no hide: the Community Management API has no call to hide a comment (docs/platforms.md);
- every call carries ``LinkedIn-Version`` (YYYYMM) and ``X-Restli-Protocol-Version: 2.0.0``,
  URNs in paths are URL-encoded; errors are ``{"status", "serviceErrorCode", "message"}``; 429
  when a daily application or member limit is reached, which resets at midnight UTC
  (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits).

Permissions: r_organization_social and w_organization_social (ADMINISTRATOR role on the page;
newer API versions call them r_/w_organization_social_feed). The channel's ``handle`` holds the
organisation id (``12345`` or ``urn:li:organization:12345``). Comments whose ``actor`` is the
organisation are its own activity (``ItemEvent.own``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from channels.connectors import rest
from channels.connectors.actions import (
    ActionDone,
    ActionKind,
    ActionRejected,
    ActionRequest,
    Capability,
    Observed,
)
from channels.connectors.base import ItemEvent, PayloadError, Verb, clean_json, clean_text
from channels.connectors.polling import ConnectorError, Page, RateLimited, page_records

if TYPE_CHECKING:
    import requests

    from channels.models import Channel

LABEL = "LinkedIn"
VERSION = "202601"
POSTS = 10  # the most recently modified posts read at each poll
PAGE_SIZE = 100
ORGANIZATION = re.compile(r"(?:urn:li:organization:)?(\d+)")
COMMENT_URN = re.compile(r"urn:li:comment:\((urn:li:\w+:[^,()]+),([^,()]+)\)")
HEADERS = {"LinkedIn-Version": VERSION, "X-Restli-Protocol-Version": "2.0.0"}


class LinkedInConnector:
    platform = "linkedin"
    source = "linkedin"
    capabilities: Mapping[ActionKind, Capability] = {
        ActionKind.REPLY: Capability(
            call="POST /rest/socialActions/{comment urn}/comments "
            "{actor: organization, object, message, parentComment}",
            verify="GET /rest/socialActions/{activity urn}/comments/{id}",
            note="Replies nest one level: a reply to a reply goes under its parent.",
        ),
        ActionKind.DELETE: Capability(
            call="DELETE /rest/socialActions/{activity urn}/comments/{id}?actor=organization",
            verify="GET /rest/socialActions/{activity urn}/comments/{id} (404)",
            note="The page's own comments, and comments on its own posts as administrator.",
        ),
    }

    # -- ingest ---------------------------------------------------------------------------

    def configured(self, channel: Channel) -> bool:
        return bool(_organization(channel) and channel.access_token_encrypted)

    def fetch(self, channel: Channel, cursor: str) -> Page:
        """New comments (and replies) on the organisation's latest posts since ``cursor``
        (epoch milliseconds of the newest one seen); one page: the volume of a page's posts
        is small, and a longer backlog continues at the next poll."""
        organization = _organization(channel)
        since = int(cursor) if cursor.isdigit() else 0
        posts = _get(
            channel,
            "/posts",
            {"author": organization, "q": "author", "count": POSTS, "sortBy": "LAST_MODIFIED"},
            final=ConnectorError,
        )
        records = []
        for post in posts.get("elements") or []:
            post_urn = str(post.get("id") or "")
            for comment in _comments_under(channel, post_urn, final=ConnectorError):
                if _millis(comment) > since:
                    records.append(
                        {"organization": organization, "post": post_urn, "comment": comment}
                    )
        records.sort(key=lambda r: _millis(r["comment"]))
        newest = max([since, *(_millis(r["comment"]) for r in records)])
        return Page(records, str(newest) if newest else "", more=False)

    def parse(self, payload: object) -> list[ItemEvent]:
        return [_event(record, f"records[{i}]") for i, record in enumerate(page_records(payload))]

    # -- actions --------------------------------------------------------------------------

    def perform(self, channel: Channel, request: ActionRequest) -> ActionDone:
        activity, comment_id = _parts(request.target_id)
        if request.kind == ActionKind.DELETE:
            response = _call(
                channel,
                "DELETE",
                f"/socialActions/{_enc(activity)}/comments/{comment_id}",
                params={"actor": _organization(channel)},
            )
            if response.status_code != 404:  # already gone: the deletion holds
                _checked(response, ActionRejected)
            return ActionDone(object_id=request.target_id)
        if request.kind != ActionKind.REPLY:
            raise ActionRejected(f"LinkedIn: {request.kind} is not supported.")
        parent = self._parent(channel, request.target_id)
        response = _call(
            channel,
            "POST",
            f"/socialActions/{_enc(parent)}/comments",
            json={
                "actor": _organization(channel),
                "object": activity,
                "message": {"text": request.text},
                "parentComment": parent,
            },
        )
        body = _checked(response, ActionRejected)
        created = str(
            body.get("commentUrn") or body.get("$URN") or response.headers.get("x-restli-id") or ""
        )
        if not COMMENT_URN.fullmatch(created):
            raise ConnectorError("LinkedIn: the reply was accepted without a comment URN.")
        return ActionDone(object_id=created)

    def find_done(self, channel: Channel, request: ActionRequest) -> ActionDone | None:
        if request.kind != ActionKind.REPLY:
            return None  # deleting again is harmless
        parent = self._parent(channel, request.target_id)
        for comment in _comments(channel, parent, final=ActionRejected):
            text = (comment.get("message") or {}).get("text")
            if comment.get("actor") == _organization(channel) and text == request.text:
                return ActionDone(object_id=_urn(comment))
        return None

    def observe(self, channel: Channel, kind: ActionKind, object_id: str) -> Observed:
        activity, comment_id = _parts(object_id)
        response = _call(channel, "GET", f"/socialActions/{_enc(activity)}/comments/{comment_id}")
        if response.status_code == 404:
            return Observed.GONE
        _checked(response, ActionRejected)
        return Observed.VISIBLE

    def _parent(self, channel: Channel, comment_urn: str) -> str:
        """The comment a reply goes under: the target, or its parent when it is a reply."""
        activity, comment_id = _parts(comment_urn)
        response = _call(channel, "GET", f"/socialActions/{_enc(activity)}/comments/{comment_id}")
        if response.status_code == 404:
            raise ActionRejected("LinkedIn: the comment no longer exists.")
        comment = _checked(response, ActionRejected)
        return str(comment.get("parentComment") or comment_urn)


CONNECTOR = LinkedInConnector()


def _organization(channel: Channel) -> str:
    match = ORGANIZATION.fullmatch((channel.handle or "").strip())
    return f"urn:li:organization:{match.group(1)}" if match else ""


def _parts(comment_urn: str) -> tuple[str, str]:
    """(activity urn, comment id) from ``urn:li:comment:(urn:li:activity:1,2)``."""
    match = COMMENT_URN.fullmatch(comment_urn)
    if not match:
        raise ActionRejected(f"LinkedIn: {comment_urn[:200]!r} is not a comment URN.")
    return match.group(1), match.group(2)


def _enc(urn: str) -> str:
    return quote(urn, safe="")


def _call(
    channel: Channel,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    json: Any = None,
) -> requests.Response:
    return rest.call(
        "linkedin",
        method,
        path,
        token=channel.access_token,
        label=LABEL,
        params=params,
        json=json,
        headers=HEADERS,
    )


def _get(
    channel: Channel, path: str, params: dict[str, Any], *, final: type[Exception]
) -> dict[str, Any]:
    return _checked(_call(channel, "GET", path, params=params), final)


def _comments(channel: Channel, urn: str, *, final: type[Exception]) -> list[dict[str, Any]]:
    body = _get(
        channel,
        f"/socialActions/{_enc(urn)}/comments",
        {"start": 0, "count": PAGE_SIZE},
        final=final,
    )
    return [c for c in body.get("elements") or [] if isinstance(c, dict)]


def _comments_under(channel: Channel, post_urn: str, *, final: type[Exception]) -> list[Any]:
    """A post's comments and the replies under those that have some."""
    found = []
    for comment in _comments(channel, post_urn, final=final):
        found.append(comment)
        if ((comment.get("commentsSummary") or {}).get("aggregatedTotalComments") or 0) > 0:
            found.extend(_comments(channel, _urn(comment), final=final))
    return found


def _urn(comment: dict[str, Any]) -> str:
    return str(comment.get("commentUrn") or comment.get("$URN") or "")


def _millis(comment: dict[str, Any]) -> int:
    stamps = [(comment.get(name) or {}).get("time") for name in ("created", "lastModified")]
    return max((s for s in stamps if isinstance(s, int)), default=0)


def _checked(response: requests.Response, final: type[Exception]) -> dict[str, Any]:
    body = rest.body_of(response)
    if response.status_code < 400:
        return body
    message = "LinkedIn: {} (service error {}): {}".format(
        response.status_code,
        clean_text(body.get("serviceErrorCode") or "-", 20),
        clean_text(body.get("message"), 300),
    )
    if response.status_code == 429:
        raise RateLimited(_next_utc_midnight())
    if response.status_code >= 500:
        raise ConnectorError(message)
    raise final(message)


def _next_utc_midnight() -> datetime:
    today = datetime.now(UTC).date()
    return datetime.combine(today + timedelta(days=1), time(0, 5), tzinfo=UTC)


def _event(record: Any, where: str) -> ItemEvent:
    if not isinstance(record, dict) or not isinstance(record.get("comment"), dict):
        raise PayloadError(f"{where} must be an object with a 'comment'.")
    comment = record["comment"]
    urn = _urn(comment)
    if not COMMENT_URN.fullmatch(urn):
        raise PayloadError(f"{where}.comment.commentUrn must be a comment URN.")
    created = (comment.get("created") or {}).get("time")
    actor = clean_text(comment.get("actor"), 255)
    parent = clean_text(comment.get("parentComment"), 255)
    post = clean_text(record.get("post") or comment.get("object"), 255)
    return ItemEvent(
        external_id=urn,
        verb=Verb.CREATE,
        occurred_at=datetime.fromtimestamp(created / 1000, UTC)
        if isinstance(created, int)
        else None,
        kind="reply" if parent else "comment",
        author_handle=actor,
        text=clean_text((comment.get("message") or {}).get("text")),
        permalink=f"https://www.linkedin.com/feed/update/{post}?commentUrn={_enc(urn)}"
        if post
        else "",
        parent_external_id=parent,
        raw=clean_json(record),
        own=bool(actor) and actor == record.get("organization"),
    )
