"""The Graph API over HTTP, and its documented error object mapped to our errors.

Every call goes to ``settings.PLATFORM_API_URLS[platform]`` (Graph, or the development sandbox)
with the channel's page access token in the ``Authorization`` header, never in the address:
``requests`` puts the address in its exception messages. Whatever we raise or log is passed
through ``_scrub`` as well, so a token can never reach a message even if an answer echoed it.

Errors (https://developers.facebook.com/docs/graph-api/guides/error-handling): the body is
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``.

- throttling (codes 4, 17, 32, 341, 613, 80001-80014, or HTTP 429) -> ``RateLimited``, back at
  the ``estimated_time_to_regain_access`` (minutes) of the ``X-Business-Use-Case-Usage`` or
  ``X-App-Usage`` header when one is announced
  (https://developers.facebook.com/docs/graph-api/overview/rate-limiting);
- temporary (codes 1 and 2, HTTP 5xx, timeouts, connection errors) -> ``ConnectorError``;
- anything else (190 token invalid or expired, 10 and 200-299 permissions, 100 invalid
  parameter, 100/33 object does not exist, 368 policy block, 2018278 outside the messaging
  window...) -> ``GraphRefused``, an ``ActionRejected`` that keeps the code and subcode.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone

from channels.connectors import http_session
from channels.connectors.actions import ActionRejected, ConnectorError, RateLimited

TIMEOUT = (5, 15)  # connect, read (seconds): a worker never waits long for a platform
DEFAULT_BACKOFF = timedelta(minutes=1)
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, *range(80001, 80015)})
TEMPORARY_CODES = frozenset({1, 2})
GONE = (100, 33)
"""Code 100 with subcode 33: the object does not exist (deleted, or never was)."""
OUTSIDE_WINDOW_SUBCODE = 2018278
"""Code 10 (or 200) with this subcode: the message is outside the allowed window."""
USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Page-Usage")


class GraphRefused(ActionRejected):
    """Graph refused for good; ``code`` and ``subcode`` say why (e.g. 100/33: gone)."""

    def __init__(self, message: str, code: int | None, subcode: int | None) -> None:
        super().__init__(message)
        self.code = code
        self.subcode = subcode

    @property
    def gone(self) -> bool:
        return (self.code, self.subcode) == GONE

    @property
    def outside_window(self) -> bool:
        return self.subcode == OUTSIDE_WINDOW_SUBCODE


@dataclass(frozen=True)
class Graph:
    """Graph for one platform's base address and one page access token."""

    platform: str
    token: str

    def get(self, path: str, **params: str) -> dict[str, Any]:
        return self._call("GET", path, params=params)

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any) -> dict[str, Any]:
        return self._call("POST", path, data=data, **kwargs)

    def delete(self, path: str) -> dict[str, Any]:
        return self._call("DELETE", path)

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        if not self.token:
            raise ActionRejected(f"{self.platform}: the channel has no page access token.")
        url = f"{settings.PLATFORM_API_URLS[self.platform]}/{path.lstrip('/')}"
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            response = http_session.session().request(
                method, url, headers=headers, timeout=TIMEOUT, **kwargs
            )
        except requests.RequestException as error:
            raise ConnectorError(self._scrub(f"{self.platform}: {type(error).__name__}")) from None
        body = _json(response)
        if response.ok and "error" not in body:
            return body
        raise self._error(response, body)

    def _error(self, response: requests.Response, body: dict[str, Any]) -> Exception:
        error = _object(body.get("error"))
        code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
        number = f"{code or response.status_code}{f'/{subcode}' if subcode else ''}"
        said = str(error.get("message") or response.reason)[:500]
        text = self._scrub(f"{self.platform}: Graph error {number}: {said}")
        if response.status_code == 429 or code in RATE_LIMIT_CODES:
            return RateLimited(retry_at(response.headers, timezone.now()))
        if response.status_code >= 500 or code in TEMPORARY_CODES:
            return ConnectorError(text)
        return GraphRefused(text, code, subcode)

    def _scrub(self, text: str) -> str:
        return text.replace(self.token, "[token]") if self.token else text


def retry_at(headers: Any, now: datetime) -> datetime:
    """When Graph says access comes back: the longest ``estimated_time_to_regain_access``
    (minutes) in its usage headers, or ``DEFAULT_BACKOFF``."""
    minutes = 0
    for name in USAGE_HEADERS:
        try:
            usage = json.loads(headers.get(name) or "null")
        except ValueError:
            continue
        for entry in _usage_entries(usage):
            minutes = max(minutes, _int(entry.get("estimated_time_to_regain_access")) or 0)
    return now + (timedelta(minutes=minutes) if minutes else DEFAULT_BACKOFF)


def _usage_entries(usage: Any) -> list[dict[str, Any]]:
    """``X-App-Usage`` is one object; ``X-Business-Use-Case-Usage`` maps business ids to lists
    of objects (one per use case type)."""
    if not isinstance(usage, dict):
        return []
    if any(isinstance(value, list) for value in usage.values()):
        return [
            e
            for value in usage.values()
            if isinstance(value, list)
            for e in value
            if isinstance(e, dict)
        ]
    return [usage]


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _object(value: Any) -> dict[str, Any]:
    """A JSON object from an answer, or an empty one when it is something else."""
    return value if isinstance(value, dict) else {}
