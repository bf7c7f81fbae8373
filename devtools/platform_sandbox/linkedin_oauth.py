"""LinkedIn's token introspection: what LinkedIn says of an organisation page's member token.

``POST /linkedin_oauth/introspectToken`` (production:
``https://www.linkedin.com/oauth/v2/introspectToken``), form ``client_id``, ``client_secret``,
``token``, answers 200 ``{"active", "client_id", "authorized_at", "created_at", "status",
"expires_at", "scope", "auth_type"}`` (``status`` active, expired or revoked; times in Unix
seconds; ``scope`` comma-separated); 400 for a missing client id or an unknown token, 401 for a
missing client secret
(https://learn.microsoft.com/en-us/linkedin/shared/authentication/token-introspection).

A token nobody described is active for 60 days (LinkedIn's access token lifetime) with the
permissions GovSocial needs. ``POST /_sandbox/linkedin_tokens/<token>`` with a JSON object
(``status``: active, expired, revoked or unknown; ``expires_at`` as a Unix time; ``scopes``)
describes one; ``set_token`` does the same from a test.
"""

from __future__ import annotations

import time
from typing import Any

from devtools.platform_sandbox.server import Request, Response, Route, Sandbox

ALL_SCOPES = ["r_organization_social", "w_organization_social"]
LIFETIME = 60 * 86400  # seconds


def setup(sandbox: Sandbox) -> None:
    sandbox.data.setdefault("linkedin_tokens", {})


def set_token(
    sandbox: Sandbox,
    token: str,
    *,
    status: str = "active",
    expires_at: int | None = None,
    scopes: list[str] | None = None,
) -> None:
    with sandbox.lock:
        sandbox.data.setdefault("linkedin_tokens", {})[token] = {
            "status": status,
            "expires_at": expires_at or int(time.time()) + LIFETIME,
            "scopes": list(ALL_SCOPES if scopes is None else scopes),
        }


def _refusal(status: int, error: str, description: str) -> Response:
    return Response(status, {"error": error, "error_description": description})


def introspect(sandbox: Sandbox, request: Request) -> Response:
    client_id, token = request.arg("client_id"), request.arg("token")
    if not client_id:
        return _refusal(400, "invalid_request", 'A required parameter "client_id" is missing')
    if not request.arg("client_secret"):
        return _refusal(401, "invalid_client", "Client authentication failed")
    state = sandbox.data.setdefault("linkedin_tokens", {}).get(token) or {
        "status": "active", "expires_at": int(time.time()) + LIFETIME, "scopes": ALL_SCOPES,
    }  # fmt: skip
    if not token or state["status"] == "unknown":
        return _refusal(400, "invalid_request", "The token is invalid")
    status = state["status"]
    if status == "active" and state["expires_at"] <= time.time():
        status = "expired"
    created = int(time.time()) - 86400
    body: dict[str, Any] = {
        "active": status == "active",
        "client_id": client_id,
        "authorized_at": created,
        "created_at": created,
        "status": status,
        "expires_at": state["expires_at"],
        "scope": ",".join(state["scopes"]),
        "auth_type": "3L",
    }
    return Response(200, body)


def control(sandbox: Sandbox, request: Request, token: str) -> Response:
    body = request.json()
    if not isinstance(body, dict):
        return Response(400, {"error": "expected a JSON object"})
    set_token(
        sandbox,
        token,
        status=str(body.get("status", "active")),
        expires_at=int(body["expires_at"]) if body.get("expires_at") else None,
        scopes=body.get("scopes"),
    )
    return Response(200, {"ok": True})


ROUTES = [
    Route("POST", r"/linkedin_oauth/introspectToken", introspect),
    Route("POST", r"/_sandbox/linkedin_tokens/(?P<token>[^/]+)", control),
]
