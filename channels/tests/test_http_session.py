"""The connectors' HTTP session (channels.connectors.http_session): kept alive, one per thread."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings

from channels.connectors import http_session, rest


def _connections_to(url: str) -> int:
    """How many connections this thread's session opened to ``url``'s server."""
    parts = urlsplit(url)
    pools = http_session.session().get_adapter(url).poolmanager.pools
    return sum(
        pools[key].num_connections
        for key in pools.keys()  # noqa: SIM118 (urllib3's pool container cannot be iterated)
        if (key.key_host, key.key_port) == (parts.hostname, parts.port)
    )


def test_the_rest_connectors_calls_reuse_one_connection(platform_sandbox) -> None:
    requests.post(
        f"{platform_sandbox.url}/_sandbox/x/accounts",
        timeout=5,
        json={"id": "1", "username": "mfa", "name": "MFA", "token": "x-token"},
    ).raise_for_status()
    base = settings.PLATFORM_API_URLS["x"]
    for _ in range(3):
        response = rest.call("x", "GET", "/users/me", token="x-token", label="X")
        assert response.status_code == 200
    assert _connections_to(base) == 1


def test_each_thread_has_its_own_session() -> None:
    mine = http_session.session()
    assert http_session.session() is mine
    theirs: list[requests.Session] = []
    thread = threading.Thread(target=lambda: theirs.append(http_session.session()))
    thread.start()
    thread.join(timeout=10)
    assert theirs
    assert theirs[0] is not mine


def test_the_proxy_variables_are_honoured_per_server(monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "intranet.example")
    session = http_session._Session()

    def proxies_for(url: str) -> dict[str, str]:
        return session.merge_environment_settings(url, {}, None, None, None)["proxies"]

    assert proxies_for("https://mastodon.example/api/v1/statuses")["https"] == (
        "http://proxy.example:3128"
    )
    assert "https" not in proxies_for("https://intranet.example/api")


def test_a_netrc_entry_never_replaces_the_channels_token(monkeypatch, tmp_path) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine platform.example login someone password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    request = requests.Request(
        "GET", "https://platform.example/api", headers={"Authorization": "Bearer channel-token"}
    )
    prepared = http_session._Session().prepare_request(request)
    assert prepared.headers["Authorization"] == "Bearer channel-token"
    assert (
        requests.Session().prepare_request(request).headers["Authorization"].startswith("Basic")
    )  # what a plain session would have sent


@pytest.mark.parametrize(
    ("method", "arguments"),
    [
        ("GET", {"params": {"limit": "40", "q": "é t"}}),
        ("POST", {"data": {"status": "Bonjour é", "in_reply_to_id": "7"}}),
        ("POST", {"json": {"text": "Dag"}}),
    ],
)
def test_a_connectors_call_is_prepared_as_session_request_prepares_it(method, arguments) -> None:
    """The short path sends what ``Session.request`` would have sent."""
    with _server([(200, {}, b'{"ok": true}')]) as (url, seen):
        headers = {"Authorization": "Bearer channel-token", "Idempotency-Key": "k1"}
        response = http_session.session().request(
            method, f"{url}/api/v1/statuses", headers=headers, timeout=5, **arguments
        )
        expected = http_session._Session().prepare_request(
            requests.Request(method, f"{url}/api/v1/statuses", headers=headers, **arguments)
        )
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert response.request.url == expected.url
    assert dict(response.request.headers) == dict(expected.headers)
    assert response.request.body == expected.body
    body = expected.body or b""
    assert seen[0]["body"] == (body.encode() if isinstance(body, str) else body)
    assert seen[0]["path"] == expected.path_url


def test_a_redirect_is_followed_as_requests_follows_it() -> None:
    with _server([(302, {"Location": "/elsewhere"}, b""), (200, {}, b'{"moved": 1}')]) as (
        url,
        seen,
    ):
        response = http_session.session().request("GET", f"{url}/api/x", timeout=5)
    assert (response.status_code, response.json()) == (200, {"moved": 1})
    assert [r.status_code for r in response.history] == [302]
    assert [s["path"] for s in seen] == ["/api/x", "/elsewhere"]


@contextmanager
def _server(answers: list[tuple[int, dict[str, str], bytes]]):
    """A local HTTP/1.1 server giving ``answers`` in turn; the requests it saw."""
    seen: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen.append({"path": self.path, "body": self.rfile.read(length)})
            status, headers, body = answers[len(seen) - 1]
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
