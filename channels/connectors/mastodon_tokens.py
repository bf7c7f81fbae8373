"""Mastodon: whether a channel's access token works, and its scopes, from the channel's server.

``GET /api/v1/apps/verify_credentials`` with ``Authorization: Bearer <token>`` answers 200 with
the Application (``scopes`` since Mastodon 4.3; older servers do not list them, and then no
permission is reported missing) or 401 ``{"error": "The access token is invalid"}``. Those are
the scopes the application registered; a token granted fewer still fails later, on the call
that needs the scope, and that failure is shown on the action. Mastodon tokens do not expire.
Source: https://docs.joinmastodon.org/methods/apps/#verify_credentials

The server is the channel's own address, checked public before each connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from channels.connectors.addresses import AddressRefused, public_server_check
from channels.connectors.credentials import TokenStatus, missing_scopes, scrub
from channels.connectors.mastodon import instance_url
from channels.connectors.polling import ConnectorError

if TYPE_CHECKING:
    from channels.models import Channel

REQUEST_TIMEOUT = 15  # seconds


class MastodonTokenChecker:
    platform = "mastodon"

    def check_token(self, channel: Channel) -> TokenStatus:
        base_url = instance_url(channel.url)
        if not base_url:
            raise ConnectorError("The channel has no server address.")
        try:
            public_server_check(base_url)
        except AddressRefused as refusal:
            raise ConnectorError(str(refusal)) from None
        token = channel.access_token
        try:
            response = requests.get(
                f"{base_url}/api/v1/apps/verify_credentials",
                headers={"Authorization": f"Bearer {token}"},
                timeout=REQUEST_TIMEOUT,
            )
        except requests.RequestException as error:
            raise ConnectorError(
                f"Mastodon could not be reached ({type(error).__name__})."
            ) from None
        if response.status_code == 401:
            return TokenStatus(valid=False, error=scrub(_error(response), token)[:1000])
        if response.status_code != 200:
            raise ConnectorError(
                scrub(f"Mastodon answered {response.status_code}: {_error(response)}", token)
            )
        scopes = _scopes(response)
        missing = missing_scopes(self.platform, scopes) if scopes else frozenset()
        return TokenStatus(valid=True, scopes=scopes, missing=missing)


def _error(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "no message"
    return str(body.get("error") or "no message")[:500] if isinstance(body, dict) else "no message"


def _scopes(response: requests.Response) -> frozenset[str]:
    try:
        body = response.json()
    except ValueError:
        return frozenset()
    scopes = body.get("scopes") if isinstance(body, dict) else None
    return frozenset(str(scope) for scope in scopes) if isinstance(scopes, list) else frozenset()


CHECKER = MastodonTokenChecker()
