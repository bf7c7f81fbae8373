"""X: whether a channel's OAuth 2.0 user token works, from ``GET /2/users/me``.

X offers no public token introspection: the authenticated user lookup
(https://docs.x.com/x-api/users/user-lookup-me, scopes tweet.read users.read) answers 200
``{"data": {"id", "name", "username"}}`` for a working token and 401 (a problem object
``{"title": "Unauthorized", "type": "about:blank", "status": 401, "detail"}``) for one that is
expired or revoked; 429 with ``x-rate-limit-reset`` means later
(https://docs.x.com/x-api/fundamentals/response-codes-and-errors).

What cannot be checked: X never says which scopes a token was granted, so no permission is
reported missing (``SCOPES_UNREADABLE``; a missing scope shows as a 403 on the action that needs
it), and it does not say when a token expires (``EXPIRY_UNREADABLE``; an OAuth 2.0 user token
lasts two hours unless refreshed with ``offline.access``, which GovSocial does not do yet).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels.connectors import rest
from channels.connectors.base import clean_text
from channels.connectors.credentials import TokenStatus, scrub
from channels.connectors.polling import ConnectorError, RateLimited

if TYPE_CHECKING:
    import requests

    from channels.models import Channel


class XTokenChecker:
    platform = "x"

    def check_token(self, channel: Channel) -> TokenStatus:
        token = channel.access_token
        response = rest.call("x", "GET", "/users/me", token=token, label="X")
        if response.status_code == 200:
            return TokenStatus(valid=True)
        if response.status_code == 401:
            return TokenStatus(valid=False, error=scrub(_problem(response), token)[:1000])
        if response.status_code == 429:
            raise RateLimited(rest.epoch_time(response.headers.get("x-rate-limit-reset")))
        raise ConnectorError(
            scrub(f"X answered {response.status_code}: {_problem(response)}", token)
        )


def _problem(response: requests.Response) -> str:
    body = rest.body_of(response)
    title = clean_text(body.get("title") or "error", 100)
    detail = clean_text(body.get("detail"), 300)
    return f"{title}: {detail}" if detail else title


CHECKER = XTokenChecker()
