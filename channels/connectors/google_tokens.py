"""YouTube (Google OAuth 2.0): whether a channel's access token works, until when, and with which
scopes, from Google's token info endpoint.

``GET https://oauth2.googleapis.com/tokeninfo?access_token=<token>`` answers 200 with the
token's ``aud``/``azp`` (the OAuth client), ``scope`` (space-separated), ``expires_in`` (seconds
left) and ``exp`` (Unix time, as a string), or 400 ``{"error": "invalid_token",
"error_description": "Invalid Value"}`` for a token that is expired, revoked or not Google's.
Sources: the OAuth2 API's Tokeninfo resource
(https://developers.google.com/resources/api-libraries/documentation/oauth2/v2/cpp/latest/classgoogle__oauth2__api_1_1Tokeninfo.html;
``expires_in`` "the expiry time of the token, as number of seconds left until expiry",
``scope`` "the space separated list of scopes granted to this token") and
https://developers.google.com/identity/protocols/oauth2 (access tokens expire; refresh tokens).

Google access tokens live one hour; a client keeps working by exchanging its refresh token for a
new one. GovSocial stores one access token per channel and does not refresh it (yet), so the
expiry reported here is real: within the hour the channel stops working and the next check says
so (docs/platforms.md). The token travels in the query string as Google documents it;
``channels.connectors.redaction`` masks ``access_token`` in urllib3's log lines.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import requests
from django.conf import settings

from channels.connectors import rest
from channels.connectors.credentials import TokenStatus, missing_scopes, scrub
from channels.connectors.polling import ConnectorError

if TYPE_CHECKING:
    from channels.models import Channel

REQUEST_TIMEOUT = 15  # seconds


class GoogleTokenChecker:
    platform = "youtube"

    def check_token(self, channel: Channel) -> TokenStatus:
        token = channel.access_token
        try:
            response = requests.get(
                f"{settings.PLATFORM_API_URLS['google_oauth']}/tokeninfo",
                params={"access_token": token},
                timeout=REQUEST_TIMEOUT,
            )
        except requests.RequestException as error:
            # The exception's text holds the URL, hence the token: only its kind is kept.
            raise ConnectorError(f"Google could not be reached ({type(error).__name__}).") from None
        body = rest.body_of(response)
        if response.status_code == 400 and body.get("error") == "invalid_token":
            return TokenStatus(valid=False, error=scrub(_message(body), token)[:1000])
        if response.status_code != 200:
            raise ConnectorError(
                scrub(f"Google answered {response.status_code}: {_message(body)}", token)
            )
        scopes = frozenset(str(body.get("scope") or "").split())
        return TokenStatus(
            valid=True,
            expires_at=_expiry(body.get("expires_in")),
            scopes=scopes,
            missing=missing_scopes(self.platform, scopes),
        )


def _message(body: dict[str, object]) -> str:
    text = body.get("error_description") or body.get("error") or "no message"
    return str(text)[:500]


def _expiry(seconds_left: object) -> datetime | None:
    """``expires_in`` (a number, or a string of one) as a moment; None when absent."""
    try:
        seconds = int(str(seconds_left))
    except ValueError:
        return None
    return datetime.now(UTC) + timedelta(seconds=max(seconds, 0))


CHECKER = GoogleTokenChecker()
