"""X's authenticated user lookup, the only way X lets a client learn whether its token works.

``GET /x/users/me`` (production: ``https://api.x.com/2/users/me``) answers 200 ``{"data":
{"id", "name", "username"}}`` for a token registered with the account it acts as (``POST
/_sandbox/x/accounts`` with ``token``, in ``x.py``), and X's 401 problem object otherwise
(https://docs.x.com/x-api/users/user-lookup-me,
https://docs.x.com/x-api/fundamentals/response-codes-and-errors). Like X, it says nothing of the
token's scopes or expiry.

``POST /_sandbox/x_tokens/<token>`` with ``{"valid": false}`` revokes a token (``revoke`` from a
test); ``{"user_id": ...}`` gives it to a registered account.
"""

from __future__ import annotations

from devtools.platform_sandbox.server import Request, Response, Route, Sandbox
from devtools.platform_sandbox.x import _limits, _state, problem


def revoke(sandbox: Sandbox, token: str) -> None:
    with sandbox.lock:
        _state(sandbox)["tokens"].pop(token, None)


def me(sandbox: Sandbox, request: Request) -> Response:
    state = _state(sandbox)
    account = state["accounts"].get(state["tokens"].get(request.bearer(), ""))
    if account is None:
        return problem(401, "Unauthorized", "Unauthorized")
    return Response(200, {"data": dict(account)}, _limits())


def control(sandbox: Sandbox, request: Request, token: str) -> Response:
    body = request.json()
    if not isinstance(body, dict):
        return Response(400, {"error": "expected a JSON object"})
    if body.get("valid", True) is False:
        revoke(sandbox, token)
        return Response(200, {"ok": True})
    user_id = str(body.get("user_id", ""))
    if user_id not in _state(sandbox)["accounts"]:
        return Response(400, {"error": "unknown user_id: register it with /_sandbox/x/accounts"})
    with sandbox.lock:
        _state(sandbox)["tokens"][token] = user_id
    return Response(200, {"ok": True})


ROUTES = [
    Route("GET", r"/x/users/me", me),
    Route("POST", r"/_sandbox/x_tokens/(?P<token>[^/]+)", control),
]
