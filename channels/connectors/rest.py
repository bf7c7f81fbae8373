"""The one HTTP call the REST connectors (YouTube, X, LinkedIn) share.

The address is ``settings.PLATFORM_API_URLS[platform]`` plus the documented path, so the
development sandbox and the real platform differ only in settings; the channel's OAuth token
travels in the ``Authorization`` header only, through the worker's kept-alive session
(``channels.connectors.http_session``). A network failure becomes ``ConnectorError`` with
the kind of failure and never the request (whose headers hold the token): the messages reach
admins' screens and the logs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from django.conf import settings

from channels.connectors import http_session
from channels.connectors.polling import ConnectorError

REQUEST_TIMEOUT = (5, 20)  # connect, read (seconds): a platform call never holds a worker long
DEFAULT_BACKOFF = timedelta(minutes=5)


def call(
    platform: str,
    method: str,
    path: str,
    *,
    token: str,
    label: str,
    params: dict[str, Any] | None = None,
    json: Any = None,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    """One request to the platform's API; ``label`` names the platform in error messages."""
    try:
        return http_session.session().request(
            method,
            settings.PLATFORM_API_URLS[platform] + path,
            params=params,
            json=json,
            headers={
                "Authorization": f"Bearer {token}",
                "User-Agent": "GovSocial",
                **(headers or {}),
            },
            timeout=REQUEST_TIMEOUT,
        )
    except requests.RequestException as error:
        raise ConnectorError(
            f"{label}: the API could not be reached ({type(error).__name__})."
        ) from None


def body_of(response: requests.Response) -> dict[str, Any]:
    """The JSON object a platform answered, or {} when it answered something else."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def epoch_time(value: str | None, *, default: timedelta = DEFAULT_BACKOFF) -> datetime:
    """A reset time given in epoch seconds (X's ``x-rate-limit-reset``), never in the past."""
    now = datetime.now(UTC)
    try:
        reset = datetime.fromtimestamp(int(value or ""), UTC)
    except (ValueError, OverflowError, OSError):
        return now + default
    return reset if reset > now else now + timedelta(seconds=30)


def cursor_parts(cursor: str) -> tuple[str, str, str]:
    """A polling cursor ``since[|newest|page token]``: between polls only ``since`` (the newest
    record seen); while a backlog is read page by page, also the newest of this run (the next
    ``since``) and the platform's token for the next page."""
    since, _, rest = cursor.partition("|")
    newest, _, token = rest.partition("|")
    return since, newest, token


def cursor_join(since: str, newest: str, token: str) -> str:
    return f"{since}|{newest}|{token}"
