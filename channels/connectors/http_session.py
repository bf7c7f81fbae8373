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
- The connectors' calls (a method, a URL, headers, and params, a form or JSON) take a shorter
  path than ``Session.request``: the request is prepared from the session's headers and the
  call's (no cookie jars to merge, no auth, no hooks: this session has none) and handed to the
  transport adapter, which does the sending as ``Session.send`` would (proxies, TLS, timeouts,
  its exceptions); a redirect is still followed by ``resolve_redirects``. ``Session.request``'s
  merging and preparing cost about as much CPU as urllib3's sending itself (cProfile of
  bench/actions.py; docs/benchmarks.md, actions). Any other argument takes
  ``Session.request``.
"""

from __future__ import annotations

import os
import threading
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.cookies import RequestsCookieJar
from requests.structures import CaseInsensitiveDict
from requests.utils import get_environ_proxies

_local = threading.local()

_LEAN = frozenset({"params", "data", "json", "headers", "timeout"})
"""The arguments of the connectors' calls: with only these, ``request`` takes the short path."""


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
        proxies = {**self._environment_proxies(url), **(proxies or {})}
        return super().merge_environment_settings(url, proxies, stream, verify, cert)

    def _environment_proxies(self, url: str) -> dict[str, str]:
        parts = urlsplit(url)
        server = (parts.scheme, parts.netloc)
        if server not in self._proxies:
            self._proxies[server] = get_environ_proxies(url)
        return self._proxies[server]

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if args or not _LEAN.issuperset(kwargs):
            return super().request(method, url, *args, **kwargs)
        return self._lean(method, url, **kwargs)

    def _lean(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        data: Any = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        timeout: Any = None,
    ) -> requests.Response:
        """``Session.request`` for a session without cookies, auth or hooks."""
        merged = CaseInsensitiveDict(self.headers)
        merged.update(headers or {})
        prepared = requests.PreparedRequest()
        prepared.prepare_method(method)
        prepared.prepare_url(url, params or {})
        prepared.prepare_headers({k: v for k, v in merged.items() if v is not None})
        prepared.prepare_body(data or {}, None, json)
        prepared.prepare_auth(None, url)  # credentials written in the URL, as requests does
        assert prepared.url is not None  # noqa: S101 (set by prepare_url)
        sending = {
            "stream": False,
            "timeout": timeout,
            "verify": self.verify,
            "cert": self.cert,
            "proxies": {**self.proxies, **self._environment_proxies(prepared.url)},
        }
        response = self.get_adapter(url=prepared.url).send(prepared, **sending)
        if response.is_redirect:  # followed as Session.send follows it
            prepared._cookies = RequestsCookieJar()  # type: ignore[attr-defined]
            history = list(self.resolve_redirects(response, prepared, **sending))
            if history:
                history.insert(0, response)
                response = history.pop()
                response.history = history
        response.content  # noqa: B018 (read the body: the connection goes back to the pool)
        return response


def session() -> requests.Session:
    """This thread's session."""
    current: requests.Session | None = getattr(_local, "session", None)
    if current is None:
        current = _Session()
        _local.session = current
    return current
