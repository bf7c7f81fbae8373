"""Meta's Graph API as the sandbox plays it: Facebook pages and Instagram accounts, their
comments and messages, with state, the documented error object and webhook deliveries.

Served under ``/facebook/...`` and ``/instagram/...`` (``settings.PLATFORM_API_URLS`` with
``PLATFORM_SANDBOX_URL``). The shapes follow Meta's documentation, cited in
``channels.connectors.meta`` (comment node, IG comment, private replies, Send API, webhook
payloads, error handling):

- ``GET /{id}?fields=...``: a comment or message; a deleted or unknown one answers the error
  object with code 100, subcode 33;
- ``POST /{comment-id}/comments`` (Facebook) or ``/replies`` (Instagram) ``message=...``:
  a reply by the page, ``{"id"}``; ``GET`` on the same edge lists the replies ``{"data"}``;
- ``POST /{comment-id} is_hidden=true|false`` (Facebook) or ``hide=true|false``
  (Instagram): ``{"success": true}``; ``DELETE /{comment-id}``: ``{"success": true}``;
- ``POST /{page-or-account-id}/messages`` JSON ``{"recipient": {"id"} | {"comment_id"},
  "message": {"text"}}``: ``{"recipient_id", "message_id"}``; to a person only within 24 hours
  of their last message (else code 10, subcode 2018278), one private reply per comment (else
  code 10900);
- ``POST /{page-id}/feed message=...`` (Facebook,
  https://developers.facebook.com/docs/graph-api/reference/page/feed/): a post by the page,
  ``{"id": "{page-id}_{post-id}"}``, delivered as a ``feed`` change (``item: status``) like
  Meta does; it reads back with ``GET /{post-id}`` (``is_hidden``, ``message``) and is gone
  once deleted; ``GET /{page-id}/feed?fields=...`` lists the page's posts, newest first;
  an unknown page answers code 100, subcode 33;
- a missing token answers code 190; a token other than the registered page's, code 190.

Control (not Meta's API; ``/_sandbox/meta/...``):

- ``POST pages`` ``{"platform", "page_id", "token", "webhook_url", "secret", "username"}``:
  register a page or account and where its webhooks go (signed with ``secret``, Meta's app
  secret, as ``X-Hub-Signature-256``);
- ``POST comments`` ``{"platform", "page_id", "message", "from": {"id", "name"|"username"},
  "parent_id", "webhook_url", "secret"}``: someone comments on a post of the page (or replies
  to ``parent_id``); the webhook is delivered (to ``webhook_url`` when given, which also
  registers it for the page, else to the page's registered address);
- ``POST messages`` ``{"platform", "page_id", "from", "text", "timestamp", "webhook_url",
  "secret"}``: someone sends a message (``timestamp`` in ms backdates it); delivered likewise;
- ``POST rate-limit`` ``{"minutes": N}``: every API call answers code 4 with
  ``estimated_time_to_regain_access`` N until set to 0;
- ``GET state``: everything, as JSON; ``GET objects/{id}``: one object.

The page's own replies and messages are delivered as webhooks too (a feed change from the
page, a message echo), as Meta does: GovSocial must recognise them as its own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from typing import Any

from devtools.platform_sandbox.server import Request, Response, Route, Sandbox

WINDOW_MS = 24 * 3600 * 1000
PRIVATE_REPLY_DAYS_MS = 7 * 24 * 3600 * 1000
PLATFORMS = "(?P<platform>facebook|instagram)"
ID = r"(?P<object_id>[^/]+)"
"""An object id (``/facebook/debug_token`` is still ``meta_tokens``'s: the server tries the most
literal routes first)."""
EDGES = {"facebook": "comments", "instagram": "replies"}
TEXT = {"facebook": "message", "instagram": "text"}
HIDDEN = {"facebook": "is_hidden", "instagram": "hidden"}


def setup(sandbox: Sandbox) -> None:
    sandbox.data["meta"] = {
        "pages": {},
        "objects": {},
        "conversations": {},
        "private_replies": [],
        "rate_limit_minutes": 0,
        "deliveries": [],
        "sequence": 1000,
    }


def _state(sandbox: Sandbox) -> dict[str, Any]:
    return sandbox.data["meta"]


def _error(message: str, kind: str, code: int, subcode: int | None = None) -> Response:
    """Graph's documented error object (https://developers.facebook.com/docs/graph-api/guides/error-handling)."""
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "Sbx" + secrets.token_hex(6)
    return Response(400, {"error": error})


def _gone(object_id: str) -> Response:
    return _error(
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded "
        "due to missing permissions, or does not support this operation.",
        "GraphMethodException",
        100,
        33,
    )


def _now_ms() -> int:
    return int(time.time() * 1000)


def _next_id(sandbox: Sandbox) -> int:
    state = _state(sandbox)
    state["sequence"] += 1
    return int(state["sequence"])


def _guard(sandbox: Sandbox, request: Request, page_id: str) -> Response | None:
    """The rate-limit switch and the token check, as Graph answers them."""
    minutes = _state(sandbox)["rate_limit_minutes"]
    if minutes:
        use_case = {"type": "pages", "call_count": 100, "total_cputime": 10, "total_time": 10}
        usage = {page_id or "0": [{**use_case, "estimated_time_to_regain_access": minutes}]}
        response = _error("(#4) Application request limit reached", "OAuthException", 4)
        response.headers["X-Business-Use-Case-Usage"] = json.dumps(usage)
        return response
    token = request.bearer()
    if not token:
        return _error(
            "An active access token must be used to query information about the current user.",
            "OAuthException",
            2500,
        )
    page = _state(sandbox)["pages"].get(page_id) or {}
    if page.get("token") and token != page["token"]:
        return _error(
            "Error validating access token: Session has expired.", "OAuthException", 190, 463
        )
    return None


def _live(sandbox: Sandbox, platform: str, object_id: str) -> dict[str, Any] | None:
    node = _state(sandbox)["objects"].get(object_id)
    if node is None or node["deleted"] or node["platform"] != platform:
        return None
    return node


def _public(node: dict[str, Any], fields: str) -> dict[str, Any]:
    platform = node["platform"]
    full = {
        "id": node["id"],
        TEXT[platform]: node["text"],
        "from": node["from"],
        "created_time": node["created_time"],
    }
    if node["kind"] == "comment":
        full[HIDDEN[platform]] = node["hidden"]
        full["parent_id"] = node["parent_id"]
    if node["kind"] == "post":
        full[HIDDEN[platform]] = node["hidden"]
    wanted = {"id", *(f.strip() for f in fields.split(",") if f.strip())} if fields else set(full)
    return {key: value for key, value in full.items() if key in wanted}


# --- the API ---------------------------------------------------------------------------------


def read(sandbox: Sandbox, request: Request, platform: str, object_id: str) -> Response:
    node = _live(sandbox, platform, object_id)
    denied = _guard(sandbox, request, node["page_id"] if node else "")
    if denied:
        return denied
    if node is None:
        return _gone(object_id)
    return Response(200, _public(node, request.arg("fields")))


def reply(sandbox: Sandbox, request: Request, platform: str, object_id: str) -> Response:
    parent = _live(sandbox, platform, object_id)
    denied = _guard(sandbox, request, parent["page_id"] if parent else "")
    if denied:
        return denied
    if parent is None or parent["kind"] != "comment":
        return _gone(object_id)
    text = _param(request, "message")
    if not text:
        return _error("(#100) The parameter message is required", "OAuthException", 100)
    page = _state(sandbox)["pages"].get(parent["page_id"]) or {}
    author = _page_author(platform, parent["page_id"], page)
    node = _comment(sandbox, platform, parent["page_id"], author, text, parent=parent)
    _deliver(sandbox, parent["page_id"], _comment_webhook(node))
    return Response(200, {"id": node["id"]})


def replies(sandbox: Sandbox, request: Request, platform: str, object_id: str) -> Response:
    parent = _live(sandbox, platform, object_id)
    denied = _guard(sandbox, request, parent["page_id"] if parent else "")
    if denied:
        return denied
    if parent is None:
        return _gone(object_id)
    children = [
        _public(node, request.arg("fields"))
        for node in _state(sandbox)["objects"].values()
        if node["parent_id"] == object_id and not node["deleted"]
    ]
    if request.arg("order") == "reverse_chronological":
        children.reverse()
    return Response(200, {"data": children})


def publish(sandbox: Sandbox, request: Request, platform: str, object_id: str) -> Response:
    """A post on the page's feed, by the page."""
    denied = _guard(sandbox, request, object_id)
    if denied:
        return denied
    page = _state(sandbox)["pages"].get(object_id)
    if page is None:
        return _gone(object_id)
    text = _param(request, "message")
    if not text:
        return _error("(#100) The parameter message is required", "OAuthException", 100)
    post_id = f"{object_id}_{_next_id(sandbox)}"
    node = {
        "id": post_id,
        "platform": platform,
        "kind": "post",
        "page_id": object_id,
        "from": _page_author(platform, object_id, page),
        "text": text,
        "hidden": False,
        "deleted": False,
        "post_id": post_id,
        "parent_id": "",
        "created_time": int(time.time()),
    }
    _state(sandbox)["objects"][post_id] = node
    _deliver(sandbox, object_id, _post_webhook(node))
    return Response(200, {"id": post_id})


def feed(sandbox: Sandbox, request: Request, platform: str, object_id: str) -> Response:
    """The page's posts, newest first (``{"data": [...]}``, the first page only)."""
    denied = _guard(sandbox, request, object_id)
    if denied:
        return denied
    if object_id not in _state(sandbox)["pages"]:
        return _gone(object_id)
    posts = [
        _public(node, request.arg("fields"))
        for node in reversed(_state(sandbox)["objects"].values())
        if node["kind"] == "post" and node["page_id"] == object_id and not node["deleted"]
    ]
    limit = int(request.arg("limit") or 25) if request.arg("limit").isdigit() else 25
    return Response(200, {"data": posts[:limit]})


def hide(sandbox: Sandbox, request: Request, platform: str, object_id: str) -> Response:
    node = _live(sandbox, platform, object_id)
    denied = _guard(sandbox, request, node["page_id"] if node else "")
    if denied:
        return denied
    if node is None:
        return _gone(object_id)
    value = _param(request, "is_hidden" if platform == "facebook" else "hide").lower()
    if value not in ("true", "false"):
        return _error("(#100) Invalid parameter", "OAuthException", 100)
    node["hidden"] = value == "true"
    return Response(200, {"success": True})


def delete(sandbox: Sandbox, request: Request, platform: str, object_id: str) -> Response:
    node = _live(sandbox, platform, object_id)
    denied = _guard(sandbox, request, node["page_id"] if node else "")
    if denied:
        return denied
    if node is None:
        return _gone(object_id)
    node["deleted"] = True
    return Response(200, {"success": True})


def send(sandbox: Sandbox, request: Request, platform: str, object_id: str) -> Response:
    denied = _guard(sandbox, request, object_id)
    if denied:
        return denied
    body = request.json() if isinstance(request.json(), dict) else {}
    recipient = _object(body.get("recipient"))
    message = _object(body.get("message"))
    text = str(message.get("text") or "")
    if not text or not recipient:
        return _error("(#100) The parameter recipient is required", "OAuthException", 100)
    if "comment_id" in recipient:
        person = _private_reply_target(sandbox, platform, str(recipient["comment_id"]))
    else:
        person = _window_open(sandbox, platform, object_id, str(recipient.get("id", "")))
    if isinstance(person, Response):
        return person
    node = _message(sandbox, platform, object_id, {"id": object_id}, person, text)
    _deliver(sandbox, object_id, _message_webhook(node, echo=True))
    return Response(200, {"recipient_id": person, "message_id": node["id"]})


def _private_reply_target(sandbox: Sandbox, platform: str, comment_id: str) -> str | Response:
    comment = _live(sandbox, platform, comment_id)
    if comment is None:
        return _gone(comment_id)
    if comment_id in _state(sandbox)["private_replies"]:
        return _error("(#10900) Activity already replied to", "OAuthException", 10900)
    if _now_ms() - comment["created_time"] * 1000 > PRIVATE_REPLY_DAYS_MS:
        return _error(
            "(#10) This message is sent outside of allowed window.", "OAuthException", 10, 2018278
        )
    _state(sandbox)["private_replies"].append(comment_id)
    return str(comment["from"]["id"])


def _window_open(sandbox: Sandbox, platform: str, page_id: str, person: str) -> str | Response:
    last = _state(sandbox)["conversations"].get(f"{platform}:{page_id}:{person}")
    if last is None or _now_ms() - last > WINDOW_MS:
        return _error(
            "(#10) This message is sent outside of allowed window.", "OAuthException", 10, 2018278
        )
    return person


def _param(request: Request, name: str) -> str:
    """A form or query parameter, or a JSON body's field (Graph takes all three)."""
    value = request.arg(name)
    if not value and isinstance(request.json(), dict):
        value = str(request.json().get(name) or "")
    return value


# --- objects and webhooks --------------------------------------------------------------------


def _page_author(platform: str, page_id: str, page: dict[str, Any]) -> dict[str, str]:
    if platform == "instagram":
        return {"id": page_id, "username": page.get("username") or f"account{page_id}"}
    return {"id": page_id, "name": page.get("name") or f"Page {page_id}"}


def _comment(
    sandbox: Sandbox,
    platform: str,
    page_id: str,
    author: dict[str, str],
    text: str,
    parent: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if parent is not None:
        post_id = parent["post_id"]
    elif platform == "facebook":
        post_id = f"{page_id}_{_next_id(sandbox)}"
    else:
        post_id = f"1790{_next_id(sandbox):011d}"
    number = _next_id(sandbox)
    object_id = (
        f"{post_id.split('_')[-1]}_{number}" if platform == "facebook" else f"1784{number:011d}"
    )
    node = {
        "id": object_id,
        "platform": platform,
        "kind": "comment",
        "page_id": page_id,
        "from": author,
        "text": text,
        "hidden": False,
        "deleted": False,
        "post_id": post_id,
        "parent_id": parent["id"] if parent else "",
        "created_time": int(time.time()),
    }
    _state(sandbox)["objects"][object_id] = node
    return node


def _message(
    sandbox: Sandbox,
    platform: str,
    page_id: str,
    author: dict[str, str],
    person: str,
    text: str,
    timestamp: int | None = None,
) -> dict[str, Any]:
    prefix = "m_" if platform == "facebook" else "aWdfZAG1faXRlbToxOklH"
    node = {
        "id": prefix + secrets.token_hex(12),
        "platform": platform,
        "kind": "message",
        "page_id": page_id,
        "from": author,
        "to": person,
        "text": text,
        "hidden": False,
        "deleted": False,
        "post_id": "",
        "parent_id": "",
        "created_time": (timestamp or _now_ms()) // 1000,
        "timestamp": timestamp or _now_ms(),
    }
    _state(sandbox)["objects"][node["id"]] = node
    return node


def _comment_webhook(node: dict[str, Any]) -> dict[str, Any]:
    """The ``feed`` (Facebook) or ``comments`` (Instagram) change Meta delivers."""
    page_id = node["page_id"]
    if node["platform"] == "instagram":
        value: dict[str, Any] = {
            "id": node["id"],
            "from": node["from"],
            "text": node["text"],
            "media": {"id": node["post_id"].split("_")[-1], "media_product_type": "FEED"},
        }
        if node["parent_id"]:
            value["parent_id"] = node["parent_id"]
        change = {"field": "comments", "value": value}
        return {"object": "instagram", "entry": [_entry(page_id, change)]}
    value = {
        "from": node["from"],
        "post_id": node["post_id"],
        "comment_id": node["id"],
        "parent_id": node["parent_id"] or node["post_id"],
        "created_time": node["created_time"],
        "item": "comment",
        "verb": "add",
        "message": node["text"],
    }
    return {"object": "page", "entry": [_entry(page_id, {"field": "feed", "value": value})]}


def _post_webhook(node: dict[str, Any]) -> dict[str, Any]:
    """The ``feed`` change for a post of the page (``item: status``)."""
    value = {
        "from": node["from"],
        "post_id": node["id"],
        "created_time": node["created_time"],
        "item": "status",
        "verb": "add",
        "published": 1,
        "message": node["text"],
    }
    return {"object": "page", "entry": [_entry(node["page_id"], {"field": "feed", "value": value})]}


def _entry(page_id: str, change: dict[str, Any]) -> dict[str, Any]:
    return {"id": page_id, "time": int(time.time()), "changes": [change]}


def _message_webhook(node: dict[str, Any], *, echo: bool = False) -> dict[str, Any]:
    """A Messenger or Instagram ``messages`` event; an echo for the page's own message."""
    page_id, person = node["page_id"], node["to"] if echo else node["from"]["id"]
    message: dict[str, Any] = {"mid": node["id"], "text": node["text"]}
    if echo:
        message = {"is_echo": True, "app_id": 1517776481860111, **message}
    event = {
        "sender": {"id": page_id if echo else person},
        "recipient": {"id": person if echo else page_id},
        "timestamp": node["timestamp"],
        "message": message,
    }
    return {
        "object": "instagram" if node["platform"] == "instagram" else "page",
        "entry": [{"id": page_id, "time": node["timestamp"], "messaging": [event]}],
    }


def _deliver(sandbox: Sandbox, page_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST the webhook to the page's registered address, signed as Meta signs it; the
    outcome is kept in ``deliveries`` (and returned) for the caller to see."""
    page = _state(sandbox)["pages"].get(page_id) or {}
    body = json.dumps(payload).encode()
    outcome: dict[str, Any] = {"payload": payload, "status": None}
    if page.get("webhook_url"):
        signature = hmac.new(str(page.get("secret", "")).encode(), body, hashlib.sha256)
        request = urllib.request.Request(  # noqa: S310 (a development tool: the URL is ours)
            page["webhook_url"],
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": "sha256=" + signature.hexdigest(),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                outcome["status"] = answer.status
        except urllib.error.HTTPError as error:
            outcome["status"] = error.code
        except OSError as error:
            outcome["status"] = f"unreachable: {error}"
    _state(sandbox)["deliveries"].append(outcome)
    return outcome


# --- control ---------------------------------------------------------------------------------


def control_page(sandbox: Sandbox, request: Request) -> Response:
    body = request.json() if isinstance(request.json(), dict) else {}
    page_id = str(body.get("page_id") or "")
    if not page_id.isdigit() or body.get("platform") not in EDGES:
        return Response(400, {"error": "page_id (digits) and platform are required"})
    keys = ("platform", "token", "webhook_url", "secret", "name", "username")
    _state(sandbox)["pages"][page_id] = {key: body.get(key, "") for key in keys}
    return Response(200, {"page_id": page_id})


def _hook(sandbox: Sandbox, body: dict[str, Any], platform: str, page_id: str) -> None:
    """A control call may name the webhook address and secret itself (registering the page)."""
    if body.get("webhook_url"):
        page = _state(sandbox)["pages"].setdefault(page_id, {"platform": platform})
        page.update(webhook_url=str(body["webhook_url"]), secret=str(body.get("secret") or ""))


def control_comment(sandbox: Sandbox, request: Request) -> Response:
    body = request.json() if isinstance(request.json(), dict) else {}
    platform, page_id = str(body.get("platform") or ""), str(body.get("page_id") or "")
    _hook(sandbox, body, platform, page_id)
    author = _object(body.get("from"))
    if platform not in EDGES or not page_id or not author.get("id") or not body.get("message"):
        return Response(400, {"error": "platform, page_id, from.id and message are required"})
    parent = None
    if body.get("parent_id"):
        parent = _live(sandbox, platform, str(body["parent_id"]))
        if parent is None:
            return Response(404, {"error": "no such parent comment"})
    node = _comment(sandbox, platform, page_id, author, str(body["message"]), parent=parent)
    delivery = _deliver(sandbox, page_id, _comment_webhook(node))
    return Response(200, {"comment": node, "delivery": delivery})


def control_message(sandbox: Sandbox, request: Request) -> Response:
    body = request.json() if isinstance(request.json(), dict) else {}
    platform, page_id = str(body.get("platform") or ""), str(body.get("page_id") or "")
    person, text = str(body.get("from") or ""), str(body.get("text") or "")
    _hook(sandbox, body, platform, page_id)
    if platform not in EDGES or not page_id or not person or not text:
        return Response(400, {"error": "platform, page_id, from and text are required"})
    stamp = int(body["timestamp"]) if str(body.get("timestamp") or "").isdigit() else _now_ms()
    node = _message(sandbox, platform, page_id, {"id": person}, page_id, text, stamp)
    conversations = _state(sandbox)["conversations"]
    key = f"{platform}:{page_id}:{person}"
    conversations[key] = max(conversations.get(key, 0), stamp)
    delivery = _deliver(sandbox, page_id, _message_webhook(node))
    return Response(200, {"message": node, "delivery": delivery})


def control_rate_limit(sandbox: Sandbox, request: Request) -> Response:
    body = request.json() if isinstance(request.json(), dict) else {}
    _state(sandbox)["rate_limit_minutes"] = max(0, int(body.get("minutes") or 0))
    return Response(200, {"minutes": _state(sandbox)["rate_limit_minutes"]})


def control_state(sandbox: Sandbox, request: Request) -> Response:
    state = _state(sandbox)
    pages = {
        page_id: {key: value for key, value in page.items() if key not in ("token", "secret")}
        for page_id, page in state["pages"].items()
    }
    return Response(200, {"pages": pages, "objects": list(state["objects"].values())})


def control_object(sandbox: Sandbox, request: Request, object_id: str) -> Response:
    node = _state(sandbox)["objects"].get(object_id)
    return Response(200, node) if node else Response(404, {"error": "no such object"})


ROUTES = [
    Route("GET", f"/{PLATFORMS}/{ID}", read),
    Route("POST", f"/{PLATFORMS}/{ID}", hide),
    Route("DELETE", f"/{PLATFORMS}/{ID}", delete),
    Route("POST", f"/{PLATFORMS}/{ID}/messages", send),
    Route("POST", f"/(?P<platform>facebook)/{ID}/feed", publish),
    Route("GET", f"/(?P<platform>facebook)/{ID}/feed", feed),
    Route("POST", f"/(?P<platform>facebook)/{ID}/comments", reply),
    Route("POST", f"/(?P<platform>instagram)/{ID}/replies", reply),
    Route("GET", f"/(?P<platform>facebook)/{ID}/comments", replies),
    Route("GET", f"/(?P<platform>instagram)/{ID}/replies", replies),
    Route("POST", "/_sandbox/meta/pages", control_page),
    Route("POST", "/_sandbox/meta/comments", control_comment),
    Route("POST", "/_sandbox/meta/messages", control_message),
    Route("POST", "/_sandbox/meta/rate-limit", control_rate_limit),
    Route("GET", "/_sandbox/meta/state", control_state),
    Route("GET", f"/_sandbox/meta/objects/{ID}", control_object),
]


def _object(value: Any) -> dict[str, Any]:
    """A JSON object from an answer, or an empty one when it is something else."""
    return value if isinstance(value, dict) else {}
