"""LinkedIn Community Management API in the sandbox: an organisation's posts and comments.

Served under ``/linkedin`` (production: ``https://api.linkedin.com/rest``). The endpoints the
connector calls, with LinkedIn's shapes
(https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api,
.../posts-api): ``GET /posts?q=author``, ``GET|POST /socialActions/{urn}/comments``,
``GET|DELETE /socialActions/{urn}/comments/{id}`` (URNs URL-encoded in the path), collections
as ``{"paging", "elements"}``, errors as ``{"status", "serviceErrorCode", "message"}``. Every
call must carry ``LinkedIn-Version`` and ``X-Restli-Protocol-Version: 2.0.0``. A comment may be
deleted by its author, or by the organisation that wrote the post.

Control: ``POST /_sandbox/linkedin/posts`` ``{"organization"}`` creates a post (answers its
URN); ``POST /_sandbox/linkedin/comments`` ``{"post", "actor", "text", "parentComment"?,
"time"?}`` adds a comment; ``GET /_sandbox/linkedin/comments?urn=`` shows one (``deleted``).
"""

from __future__ import annotations

import itertools
import re
import time
from typing import Any
from urllib.parse import quote, unquote

from devtools.platform_sandbox.server import Request, Response, Route, Sandbox

_ids = itertools.count(7_100_000_000_000_000_001)


def error(status: int, code: int, message: str) -> Response:
    return Response(status, {"status": status, "serviceErrorCode": code, "message": message})


def throttled() -> Response:
    return error(
        429,
        101,
        "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
    )


def setup(sandbox: Sandbox) -> None:
    sandbox.data["linkedin"] = {"posts": {}, "comments": {}}


def _state(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    return sandbox.data.setdefault("linkedin", {"posts": {}, "comments": {}})


def _refused(request: Request) -> Response | None:
    if not request.bearer():
        return error(401, 65600, "Invalid access token")
    if request.headers.get("x-restli-protocol-version") != "2.0.0" or not re.fullmatch(
        r"\d{6}", request.headers.get("linkedin-version", "")
    ):
        return error(
            426,
            0,
            "A LinkedIn-Version header (YYYYMM) and X-Restli-Protocol-Version 2.0.0 are required.",
        )
    return None


def _collection(elements: list[dict[str, Any]], start: int, count: int) -> dict[str, Any]:
    return {
        "paging": {"start": start, "count": count, "total": len(elements), "links": []},
        "elements": elements[start : start + count],
    }


def _public(comment: dict[str, Any]) -> dict[str, Any]:
    replies = [c for c in _children(comment["_sandbox"], comment["commentUrn"])]
    public = {k: v for k, v in comment.items() if not k.startswith("_")}
    public["commentsSummary"] = {
        "aggregatedTotalComments": len(replies),
        "totalFirstLevelComments": len(replies),
    }
    return public


def _children(state: dict[str, Any], parent: str) -> list[dict[str, Any]]:
    return [
        c
        for c in state["comments"].values()
        if not c["_deleted"] and c.get("parentComment") == parent
    ]


# -- API --------------------------------------------------------------------------------------


def posts(sandbox: Sandbox, request: Request) -> Response:
    if (refused := _refused(request)) is not None:
        return refused
    author = request.arg("author")
    found = [p for p in reversed(_state(sandbox)["posts"].values()) if p["author"] == author]
    return Response(200, _collection(found, 0, int(request.arg("count", "10"))))


def comments(sandbox: Sandbox, request: Request, target: str) -> Response:
    if (refused := _refused(request)) is not None:
        return refused
    urn, state = unquote(target), _state(sandbox)
    if urn.startswith("urn:li:comment:"):
        found = _children(state, urn)
    else:
        activity = state["posts"].get(urn, {}).get("activity", urn)
        found = [
            c
            for c in state["comments"].values()
            if not c["_deleted"] and c["object"] == activity and not c.get("parentComment")
        ]
    start, count = int(request.arg("start", "0")), int(request.arg("count", "10"))
    return Response(200, _collection([_public(c) for c in found], start, count))


def create_comment(sandbox: Sandbox, request: Request, target: str) -> Response:
    if (refused := _refused(request)) is not None:
        return refused
    data = request.json() or {}
    if not data.get("actor") or not (data.get("message") or {}).get("text"):
        return error(422, 0, "actor and message.text are required")
    parent = data.get("parentComment") or ""
    state = _state(sandbox)
    if parent and (parent not in state["comments"] or state["comments"][parent]["_deleted"]):
        return error(404, 0, f"Comment {parent} not found")
    if parent and state["comments"][parent].get("parentComment"):
        return error(400, 0, "Nested comments are supported one level deep only")
    comment = _add(
        sandbox,
        activity=data.get("object") or "",
        actor=data["actor"],
        text=data["message"]["text"],
        parent=parent,
    )
    return Response(201, _public(comment), {"x-restli-id": comment["commentUrn"]})


def one_comment(sandbox: Sandbox, request: Request, target: str, comment_id: str) -> Response:
    if (refused := _refused(request)) is not None:
        return refused
    comment = _find(sandbox, unquote(target), comment_id)
    if comment is None:
        return error(404, 0, f"Comment {comment_id} not found")
    return Response(200, _public(comment))


def delete_comment(sandbox: Sandbox, request: Request, target: str, comment_id: str) -> Response:
    if (refused := _refused(request)) is not None:
        return refused
    comment = _find(sandbox, unquote(target), comment_id)
    if comment is None:
        return error(404, 0, f"Comment {comment_id} not found")
    actor = request.arg("actor")
    post = next(
        (p for p in _state(sandbox)["posts"].values() if p["activity"] == comment["object"]), None
    )
    if actor != comment["actor"] and (post is None or post["author"] != actor):
        return error(403, 100, f"Not enough permissions to delete comment {comment_id}")
    comment["_deleted"] = True
    return Response(204)


def _find(sandbox: Sandbox, activity: str, comment_id: str) -> dict[str, Any] | None:
    urn = f"urn:li:comment:({activity},{comment_id})"
    comment = _state(sandbox)["comments"].get(urn)
    return comment if comment is not None and not comment["_deleted"] else None


# -- control ----------------------------------------------------------------------------------


def _add(
    sandbox: Sandbox,
    *,
    activity: str,
    actor: str,
    text: str,
    parent: str = "",
    moment: int | None = None,
) -> dict[str, Any]:
    comment_id = str(next(_ids))
    urn = f"urn:li:comment:({activity},{comment_id})"
    stamp = {"actor": actor, "time": moment or int(time.time() * 1000)}
    comment: dict[str, Any] = {
        "actor": actor,
        "commentUrn": urn,
        "$URN": urn,
        "id": comment_id,
        "object": activity,
        "message": {"text": text, "attributes": []},
        "created": stamp,
        "lastModified": stamp,
        "likesSummary": {"totalLikes": 0, "likedByCurrentUser": False},
        "_deleted": False,
        "_sandbox": _state(sandbox),
    }
    if parent:
        comment["parentComment"] = parent
    with sandbox.lock:
        _state(sandbox)["comments"][urn] = comment
    return comment


def control_post(sandbox: Sandbox, request: Request) -> Response:
    number = next(_ids)
    post = {
        "id": f"urn:li:share:{number}",
        "author": (request.json() or {})["organization"],
        "activity": f"urn:li:activity:{number}",
    }
    _state(sandbox)["posts"][post["id"]] = post
    return Response(201, post)


def control_comment(sandbox: Sandbox, request: Request) -> Response:
    data = request.json() or {}
    post = _state(sandbox)["posts"][data["post"]]
    comment = _add(
        sandbox,
        activity=post["activity"],
        actor=data["actor"],
        text=data["text"],
        parent=data.get("parentComment", ""),
        moment=data.get("time"),
    )
    return Response(201, _public(comment))


def control_show(sandbox: Sandbox, request: Request) -> Response:
    comment = _state(sandbox)["comments"].get(request.arg("urn"))
    if comment is None:
        return Response(404, {"error": "unknown comment"})
    return Response(200, {**_public(comment), "deleted": comment["_deleted"]})


def encoded(urn: str) -> str:
    return quote(urn, safe="")


ROUTES = [
    Route("GET", r"/linkedin/posts", posts),
    Route("GET", r"/linkedin/socialActions/(?P<target>[^/]+)/comments", comments),
    Route("POST", r"/linkedin/socialActions/(?P<target>[^/]+)/comments", create_comment),
    Route(
        "GET",
        r"/linkedin/socialActions/(?P<target>[^/]+)/comments/(?P<comment_id>\d+)",
        one_comment,
    ),
    Route(
        "DELETE",
        r"/linkedin/socialActions/(?P<target>[^/]+)/comments/(?P<comment_id>\d+)",
        delete_comment,
    ),
    Route("POST", r"/_sandbox/linkedin/posts", control_post),
    Route("POST", r"/_sandbox/linkedin/comments", control_comment),
    Route("GET", r"/_sandbox/linkedin/comments", control_show),
]
