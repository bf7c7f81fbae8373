"""The HTTP session the connectors call the platforms' APIs with: one per thread, kept alive.

A worker carries actions out one after another, mostly on the same few platforms: a session
keeps each server's connection open (and its TLS handshake done) for the next request, where
``requests.request`` opened and closed one per call. One per thread because a
``requests.Session`` is not documented as thread-safe.

- It keeps no cookies: a platform's cookie must not travel from one channel's request to
  another's, and the token goes in each request's ``Authorization`` header, never in the session.
- It reads the environment once rather than on every request: the proxy variables
  (``HTTPS_PROXY``, ``NO_PROXY``) once per server, the CA bundle (``REQUESTS_CA_BUNDLE``) once.
  Reading them per request cost about 0.15 ms of CPU per call (docs/benchmarks.md, actions).
  ``~/.netrc`` is never read: its Basic credentials would replace the channel's token.
"""

from __future__ import annotations

import os
import threading
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.utils import get_environ_proxies

_local = threading.local()


class _Session(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
        self._proxies: dict[tuple[str, str], dict[str, str]] = {}

    def merge_environment_settings(
        self, url: str, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        parts = urlsplit(url)
        server = (parts.scheme, parts.netloc)
        if server not in self._proxies:
            self._proxies[server] = get_environ_proxies(url)
        proxies = {**self._proxies[server], **(proxies or {})}
        return super().merge_environment_settings(url, proxies, stream, verify, cert)


def session() -> requests.Session:
    """This thread's session."""
    current: requests.Session | None = getattr(_local, "session", None)
    if current is None:
        current = _Session()
        _local.session = current
    return current
