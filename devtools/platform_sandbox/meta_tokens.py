"""Meta's ``debug_token`` (Facebook and Instagram): what Graph says of a page token.

``GET /facebook/debug_token`` and ``/instagram/debug_token`` answer in Graph's documented shape
(https://developers.facebook.com/docs/graph-api/reference/debug_token,
https://developers.facebook.com/docs/facebook-login/guides/access-tokens/debugging-and-error-handling):
``{"data": {"app_id", "type", "application", "is_valid", "expires_at", "data_access_expires_at",
"issued_at", "scopes", "user_id"}}``, plus ``"error": {"code": 190, "message", "subcode"}`` in
``data`` for an invalid token. Without an ``access_token`` (the app token) Graph refuses the call
with error 104.

A token nobody described is valid, never expires and has every permission GovSocial needs, so
that a demo channel looks healthy. ``POST /_sandbox/meta_tokens/<token>`` with a JSON object
(``valid``, ``expires_at`` and ``data_access_expires_at`` as Unix times, 0 for never, ``scopes``)
describes one; ``set_token`` does the same from a test.
"""

from __future__ import annotations

import time
from typing import Any

from devtools.platform_sandbox.server import Request, Response, Route, Sandbox

ALL_SCOPES = [
    "pages_manage_engagement",
    "pages_read_engagement",
    "pages_manage_metadata",
    "pages_messaging",
    "pages_manage_posts",
    "instagram_basic",
    "instagram_manage_comments",
    "instagram_manage_messages",
]


def setup(sandbox: Sandbox) -> None:
    sandbox.data.setdefault("meta_tokens", {})


def set_token(
    sandbox: Sandbox,
    token: str,
    *,
    valid: bool = True,
    expires_at: int = 0,
    data_access_expires_at: int = 0,
    scopes: list[str] | None = None,
) -> None:
    with sandbox.lock:
        sandbox.data.setdefault("meta_tokens", {})[token] = {
            "valid": valid,
            "expires_at": expires_at,
            "data_access_expires_at": data_access_expires_at,
            "scopes": list(ALL_SCOPES if scopes is None else scopes),
        }


def debug_token(sandbox: Sandbox, request: Request, platform: str) -> Response:
    if not request.arg("access_token"):
        return Response(
            400,
            {
                "error": {
                    "message": "An access token is required to request this resource.",
                    "type": "OAuthException",
                    "code": 104,
                    "fbtrace_id": "SandboxTrace",
                }
            },
        )
    token = request.arg("input_token")
    state = sandbox.data.setdefault("meta_tokens", {}).get(token) or {
        "valid": True, "expires_at": 0, "data_access_expires_at": 0, "scopes": ALL_SCOPES,
    }  # fmt: skip
    data: dict[str, Any] = {
        "app_id": "000000000000000",
        "type": "PAGE",
        "application": "GovSocial sandbox",
        "data_access_expires_at": state["data_access_expires_at"],
        "expires_at": state["expires_at"],
        "is_valid": state["valid"],
        "issued_at": int(time.time()) - 86400,
        "profile_id": "100000000000001",
        "scopes": state["scopes"],
        "user_id": "100000000000002",
    }
    if not state["valid"]:
        data["error"] = {
            "code": 190,
            "message": "Error validating access token: The session has been invalidated "
            "because the user changed their password or Facebook has changed the session "
            "for security reasons.",
            "subcode": 460,
        }
    return Response(200, {"data": data})


def control(sandbox: Sandbox, request: Request, token: str) -> Response:
    body = request.json()
    if not isinstance(body, dict):
        return Response(400, {"error": "expected a JSON object"})
    set_token(
        sandbox,
        token,
        valid=bool(body.get("valid", True)),
        expires_at=int(body.get("expires_at", 0)),
        data_access_expires_at=int(body.get("data_access_expires_at", 0)),
        scopes=body.get("scopes"),
    )
    return Response(200, {"ok": True})


ROUTES = [
    Route("GET", r"/(?P<platform>facebook|instagram)/debug_token", debug_token),
    Route("POST", r"/_sandbox/meta_tokens/(?P<token>[^/]+)", control),
]
