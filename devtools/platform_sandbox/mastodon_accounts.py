"""Mastodon's credential checks: ``GET /api/v1/apps/verify_credentials`` and
``GET /api/v1/accounts/verify_credentials``, at the root like the rest of Mastodon's API.

Shapes from https://docs.joinmastodon.org/methods/apps/#verify_credentials (the Application,
with ``scopes`` since 4.3) and https://docs.joinmastodon.org/methods/accounts/#verify_credentials
(the CredentialAccount); a token that is not valid gets 401
``{"error": "The access token is invalid"}``. A missing Authorization header gets the same 401.

Any token is valid with ``read`` and ``write`` unless described by
``POST /_sandbox/mastodon_tokens/<token>`` (``{"valid": false}`` or ``{"scopes": [...]}``) or
``set_token`` from a test.
"""

from __future__ import annotations

from devtools.platform_sandbox.mastodon import own_account
from devtools.platform_sandbox.server import Request, Response, Route, Sandbox

INVALID = Response(401, {"error": "The access token is invalid"})


def setup(sandbox: Sandbox) -> None:
    sandbox.data.setdefault("mastodon_tokens", {})


def set_token(
    sandbox: Sandbox, token: str, *, valid: bool = True, scopes: list[str] | None = None
) -> None:
    with sandbox.lock:
        sandbox.data.setdefault("mastodon_tokens", {})[token] = {
            "valid": valid,
            "scopes": ["read", "write"] if scopes is None else scopes,
        }


def _state(sandbox: Sandbox, request: Request) -> dict[str, object] | None:
    token = request.bearer()
    if not token:
        return None
    state = sandbox.data.setdefault("mastodon_tokens", {}).get(token)
    state = state or {"valid": True, "scopes": ["read", "write"]}
    return state if state["valid"] else None


def app_credentials(sandbox: Sandbox, request: Request) -> Response:
    state = _state(sandbox, request)
    if state is None:
        return INVALID
    return Response(
        200,
        {
            "id": "563419",
            "name": "GovSocial",
            "website": None,
            "scopes": state["scopes"],
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
            "redirect_uris": ["urn:ietf:wg:oauth:2.0:oob"],
            "client_id": "sandbox-client-id",
        },
    )


def account_credentials(sandbox: Sandbox, request: Request) -> Response:
    """The sandbox's own account (``mastodon.own_account``, the one that posts), with the
    CredentialAccount's ``source``."""
    if _state(sandbox, request) is None:
        return INVALID
    source = {"privacy": "public", "sensitive": False, "language": "", "note": ""}
    return Response(200, {**own_account(sandbox), "source": source})


def control(sandbox: Sandbox, request: Request, token: str) -> Response:
    body = request.json()
    if not isinstance(body, dict):
        return Response(400, {"error": "expected a JSON object"})
    set_token(sandbox, token, valid=bool(body.get("valid", True)), scopes=body.get("scopes"))
    return Response(200, {"ok": True})


ROUTES = [
    Route("GET", r"/api/v1/apps/verify_credentials", app_credentials),
    Route("GET", r"/api/v1/accounts/verify_credentials", account_credentials),
    Route("POST", r"/_sandbox/mastodon_tokens/(?P<token>[^/]+)", control),
]
