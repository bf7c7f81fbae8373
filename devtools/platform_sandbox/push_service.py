"""A Web Push service in the sandbox (RFC 8030 §5), the part a browser vendor runs: GovSocial
posts an encrypted message to a device's endpoint, the service keeps it for the device.

- ``POST /push/<token>``: a message for the device ``<token>`` (any name: a test builds an
  endpoint ``<sandbox URL>/push/<token>`` for the keys it generated, as a browser does). The
  raw body (aes128gcm, RFC 8291), ``Authorization`` (``vapid t=<JWT>,k=<key>``, RFC 8292),
  ``Content-Encoding``, ``TTL`` and ``Urgency`` are kept; the answer is 201 with a
  ``Location``, as RFC 8030 says. A message without ``TTL`` or with a body over 4,096 bytes is
  refused (400, 413) as real services do.
- ``POST /_sandbox/push/gone/<token>``: the device unsubscribed; its endpoint now answers 410.
- ``GET /_sandbox/push/messages``: what arrived, bodies base64url-encoded.

Nothing here decrypts: the test does, with the device's private key, as the browser would.
"""

from __future__ import annotations

import base64
from typing import Any

from devtools.platform_sandbox.server import Request, Response, Route, Sandbox

MAX_BODY = 4096


def setup(sandbox: Sandbox) -> None:
    sandbox.data["push"] = {"messages": [], "gone": set()}


def state(sandbox: Sandbox) -> dict[str, Any]:
    return sandbox.data["push"]


def _receive(sandbox: Sandbox, request: Request, token: str) -> Response:
    push = state(sandbox)
    if token in push["gone"]:
        return Response(410, {"error": "subscription expired"})
    if "ttl" not in request.headers:
        return Response(400, {"error": "TTL header missing"})
    if len(request.body) > MAX_BODY:
        return Response(413, {"error": "payload too large"})
    push["messages"].append(
        {
            "token": token,
            "authorization": request.headers.get("authorization", ""),
            "content_encoding": request.headers.get("content-encoding", ""),
            "ttl": request.headers.get("ttl", ""),
            "urgency": request.headers.get("urgency", ""),
            "body": base64.urlsafe_b64encode(request.body).decode(),
        }
    )
    number = len(push["messages"])
    return Response(201, None, {"Location": f"{sandbox.url}/push/message/{number}"})


def _gone(sandbox: Sandbox, request: Request, token: str) -> Response:
    state(sandbox)["gone"].add(token)
    return Response(200, {"gone": token})


def _messages(sandbox: Sandbox, request: Request) -> Response:
    return Response(200, {"messages": state(sandbox)["messages"]})


ROUTES = [
    Route("POST", r"/push/(?P<token>[\w-]+)", _receive),
    Route("POST", r"/_sandbox/push/gone/(?P<token>[\w-]+)", _gone),
    Route("GET", r"/_sandbox/push/messages", _messages),
]
