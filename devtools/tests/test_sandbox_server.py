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
