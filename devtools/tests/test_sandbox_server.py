"""The sandbox's own plumbing: routing, recorded calls, forced failures, over real HTTP."""

from __future__ import annotations

import requests

from devtools.platform_sandbox.server import Response, Route, build, running


class Echo:
    ROUTES = [
        Route(
            "GET",
            r"/echo/(?P<name>\w+)",
            lambda sandbox, request, name: Response(200, {"name": name}),
        )
    ]


def test_routes_record_calls_and_forced_failures() -> None:
    with running(build([Echo])) as sandbox:
        assert requests.get(f"{sandbox.url}/echo/abc", timeout=5).json() == {"name": "abc"}
        sandbox.fail_next("/echo/", 429, {"error": "slow down"}, {"Retry-After": "7"})
        limited = requests.get(f"{sandbox.url}/echo/abc", timeout=5)
        assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
        assert requests.get(f"{sandbox.url}/echo/abc", timeout=5).status_code == 200
        assert requests.get(f"{sandbox.url}/nowhere", timeout=5).status_code == 404
        assert len(sandbox.calls_to("GET", "/echo/")) == 3


def test_a_sandbox_in_its_own_process_is_fed_and_counted_over_http() -> None:
    """bench/actions.py runs the sandbox in a process of its own and talks to it this way."""
    from devtools.platform_sandbox import mastodon

    with running(build([mastodon])) as sandbox:
        added = requests.post(
            f"{sandbox.url}/_sandbox/mastodon/mentions",
            json={"mentions": [{"id": "41"}, {"id": "42", "text": "Vraag"}]},
            timeout=5,
        )
        assert added.json() == {"added": 2}
        refused = requests.post(f"{sandbox.url}/_sandbox/mastodon/mentions", json={}, timeout=5)
        assert refused.status_code == 422
        headers = {"Authorization": f"Bearer {mastodon.TOKEN}", "Idempotency-Key": "k-1"}
        for _ in range(2):  # the same key twice: one status
            requests.post(
                f"{sandbox.url}/api/v1/statuses",
                data={"status": "Antwoord", "in_reply_to_id": "42"},
                headers=headers,
                timeout=5,
            ).raise_for_status()
        count = requests.get(f"{sandbox.url}/_sandbox/mastodon/own-statuses", timeout=5).json()
        assert count == {"count": 1}
