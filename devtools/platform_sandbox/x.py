"""X API v2 in the sandbox: mentions, posts, replies, hidden replies, deletion, and Account
Activity deliveries.

Served under ``/x`` (production: ``https://api.x.com/2``). Endpoints and shapes as X documents
them (https://docs.x.com/x-api): ``GET /users/:id/mentions`` and ``/users/:id/tweets``
(``data``, ``includes.users``, ``meta`` with ``newest_id``, ``next_token``), ``POST /tweets``
(201), ``PUT /tweets/:id/hidden``, ``DELETE /tweets/:id``, ``GET /tweets/:id`` (a missing post:
200 with an ``errors`` entry of type ``.../resource-not-found``); refusals are problem objects
``{"title", "detail", "type", "status"}``; every answer carries ``x-rate-limit-*`` headers.
As on X, the API does not say whether a reply is hidden; ``/_sandbox`` does.

Control: ``POST /_sandbox/x/accounts`` ``{"id", "username", "name", "token"}`` registers an
account and the token that acts as it; ``POST /_sandbox/x/posts`` ``{"author_id", "text",
"in_reply_to_tweet_id"?, "mentions"?: [user ids], "created_at"?}`` publishes a post;
``GET /_sandbox/x/posts/<id>`` shows one with ``hidden``/``deleted``; ``POST /_sandbox/x/webhook``
``{"for_user_id", "tweet_id", "consumer_secret", "url"?}`` builds the Account Activity delivery
of a post (v1.1 post object in ``tweet_create_events``) signed in
``x-twitter-webhooks-signature`` and sends it to ``url``, or returns it when no url is given.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from datetime import UTC, datetime
from typing import Any

import requests

from devtools.platform_sandbox.server import Request, Response, Route, Sandbox

_ids = itertools.count(1_800_000_000_000_000_001)
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> Response:
    return Response(
        status, {"title": title, "detail": detail, "type": kind, "status": status}, _limits()
    )


def too_many_requests(reset_in: int = 900) -> Response:
    """X's 429, with the window's reset in epoch seconds."""
    answer = problem(429, "Too Many Requests", "Too Many Requests")
    answer.headers = _limits(remaining=0, reset=int(time.time()) + reset_in)
    return answer


def _limits(remaining: int = 49, reset: int | None = None) -> dict[str, str]:
    return {
        "x-rate-limit-limit": "50",
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(reset or int(time.time()) + 900),
    }


def setup(sandbox: Sandbox) -> None:
    sandbox.data["x"] = {"accounts": {}, "tokens": {}, "tweets": {}}


def _state(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    return sandbox.data.setdefault("x", {"accounts": {}, "tokens": {}, "tweets": {}})


def _me(sandbox: Sandbox, request: Request) -> str | None:
    return _state(sandbox)["tokens"].get(request.bearer())


def _unauthorized() -> Response:
    return problem(401, "Unauthorized", "Unauthorized")


def _ok(body: Any, status: int = 200) -> Response:
    return Response(status, body, _limits())


def _public(tweet: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in tweet.items() if not k.startswith("_")}


def _live(sandbox: Sandbox) -> list[dict[str, Any]]:
    tweets = [t for t in _state(sandbox)["tweets"].values() if not t["_deleted"]]
    return sorted(tweets, key=lambda t: int(t["id"]), reverse=True)


# -- API --------------------------------------------------------------------------------------


def _timeline(sandbox: Sandbox, request: Request, tweets: list[dict[str, Any]]) -> Response:
    since = request.arg("since_id")
    if since:
        tweets = [t for t in tweets if int(t["id"]) > int(since)]
    size = int(request.arg("max_results", "10"))
    start = int(request.arg("pagination_token", "0") or 0)
    page = tweets[start : start + size]
    meta: dict[str, Any] = {"result_count": len(page)}
    if page:
        meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
    if start + size < len(tweets):
        meta["next_token"] = str(start + size)
    if not page:
        return _ok({"meta": meta})
    accounts = _state(sandbox)["accounts"]
    users = [accounts[i] for i in dict.fromkeys(t["author_id"] for t in page) if i in accounts]
    return _ok({"data": [_public(t) for t in page], "includes": {"users": users}, "meta": meta})


def mentions(sandbox: Sandbox, request: Request, user_id: str) -> Response:
    if _me(sandbox, request) is None:
        return _unauthorized()
    return _timeline(sandbox, request, [t for t in _live(sandbox) if user_id in t["_mentions"]])


def user_tweets(sandbox: Sandbox, request: Request, user_id: str) -> Response:
    if _me(sandbox, request) is None:
        return _unauthorized()
    return _timeline(sandbox, request, [t for t in _live(sandbox) if t["author_id"] == user_id])


def create_tweet(sandbox: Sandbox, request: Request) -> Response:
    me = _me(sandbox, request)
    if me is None:
        return _unauthorized()
    data = request.json() or {}
    if not str(data.get("text") or "").strip():
        return problem(
            400,
            "Invalid Request",
            "One or more parameters to your request was invalid.",
            "https://api.twitter.com/2/problems/invalid-request",
        )
    target = str((data.get("reply") or {}).get("in_reply_to_tweet_id") or "")
    if target and (
        target not in _state(sandbox)["tweets"] or _state(sandbox)["tweets"][target]["_deleted"]
    ):
        return problem(
            403,
            "Forbidden",
            "You attempted to reply to a Tweet that is deleted or not visible to you.",
        )
    tweet = _publish(sandbox, author=me, text=data["text"], reply_to=target)
    return _ok(
        {
            "data": {
                "id": tweet["id"],
                "text": tweet["text"],
                "edit_history_tweet_ids": [tweet["id"]],
            }
        },
        201,
    )


def hide_reply(sandbox: Sandbox, request: Request, tweet_id: str) -> Response:
    me = _me(sandbox, request)
    if me is None:
        return _unauthorized()
    tweet = _state(sandbox)["tweets"].get(tweet_id)
    if tweet is None or tweet["_deleted"]:
        return problem(
            404, "Not Found Error", f"Could not find tweet with id: [{tweet_id}].", NOT_FOUND
        )
    root = _state(sandbox)["tweets"].get(tweet["conversation_id"])
    if root is None or root["author_id"] != me or tweet["id"] == root["id"]:
        return problem(
            403, "Forbidden", "You can only hide or unhide replies to conversations you authored."
        )
    hidden = bool((request.json() or {}).get("hidden"))
    tweet["_hidden"] = hidden
    return _ok({"data": {"hidden": hidden}})


def delete_tweet(sandbox: Sandbox, request: Request, tweet_id: str) -> Response:
    me = _me(sandbox, request)
    if me is None:
        return _unauthorized()
    tweet = _state(sandbox)["tweets"].get(tweet_id)
    if tweet is None or tweet["_deleted"]:
        return problem(
            404, "Not Found Error", f"Could not find tweet with id: [{tweet_id}].", NOT_FOUND
        )
    if tweet["author_id"] != me:
        return problem(403, "Forbidden", "You are not allowed to delete this Tweet.")
    tweet["_deleted"] = True
    return _ok({"data": {"deleted": True}})


def lookup(sandbox: Sandbox, request: Request, tweet_id: str) -> Response:
    if _me(sandbox, request) is None:
        return _unauthorized()
    tweet = _state(sandbox)["tweets"].get(tweet_id)
    if tweet is None or tweet["_deleted"]:
        return _ok(
            {
                "errors": [
                    {
                        "value": tweet_id,
                        "detail": f"Could not find tweet with id: [{tweet_id}].",
                        "title": "Not Found Error",
                        "resource_type": "tweet",
                        "parameter": "id",
                        "resource_id": tweet_id,
                        "type": NOT_FOUND,
                    }
                ]
            }
        )
    return _ok({"data": _public(tweet)})


# -- control ----------------------------------------------------------------------------------


def _publish(
    sandbox: Sandbox,
    *,
    author: str,
    text: str,
    reply_to: str = "",
    mentions: tuple[str, ...] = (),
    created_at: str = "",
) -> dict[str, Any]:
    tweets = _state(sandbox)["tweets"]
    tweet_id = str(next(_ids))
    parent = tweets.get(reply_to) if reply_to else None
    tweet: dict[str, Any] = {
        "id": tweet_id,
        "text": text,
        "author_id": author,
        "conversation_id": parent["conversation_id"] if parent else tweet_id,
        "created_at": created_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "lang": "fr",
        "edit_history_tweet_ids": [tweet_id],
        "_mentions": list(mentions) + ([parent["author_id"]] if parent else []),
        "_hidden": False,
        "_deleted": False,
    }
    if parent:
        tweet["in_reply_to_user_id"] = parent["author_id"]
        tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent["id"]}]
    with sandbox.lock:
        tweets[tweet_id] = tweet
    return tweet


def control_account(sandbox: Sandbox, request: Request) -> Response:
    data = request.json() or {}
    account = {"id": str(data["id"]), "name": data.get("name", ""), "username": data["username"]}
    _state(sandbox)["accounts"][account["id"]] = account
    if data.get("token"):
        _state(sandbox)["tokens"][data["token"]] = account["id"]
    return Response(201, account)


def control_post(sandbox: Sandbox, request: Request) -> Response:
    data = request.json() or {}
    tweet = _publish(
        sandbox,
        author=str(data["author_id"]),
        text=data["text"],
        reply_to=str(data.get("in_reply_to_tweet_id") or ""),
        mentions=tuple(str(m) for m in data.get("mentions") or []),
        created_at=data.get("created_at", ""),
    )
    return Response(201, _public(tweet))


def control_show(sandbox: Sandbox, request: Request, tweet_id: str) -> Response:
    tweet = _state(sandbox)["tweets"].get(tweet_id)
    if tweet is None:
        return Response(404, {"error": "unknown post"})
    return Response(
        200, {**_public(tweet), "hidden": tweet["_hidden"], "deleted": tweet["_deleted"]}
    )


def control_webhook(sandbox: Sandbox, request: Request) -> Response:
    data = request.json() or {}
    tweet = _state(sandbox)["tweets"][str(data["tweet_id"])]
    body = json.dumps(
        {"for_user_id": str(data["for_user_id"]), "tweet_create_events": [_v1(sandbox, tweet)]}
    ).encode()
    digest = hmac.new(str(data["consumer_secret"]).encode(), body, hashlib.sha256).digest()
    signature = "sha256=" + base64.b64encode(digest).decode()
    if not data.get("url"):
        return Response(200, {"body": body.decode(), "signature": signature})
    sent = requests.post(
        data["url"],
        data=body,
        timeout=10,
        headers={"Content-Type": "application/json", "x-twitter-webhooks-signature": signature},
    )
    return Response(200, {"status": sent.status_code})


def _v1(sandbox: Sandbox, tweet: dict[str, Any]) -> dict[str, Any]:
    """The v1.1 post object Account Activity deliveries carry."""
    account = _state(sandbox)["accounts"].get(tweet["author_id"], {})
    created = datetime.strptime(tweet["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    replied = next((r["id"] for r in tweet.get("referenced_tweets", [])), None)
    return {
        "created_at": created.strftime("%a %b %d %H:%M:%S +0000 %Y"),
        "id": int(tweet["id"]),
        "id_str": tweet["id"],
        "text": tweet["text"],
        "in_reply_to_status_id_str": replied,
        "in_reply_to_user_id_str": tweet.get("in_reply_to_user_id"),
        "user": {
            "id": int(tweet["author_id"]),
            "id_str": tweet["author_id"],
            "name": account.get("name", ""),
            "screen_name": account.get("username", ""),
        },
        "lang": tweet["lang"],
    }


ROUTES = [
    Route("GET", r"/x/users/(?P<user_id>\d+)/mentions", mentions),
    Route("GET", r"/x/users/(?P<user_id>\d+)/tweets", user_tweets),
    Route("POST", r"/x/tweets", create_tweet),
    Route("PUT", r"/x/tweets/(?P<tweet_id>\d+)/hidden", hide_reply),
    Route("DELETE", r"/x/tweets/(?P<tweet_id>\d+)", delete_tweet),
    Route("GET", r"/x/tweets/(?P<tweet_id>\d+)", lookup),
    Route("POST", r"/_sandbox/x/accounts", control_account),
    Route("POST", r"/_sandbox/x/posts", control_post),
    Route("GET", r"/_sandbox/x/posts/(?P<tweet_id>\d+)", control_show),
    Route("POST", r"/_sandbox/x/webhook", control_webhook),
]
