"""The sandbox's HTTP server: a router over the platform modules, one shared state, a thread.

A platform module exposes ``ROUTES``: ``Route(method, pattern, handler)``, the pattern a regular
expression matched against the whole path (named groups become keyword arguments); a handler
takes ``(sandbox, request, **groups)`` and returns a ``Response``. Paths are prefixed by the
platform (``/facebook/...``, ``/youtube/...``) as in ``settings.PLATFORM_API_URLS`` when
``PLATFORM_SANDBOX_URL`` is set; Mastodon is served at the root (``/api/v1/...``) because a
Mastodon channel's server is its own address.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str = "") -> str:
        """A query or form parameter (form body first, then query string)."""
        form = self.form()
        values = form.get(name) or self.query.get(name)
        return values[0] if values else default

    def form(self) -> dict[str, list[str]]:
        if "application/x-www-form-urlencoded" in self.headers.get("content-type", ""):
            return parse_qs(self.body.decode(), keep_blank_values=True)
        return {}

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def bearer(self) -> str:
        """The access token: ``Authorization: Bearer`` or Graph's ``access_token`` parameter."""
        header = self.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        return self.arg("access_token")


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering, outside the sandbox's lock (a slow platform: a test
    can kill the client while the answer is on its way)."""

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


Handler = Callable[..., Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Handler


@dataclass
class Sandbox:
    """State shared by every platform module; each keeps its own part under ``data[platform]``.

    ``calls`` records every API request (method, path, query, body) so that tests can count
    what reached the "platform" (e.g. one reply after a retry). ``failures`` queues forced
    answers: ``fail_next(prefix, status, body, headers)`` makes the next request whose path
    starts with ``prefix`` get that answer instead.
    """

    routes: list[Route] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[str, Response]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    url: str = ""

    def fail_next(
        self, prefix: str, status: int, body: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        with self.lock:
            self.failures.append((prefix, Response(status, body, headers or {})))

    def calls_to(self, method: str, path_prefix: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                c for c in self.calls if c["method"] == method and c["path"].startswith(path_prefix)
            ]

    def dispatch(self, request: Request) -> Response:
        with self.lock:
            if not request.path.startswith("/_sandbox/"):
                self.calls.append(
                    {
                        "method": request.method,
                        "path": request.path,
                        "query": request.query,
                        "body": request.body.decode(errors="replace"),
                    }
                )
            for index, (prefix, forced) in enumerate(self.failures):
                if request.path.startswith(prefix):
                    del self.failures[index]
                    return forced
            for route in self.routes:
                if route.method != request.method:
                    continue
                match = re.fullmatch(route.pattern, request.path)
                if match:
                    return route.handler(self, request, **match.groupdict())
        return Response(
            404, {"error": {"message": f"No route for {request.method} {request.path}"}}
        )


def build(modules: list[Any] | None = None) -> Sandbox:
    """A sandbox with every platform module's routes (or the given modules')."""
    if modules is None:
        modules = _platform_modules()
    sandbox = Sandbox()
    for module in modules:
        sandbox.routes.extend(module.ROUTES)
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(sandbox)
    # The most literal route wins: ``/facebook/debug_token`` before ``/facebook/{object-id}``.
    sandbox.routes.sort(key=lambda route: re.compile(route.pattern).groups)
    return sandbox


def _platform_modules() -> list[Any]:
    """Every platform module present (each helper adds its own; order does not matter)."""
    import importlib
    import pkgutil

    import devtools.platform_sandbox as package

    found = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name in {"server", "__main__"} or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if hasattr(module, "ROUTES"):
            found.append(module)
    return found


def _handler_class(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class SandboxHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: with Nagle's algorithm on, a keep-alive
        # client waits for its delayed ACK (about 40 ms) on every request.
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            response = sandbox.dispatch(request)
            if response.delay:
                time.sleep(response.delay)
            payload = response.encoded()
            try:
                self.send_response(response.status)
                headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client went away (a worker killed mid-call)

        do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read ``sandbox.calls`` instead."""

    return SandboxHandler


@contextmanager
def running(sandbox: Sandbox | None = None, port: int = 0) -> Iterator[Sandbox]:
    """Serve ``sandbox`` on 127.0.0.1 in a thread for the duration of the block."""
    sandbox = sandbox or build()
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler_class(sandbox))
    server.daemon_threads = True
    sandbox.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sandbox
    finally:
        server.shutdown()
        server.server_close()
