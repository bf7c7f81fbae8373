"""YouTube Data API v3 in the sandbox: comment threads of one channel, replies, moderation.

Served under ``/youtube`` (``settings.PLATFORM_API_URLS["youtube"]`` ends in ``/youtube/v3`` in
production; the sandbox drops the version). What the connector calls, with Google's shapes
(https://developers.google.com/youtube/v3/docs/comments, .../commentThreads, .../errors):
``GET commentThreads``, ``GET comments`` (``id`` or ``parentId``), ``POST comments``,
``POST comments/setModerationStatus`` (204), ``DELETE comments`` (204). As on YouTube, a
rejected or deleted comment is no longer returned, ``moderationStatus`` is not set when listing
by ``id``, and a rejected comment cannot be published again.

Control: ``POST /_sandbox/youtube/comments`` ``{"channelId", "videoId", "text", "author"?,
"authorChannelId"?, "parentId"?, "publishedAt"?}`` adds a comment (a reply with ``parentId``);
``GET /_sandbox/youtube/comments/<id>`` shows one with its status. ``quota_exceeded()`` and
``error(...)`` build the platform's error answers for ``Sandbox.fail_next``.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from devtools.platform_sandbox.server import Request, Response, Route, Sandbox

_ids = itertools.count(1)
PAGE_DEFAULT = 20


def error(code: int, reason: str, message: str, domain: str = "youtube.comment") -> Response:
    """Google's error object."""
    detail = {"message": message, "domain": domain, "reason": reason}
    return Response(code, {"error": {"code": code, "message": message, "errors": [detail]}})


def quota_exceeded() -> Response:
    return error(
        403,
        "quotaExceeded",
        "The request cannot be completed because you have exceeded your quota.",
        domain="youtube.quota",
    )


def setup(sandbox: Sandbox) -> None:
    sandbox.data["youtube"] = {"comments": {}}


def _state(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    return sandbox.data.setdefault("youtube", {"comments": {}})["comments"]


def _unauthorized(request: Request) -> Response | None:
    if request.bearer():
        return None
    return error(401, "authError", "Invalid Credentials", domain="global")


def _public(comment: dict[str, Any], *, with_status: bool) -> dict[str, Any]:
    snippet = {k: v for k, v in comment["snippet"].items() if k != "moderationStatus"}
    if with_status and comment["snippet"]["moderationStatus"] != "published":
        snippet["moderationStatus"] = comment["snippet"]["moderationStatus"]
    return {
        "kind": "youtube#comment",
        "etag": f"etag-{comment['id']}",
        "id": comment["id"],
        "snippet": snippet,
    }


def _listed(comment: dict[str, Any]) -> bool:
    return comment["snippet"]["moderationStatus"] not in ("rejected", "deleted")


# -- API --------------------------------------------------------------------------------------


def comment_threads(sandbox: Sandbox, request: Request) -> Response:
    if (refused := _unauthorized(request)) is not None:
        return refused
    channel = request.arg("allThreadsRelatedToChannelId")
    status = request.arg("moderationStatus", "published")
    comments = _state(sandbox)
    threads = []
    for top in comments.values():
        if top["snippet"].get("parentId") or top["snippet"]["channelId"] != channel:
            continue
        replies = [c for c in comments.values() if c["snippet"].get("parentId") == top["id"]]
        wanted = [r for r in replies if r["snippet"]["moderationStatus"] == status]
        if top["snippet"]["moderationStatus"] != status and not wanted:
            continue
        if status == "published":
            wanted = [r for r in replies if r["snippet"]["moderationStatus"] == "published"]
        threads.append(_thread(top, wanted, with_status=status != "published"))
    threads.sort(
        key=lambda t: t["snippet"]["topLevelComment"]["snippet"]["publishedAt"], reverse=True
    )
    size = int(request.arg("maxResults", str(PAGE_DEFAULT)))
    start = int(request.arg("pageToken", "0") or 0)
    body: dict[str, Any] = {
        "kind": "youtube#commentThreadListResponse",
        "pageInfo": {"totalResults": len(threads), "resultsPerPage": size},
        "items": threads[start : start + size],
    }
    if start + size < len(threads):
        body["nextPageToken"] = str(start + size)
    return Response(200, body)


def _thread(top: dict[str, Any], replies: list[dict[str, Any]], *, with_status: bool) -> dict:
    snippet = top["snippet"]
    thread: dict[str, Any] = {
        "kind": "youtube#commentThread",
        "etag": f"etag-thread-{top['id']}",
        "id": top["id"],
        "snippet": {
            "channelId": snippet["channelId"],
            "videoId": snippet["videoId"],
            "topLevelComment": _public(top, with_status=with_status),
            "canReply": True,
            "totalReplyCount": len(replies),
            "isPublic": True,
        },
    }
    if replies:
        thread["replies"] = {"comments": [_public(r, with_status=with_status) for r in replies]}
    return thread


def comments_list(sandbox: Sandbox, request: Request) -> Response:
    if (refused := _unauthorized(request)) is not None:
        return refused
    comments = _state(sandbox)
    if request.arg("id"):
        wanted = [comments.get(i) for i in request.arg("id").split(",")]
        items = [_public(c, with_status=False) for c in wanted if c and _listed(c)]
    else:
        parent = request.arg("parentId")
        items = [
            _public(c, with_status=False)
            for c in comments.values()
            if c["snippet"].get("parentId") == parent
            and c["snippet"]["moderationStatus"] == "published"
        ]
    return Response(
        200,
        {
            "kind": "youtube#commentListResponse",
            "items": items,
            "pageInfo": {"totalResults": len(items), "resultsPerPage": 20},
        },
    )


def comments_insert(sandbox: Sandbox, request: Request) -> Response:
    if (refused := _unauthorized(request)) is not None:
        return refused
    snippet = (request.json() or {}).get("snippet") or {}
    if not snippet.get("parentId"):
        return error(400, "parentIdMissing", "The comment must be linked to a parent comment.")
    if not snippet.get("textOriginal"):
        return error(400, "commentTextRequired", "The comment cannot be empty.")
    parent = _state(sandbox).get(snippet["parentId"])
    if parent is None or not _listed(parent):
        return error(404, "commentNotFound", "The parent comment could not be found.")
    if parent["snippet"].get("parentId"):
        return error(400, "operationNotSupported", "Replies go under a top-level comment.")
    channel = parent["snippet"]["channelId"]
    comment = _add(
        sandbox,
        channel=channel,
        video=parent["snippet"]["videoId"],
        text=snippet["textOriginal"],
        author="Channel owner",
        author_id=channel,
        parent=parent["id"],
    )
    return Response(200, _public(comment, with_status=False))


def set_moderation_status(sandbox: Sandbox, request: Request) -> Response:
    if (refused := _unauthorized(request)) is not None:
        return refused
    status = request.arg("moderationStatus")
    if status not in ("heldForReview", "published", "rejected"):
        return error(400, "invalidModerationStatus", "Unknown moderation status.")
    comments = _state(sandbox)
    found = [comments.get(i) for i in request.arg("id").split(",")]
    targets = [c for c in found if c is not None and c["snippet"]["moderationStatus"] != "deleted"]
    if len(targets) != len(found):
        return error(404, "commentNotFound", "One or more comments could not be found.")
    for comment in targets:
        if comment["snippet"]["moderationStatus"] == "rejected" and status == "published":
            return error(400, "processingFailure", "A rejected comment cannot be published.")
        comment["snippet"]["moderationStatus"] = status
    return Response(204)


def comments_delete(sandbox: Sandbox, request: Request) -> Response:
    if (refused := _unauthorized(request)) is not None:
        return refused
    comment = _state(sandbox).get(request.arg("id"))
    if comment is None or not _listed(comment):
        return error(404, "commentNotFound", "The comment could not be found.")
    if comment["snippet"]["authorChannelId"]["value"] != comment["snippet"]["channelId"]:
        return error(403, "forbidden", "Only the author of a comment may delete it.")
    comment["snippet"]["moderationStatus"] = "deleted"
    return Response(204)


# -- control ----------------------------------------------------------------------------------


def _add(
    sandbox: Sandbox,
    *,
    channel: str,
    video: str,
    text: str,
    author: str,
    author_id: str,
    parent: str = "",
    published: str = "",
) -> dict[str, Any]:
    comment_id = f"Ug{next(_ids):06d}sandboxcomment"
    moment = published or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    snippet: dict[str, Any] = {
        "authorDisplayName": author,
        "authorProfileImageUrl": "",
        "authorChannelUrl": f"http://www.youtube.com/channel/{author_id}",
        "authorChannelId": {"value": author_id},
        "channelId": channel,
        "videoId": video,
        "textDisplay": text,
        "textOriginal": text,
        "canRate": True,
        "viewerRating": "none",
        "likeCount": 0,
        "moderationStatus": "published",
        "publishedAt": moment,
        "updatedAt": moment,
    }
    if parent:
        snippet["parentId"] = parent
    comment = {"id": comment_id, "snippet": snippet}
    with sandbox.lock:
        _state(sandbox)[comment_id] = comment
    return comment


def control_add(sandbox: Sandbox, request: Request) -> Response:
    data = request.json() or {}
    if not data.get("channelId") or not data.get("text"):
        return Response(400, {"error": "channelId and text are required"})
    comment = _add(
        sandbox,
        channel=data["channelId"],
        video=data.get("videoId", "sandboxVid1"),
        text=data["text"],
        author=data.get("author", "Viewer"),
        author_id=data.get("authorChannelId", "UCviewer0000000000000000"),
        parent=data.get("parentId", ""),
        published=data.get("publishedAt", ""),
    )
    return Response(201, comment)


def control_show(sandbox: Sandbox, request: Request, comment_id: str) -> Response:
    comment = _state(sandbox).get(comment_id)
    return Response(200, comment) if comment else Response(404, {"error": "unknown comment"})


ROUTES = [
    Route("GET", r"/youtube/commentThreads", comment_threads),
    Route("GET", r"/youtube/comments", comments_list),
    Route("POST", r"/youtube/comments", comments_insert),
    Route("POST", r"/youtube/comments/setModerationStatus", set_moderation_status),
    Route("DELETE", r"/youtube/comments", comments_delete),
    Route("POST", r"/_sandbox/youtube/comments", control_add),
    Route("GET", r"/_sandbox/youtube/comments/(?P<comment_id>[\w-]+)", control_show),
]
