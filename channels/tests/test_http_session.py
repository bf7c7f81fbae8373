"""The connectors' HTTP session (channels.connectors.http_session): kept alive, one per thread."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

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
