"""Google's token info endpoint: what Google says of a YouTube channel's OAuth access token.

``GET /google_oauth/tokeninfo?access_token=...`` (production:
``https://oauth2.googleapis.com/tokeninfo``) answers 200 ``{"azp", "aud", "sub", "scope",
"exp", "expires_in", "access_type"}`` (``scope`` space-separated; ``exp`` a Unix time and
``expires_in`` the seconds left, both as strings as the endpoint sends them), or 400
``{"error": "invalid_token", "error_description": "Invalid Value"}`` for an expired, revoked or
unknown token (https://developers.google.com/identity/protocols/oauth2; the OAuth2 API's
Tokeninfo resource).

As at Google, a token nobody described is valid for one more hour (access tokens live an hour),
with the YouTube scope GovSocial needs. ``POST /_sandbox/google_tokens/<token>`` with a JSON
object (``valid``, ``expires_in`` in seconds, ``scopes``) describes one; ``set_token`` does the
same from a test.
"""

from __future__ import annotations

import time

from devtools.platform_sandbox.server import Request, Response, Route, Sandbox

YOUTUBE_SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"
ACCESS_TOKEN_LIFETIME = 3599  # seconds
CLIENT_ID = "000000000000-sandbox.apps.googleusercontent.com"
INVALID = Response(400, {"error": "invalid_token", "error_description": "Invalid Value"})


def setup(sandbox: Sandbox) -> None:
    sandbox.data.setdefault("google_tokens", {})


def set_token(
    sandbox: Sandbox,
    token: str,
    *,
    valid: bool = True,
    expires_in: int = ACCESS_TOKEN_LIFETIME,
    scopes: list[str] | None = None,
) -> None:
    with sandbox.lock:
        sandbox.data.setdefault("google_tokens", {})[token] = {
            "valid": valid,
            "exp": int(time.time()) + expires_in,
            "scopes": [YOUTUBE_SCOPE] if scopes is None else list(scopes),
        }


def tokeninfo(sandbox: Sandbox, request: Request) -> Response:
    token = request.arg("access_token")
    if not token:
        return INVALID
    state = sandbox.data.setdefault("google_tokens", {}).get(token) or {
        "valid": True, "exp": int(time.time()) + ACCESS_TOKEN_LIFETIME, "scopes": [YOUTUBE_SCOPE],
    }  # fmt: skip
    left = state["exp"] - int(time.time())
    if not state["valid"] or left <= 0:
        return INVALID
    return Response(
        200,
        {
            "azp": CLIENT_ID,
            "aud": CLIENT_ID,
            "sub": "100000000000000000001",
            "scope": " ".join(state["scopes"]),
            "exp": str(state["exp"]),
            "expires_in": str(left),
            "access_type": "offline",
        },
    )


def control(sandbox: Sandbox, request: Request, token: str) -> Response:
    body = request.json()
    if not isinstance(body, dict):
        return Response(400, {"error": "expected a JSON object"})
    set_token(
        sandbox,
        token,
        valid=bool(body.get("valid", True)),
        expires_in=int(body.get("expires_in", ACCESS_TOKEN_LIFETIME)),
        scopes=body.get("scopes"),
    )
    return Response(200, {"ok": True})


ROUTES = [
    Route("GET", r"/google_oauth/tokeninfo", tokeninfo),
    Route("POST", r"/_sandbox/google_tokens/(?P<token>[^/]+)", control),
]
