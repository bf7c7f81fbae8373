"""Mastodon in the sandbox: the slice of the REST API GovSocial uses, served at the root
(``/api/v1/...``) because a Mastodon channel's server is its own address: point a channel at
``<sandbox URL>/@defensie`` and use ``TOKEN``.

Endpoints (https://docs.joinmastodon.org/methods/):
- ``GET /api/v1/notifications`` with ``min_id``, ``limit`` (40 at most), ``types[]``: newest
  first, as Mastodon answers (methods/notifications);
- ``POST /api/v1/statuses`` (form or JSON): publishes once per ``Idempotency-Key`` (the same
  status comes back for a key already used), 404 when ``in_reply_to_id`` is unknown, 422 for an
  empty text (methods/statuses);
- ``GET /api/v1/accounts/:id/statuses`` with ``exclude_replies``, ``limit`` (40 at most):
  the account's statuses, newest first (methods/accounts/#statuses); 404 for an unknown account;
- ``GET /api/v1/statuses/:id`` and ``GET /api/v1/statuses/:id/context``; ``DELETE
  /api/v1/statuses/:id`` of the account's own statuses only (someone else's: 404, as Mastodon
  scopes the lookup to the account), answering the deleted status with its ``text``.

Shapes follow the Status, Account, Context and Error entities (docs.joinmastodon.org/entities/);
a bad token gets 401 ``{"error": "The access token is invalid"}``. Forced answers (a 429 with
``X-RateLimit-Reset``, 401, 404, 422, 500) come from ``sandbox.fail_next("/api/v1/...", ...)``;
``data["mastodon"]["delay"]`` seconds delay the answer to ``POST /api/v1/statuses`` *after* the
status is published (a worker that dies meanwhile never learns it was).
"""

from __future__ import annotations

import copy
import html
import re
import zlib
from datetime import UTC, datetime
from typing import Any

from devtools.platform_sandbox.server import Request, Response, Route, Sandbox

TOKEN = "sandbox-mastodon-token"  # noqa: S105 (the sandbox's own, development only)
ACCOUNT = {
    "id": "1",
    "username": "defensie",
    "acct": "defensie",
    "display_name": "Defensie",
    "locked": False,
    "bot": False,
    "discoverable": True,
    "group": False,
    "created_at": "2022-11-07T00:00:00.000Z",
    "note": "<p>Official account of Defence.</p>",
    "url": "",  # set from the sandbox address: <url>/@defensie
    "uri": "",
    "avatar": "",
    "avatar_static": "",
    "header": "",
    "header_static": "",
    "followers_count": 0,
    "following_count": 0,
    "statuses_count": 0,
    "last_status_at": None,
    "emojis": [],
    "fields": [],
}
_HANDLE = re.compile(r"@([A-Za-z0-9_]+)(?:@([A-Za-z0-9.-]+))?")


def setup(sandbox: Sandbox) -> None:
    sandbox.data["mastodon"] = {
        "notifications": [],
        "statuses": {},
        "keys": {},
        "next_id": 110000000000000000,
        "delay": 0.0,
    }


def state(sandbox: Sandbox) -> dict[str, Any]:
    result: dict[str, Any] = sandbox.data["mastodon"]
    return result


def own_account(sandbox: Sandbox) -> dict[str, Any]:
    account = dict(ACCOUNT)
    account["url"] = f"{sandbox.url}/@defensie"
    account["uri"] = f"{sandbox.url}/users/defensie"
    return account


def own_statuses(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The statuses the account published, oldest first (tests count them)."""
    with sandbox.lock:
        statuses = state(sandbox)["statuses"].values()
        return [s for s in statuses if s["account"]["id"] == ACCOUNT["id"]]


def add_mention(
    sandbox: Sandbox,
    status_id: str,
    *,
    text: str = "Wanneer opent de kazerne?",
    acct: str = "lies@social.example",
    visibility: str = "public",
) -> dict[str, Any]:
    """Someone mentions the account: a status by ``acct`` and its notification."""
    username, _, domain = acct.partition("@")
    account = {
        **ACCOUNT,
        "id": str(zlib.crc32(acct.encode())),
        "username": username,
        "acct": acct,
        "display_name": username.title(),
        "url": f"https://{domain or 'social.example'}/@{username}",
        "uri": f"https://{domain or 'social.example'}/users/{username}",
    }
    with sandbox.lock:
        status = _status(sandbox, status_id, f"@defensie {text}", account, visibility, None)
        state(sandbox)["statuses"][status_id] = status
        notification = {
            "id": str(len(state(sandbox)["notifications"]) + 1000),
            "type": "mention",
            "created_at": status["created_at"],
            "group_key": f"ungrouped-{status_id}",
            "account": account,
            "status": status,
        }
        state(sandbox)["notifications"].append(notification)
    return status


def _status(
    sandbox: Sandbox,
    status_id: str,
    text: str,
    account: dict[str, Any],
    visibility: str,
    in_reply_to: dict[str, Any] | None,
) -> dict[str, Any]:
    """A Status entity (https://docs.joinmastodon.org/entities/Status/)."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    mentions = [
        {
            "id": str(zlib.crc32(match.group(0).encode())),
            "username": match.group(1),
            "url": f"https://{match.group(2) or 'social.example'}/@{match.group(1)}",
            "acct": match.group(0)[1:],
        }
        for match in _HANDLE.finditer(text)
    ]
    base = account["url"].rsplit("/@", 1)[0]
    return {
        "id": status_id,
        "created_at": now,
        "in_reply_to_id": in_reply_to["id"] if in_reply_to else None,
        "in_reply_to_account_id": in_reply_to["account"]["id"] if in_reply_to else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": visibility,
        "language": "nl",
        "uri": f"{account['uri']}/statuses/{status_id}",
        "url": f"{base}/@{account['username']}/{status_id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "edited_at": None,
        "content": _content(text),
        "reblog": None,
        "application": {"name": "GovSocial", "website": None},
        "account": account,
        "media_attachments": [],
        "mentions": mentions,
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def _content(text: str) -> str:
    """Mastodon's HTML: paragraphs, line breaks, mentions as h-card links."""

    def mention(match: re.Match[str]) -> str:
        user, domain = match.group(1), match.group(2) or "social.example"
        return (
            f'<span class="h-card" translate="no"><a href="https://{domain}/@{user}" '
            f'class="u-url mention">@<span>{user}</span></a></span>'
        )

    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    rendered = [_HANDLE.sub(mention, html.escape(p)).replace("\n", "<br />") for p in paragraphs]
    return "".join(f"<p>{p}</p>" for p in rendered)


def _error(status: int, message: str) -> Response:
    """The Error entity (https://docs.joinmastodon.org/entities/Error/)."""
    return Response(status, {"error": message})


def _authorised(request: Request) -> bool:
    return request.bearer() == TOKEN


def _unauthorised() -> Response:
    return _error(401, "The access token is invalid")


def notifications(sandbox: Sandbox, request: Request) -> Response:
    if not _authorised(request):
        return _unauthorised()
    limit = min(int(request.query.get("limit", ["40"])[0] or 40), 40)
    types = request.query.get("types[]") or request.query.get("types")
    items = sorted(state(sandbox)["notifications"], key=lambda n: (len(n["id"]), n["id"]))
    if types:
        items = [n for n in items if n["type"] in types]
    if "min_id" in request.query:
        floor = request.query["min_id"][0]
        items = [n for n in items if (len(n["id"]), n["id"]) > (len(floor), floor)][:limit]
    else:
        items = items[-limit:]
    return Response(200, list(reversed(copy.deepcopy(items))))


def status_post(sandbox: Sandbox, request: Request) -> Response:
    if not _authorised(request):
        return _unauthorised()
    fields = request.json() if "json" in request.headers.get("content-type", "") else None
    if not isinstance(fields, dict):
        fields = {name: values[0] for name, values in request.form().items()}
    data = state(sandbox)
    key = request.headers.get("idempotency-key", "")
    if key and key in data["keys"] and data["keys"][key] in data["statuses"]:
        return Response(200, data["statuses"][data["keys"][key]], delay=data["delay"])
    text = str(fields.get("status") or "").strip()
    if not text:
        return _error(422, "Validation failed: Text can't be blank")
    parent = None
    if fields.get("in_reply_to_id"):
        parent = data["statuses"].get(str(fields["in_reply_to_id"]))
        if parent is None:
            return _error(404, "Record not found")
    data["next_id"] += 1
    status_id = str(data["next_id"])
    visibility = str(fields.get("visibility") or "public")
    status = _status(sandbox, status_id, text, own_account(sandbox), visibility, parent)
    data["statuses"][status_id] = status
    if key:
        data["keys"][key] = status_id
    return Response(200, status, delay=data["delay"])


def status_get(sandbox: Sandbox, request: Request, status_id: str) -> Response:
    if not _authorised(request):
        return _unauthorised()
    status = state(sandbox)["statuses"].get(status_id)
    return Response(200, status) if status else _error(404, "Record not found")


def status_context(sandbox: Sandbox, request: Request, status_id: str) -> Response:
    """The Context entity: ancestors and descendants (https://docs.joinmastodon.org/entities/Context/)."""
    if not _authorised(request):
        return _unauthorised()
    statuses = state(sandbox)["statuses"]
    if status_id not in statuses:
        return _error(404, "Record not found")
    ancestors: list[dict[str, Any]] = []
    parent = statuses[status_id]["in_reply_to_id"]
    while parent in statuses:
        ancestors.insert(0, statuses[parent])
        parent = statuses[parent]["in_reply_to_id"]
    thread, descendants = {status_id}, []
    for status in sorted(statuses.values(), key=lambda s: (len(s["id"]), s["id"])):
        if status["in_reply_to_id"] in thread:
            thread.add(status["id"])
            descendants.append(status)
    return Response(200, {"ancestors": ancestors, "descendants": descendants})


def status_delete(sandbox: Sandbox, request: Request, status_id: str) -> Response:
    if not _authorised(request):
        return _unauthorised()
    statuses = state(sandbox)["statuses"]
    status = statuses.get(status_id)
    if status is None or status["account"]["id"] != ACCOUNT["id"]:
        return _error(404, "Record not found")
    del statuses[status_id]
    deleted = dict(status, text=html.unescape(re.sub(r"<[^>]+>", "", status["content"])))
    return Response(200, deleted)


def account_statuses(sandbox: Sandbox, request: Request, account_id: str) -> Response:
    if not _authorised(request):
        return _unauthorised()
    statuses = sorted(
        (s for s in state(sandbox)["statuses"].values() if s["account"]["id"] == account_id),
        key=lambda s: (len(s["id"]), s["id"]),
        reverse=True,
    )
    if not statuses and account_id != ACCOUNT["id"]:
        return _error(404, "Record not found")
    if request.arg("exclude_replies") in ("true", "1"):
        statuses = [s for s in statuses if s["in_reply_to_id"] is None]
    limit = min(int(request.arg("limit") or 20), 40) if request.arg("limit").isdigit() else 20
    return Response(200, copy.deepcopy(statuses[:limit]))


def control_mentions(sandbox: Sandbox, request: Request) -> Response:
    """``{"mentions": [{"id", "text"?, "acct"?}, ...]}``: people mention the account (a sandbox
    run in its own process is fed this way, e.g. by bench/actions.py)."""
    body = request.json()
    mentions = body.get("mentions") if isinstance(body, dict) else None
    if not isinstance(mentions, list):
        return _error(422, "Expected {'mentions': [...]}")
    for mention in mentions:
        add_mention(
            sandbox,
            str(mention["id"]),
            text=str(mention.get("text", "Wanneer opent de kazerne?")),
            acct=str(mention.get("acct", "lies@social.example")),
        )
    return Response(200, {"added": len(mentions)})


def control_own_statuses(sandbox: Sandbox, request: Request) -> Response:
    """How many statuses the account published (a duplicate shows as one too many)."""
    return Response(200, {"count": len(own_statuses(sandbox))})


_ID = r"(?P<status_id>[0-9]+)"
ROUTES = [
    Route("POST", r"/_sandbox/mastodon/mentions", control_mentions),
    Route("GET", r"/_sandbox/mastodon/own-statuses", control_own_statuses),
    Route("GET", r"/api/v1/notifications", notifications),
    Route("POST", r"/api/v1/statuses", status_post),
    Route("GET", r"/api/v1/accounts/(?P<account_id>[0-9]+)/statuses", account_statuses),
    Route("GET", rf"/api/v1/statuses/{_ID}", status_get),
    Route("GET", rf"/api/v1/statuses/{_ID}/context", status_context),
    Route("DELETE", rf"/api/v1/statuses/{_ID}", status_delete),
]
