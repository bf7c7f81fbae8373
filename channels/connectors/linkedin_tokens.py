"""LinkedIn: whether a channel's member token works, until when, and with which scopes, from
LinkedIn's token introspection.

``POST https://www.linkedin.com/oauth/v2/introspectToken`` (form: ``client_id``,
``client_secret``, ``token``) answers 200 ``{"active", "status", "expires_at", "scope",
"client_id", "created_at", "authorized_at", "auth_type"}``: ``status`` is ``active``,
``expired`` or ``revoked``, ``expires_at`` a Unix time in seconds, ``scope`` comma-separated
(3-legged tokens only). 400 means an invalid client id or token, 401 an invalid client secret.
Source: https://learn.microsoft.com/en-us/linkedin/shared/authentication/token-introspection

The client id and secret are the app's, from ``settings.LINKEDIN_CLIENT_ID`` /
``LINKEDIN_CLIENT_SECRET``; without them nothing is asked. A 400 is read as a token LinkedIn
does not know (its message, which also names the client id, is shown to the admins); a 401 is
GovSocial's configuration, so no verdict on the token. Everything travels in the form body;
messages are scrubbed of the token and the secret.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import requests
from django.conf import settings

from channels.connectors import rest
from channels.connectors.credentials import TokenStatus, missing_scopes, scrub
from channels.connectors.polling import ConnectorError

if TYPE_CHECKING:
    from channels.models import Channel

REQUEST_TIMEOUT = 15  # seconds


class LinkedInTokenChecker:
    platform = "linkedin"

    def check_token(self, channel: Channel) -> TokenStatus:
        client_id, secret = settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET
        if not (client_id and secret):
            raise ConnectorError(
                "LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET are not set: cannot check."
            )
        token = channel.access_token
        try:
            response = requests.post(
                f"{settings.PLATFORM_API_URLS['linkedin_oauth']}/introspectToken",
                data={"client_id": client_id, "client_secret": secret, "token": token},
                timeout=REQUEST_TIMEOUT,
            )
        except requests.RequestException as error:
            raise ConnectorError(
                f"LinkedIn could not be reached ({type(error).__name__})."
            ) from None
        body = rest.body_of(response)
        if response.status_code == 400:
            return TokenStatus(valid=False, error=scrub(_message(body), token, secret)[:1000])
        if response.status_code != 200 or not isinstance(body.get("active"), bool):
            raise ConnectorError(
                scrub(f"LinkedIn answered {response.status_code}: {_message(body)}", token, secret)
            )
        scopes = frozenset(s.strip() for s in str(body.get("scope") or "").split(",") if s.strip())
        if body["active"] is not True:
            status = str(body.get("status") or "inactive")[:50]
            return TokenStatus(valid=False, scopes=scopes, error=f"The token is {status}.")
        return TokenStatus(
            valid=True,
            expires_at=_moment(body.get("expires_at")),
            scopes=scopes,
            missing=missing_scopes(self.platform, scopes) if scopes else frozenset(),
        )


def _message(body: dict[str, object]) -> str:
    text = body.get("error_description") or body.get("message") or body.get("error")
    return str(text or "no message")[:500]


def _moment(epoch: object) -> datetime | None:
    if isinstance(epoch, int | float) and not isinstance(epoch, bool) and epoch > 0:
        return datetime.fromtimestamp(int(epoch), UTC)
    return None


CHECKER = LinkedInTokenChecker()
