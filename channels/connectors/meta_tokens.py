"""Meta (Facebook pages, Instagram professional accounts): a page token's health, from the Graph
API's ``debug_token``.

``GET /debug_token?input_token=<page token>&access_token=<app token>`` answers
``{"data": {"is_valid", "expires_at", "data_access_expires_at", "scopes", "error", ...}}``;
``expires_at`` 0 means the token does not expire (a page token derived from a long-lived user
token), ``data_access_expires_at`` is when the app's access to the data lapses (also 0 when it
does not). The app token is ``<app id>|<app secret>`` from ``settings.META_APP_ID`` /
``META_APP_SECRET``. Sources: https://developers.facebook.com/docs/graph-api/reference/debug_token
and https://developers.facebook.com/docs/facebook-login/guides/access-tokens/debugging-and-error-handling

Tokens travel in the query string, as Meta documents them; urllib3 logs request lines at DEBUG,
so ``channels.connectors.redaction`` masks token parameters in its log records, and nothing
here logs or stores a token: errors are rebuilt from the platform's message, scrubbed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings

from channels.connectors.credentials import TokenStatus, missing_scopes, scrub
from channels.connectors.polling import ConnectorError

if TYPE_CHECKING:
    from channels.models import Channel

REQUEST_TIMEOUT = 15  # seconds


class MetaTokenChecker:
    def __init__(self, platform: str) -> None:
        self.platform = platform

    def check_token(self, channel: Channel) -> TokenStatus:
        token = channel.access_token
        app_token = app_access_token()
        if not app_token:
            raise ConnectorError("META_APP_ID and META_APP_SECRET are not set: cannot check.")
        url = f"{settings.PLATFORM_API_URLS[self.platform]}/debug_token"
        try:
            response = requests.get(
                url,
                params={"input_token": token, "access_token": app_token},
                timeout=REQUEST_TIMEOUT,
            )
        except requests.RequestException as error:
            # The exception's text holds the URL, hence the tokens: only its kind is kept.
            raise ConnectorError(f"Meta could not be reached ({type(error).__name__}).") from None
        body = _json(response)
        if response.status_code != 200 or not isinstance(body.get("data"), dict):
            raise ConnectorError(scrub(_graph_error(response.status_code, body), token, app_token))
        return self._status(body["data"], token, app_token)

    def _status(self, data: dict[str, Any], token: str, app_token: str) -> TokenStatus:
        scopes = frozenset(str(scope) for scope in data.get("scopes") or ())
        valid = data.get("is_valid") is True
        error = ""
        if not valid:
            details = _object(data.get("error"))
            error = scrub(
                str(details.get("message") or "The token is not valid."), token, app_token
            )[:1000]
        return TokenStatus(
            valid=valid,
            expires_at=_earliest(data.get("expires_at"), data.get("data_access_expires_at")),
            scopes=scopes,
            missing=missing_scopes(self.platform, scopes),
            error=error,
        )


def app_access_token() -> str:
    """``<app id>|<app secret>``, Meta's app access token; "" when either is not configured."""
    app_id, secret = settings.META_APP_ID, settings.META_APP_SECRET
    return f"{app_id}|{secret}" if app_id and secret else ""


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _graph_error(status: int, body: dict[str, Any]) -> str:
    """Graph's error object (``{"error": {"message", "type", "code"}}``) as one line."""
    error = _object(body.get("error"))
    code = error.get("code", "?")
    message = str(error.get("message") or "no message")[:500]
    return f"Meta answered {status} (code {code}): {message}"


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _earliest(*epochs: object) -> datetime | None:
    """The earliest of the given Unix times that is set (0 and missing mean "never")."""
    moments = [
        datetime.fromtimestamp(int(epoch), UTC)
        for epoch in epochs
        if isinstance(epoch, int | float) and not isinstance(epoch, bool) and epoch > 0
    ]
    return min(moments, default=None)


FACEBOOK = MetaTokenChecker("facebook")
INSTAGRAM = MetaTokenChecker("instagram")
