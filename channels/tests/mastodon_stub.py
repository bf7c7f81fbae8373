"""A local HTTP server speaking the slice of Mastodon's API the connector uses.

Real sockets and real Mastodon.py requests, no network: ``GET /api/v1/notifications`` with
``min_id``/``limit``/``types[]`` answered from an in-memory list, newest first as Mastodon
does; ``POST /api/v1/statuses`` publishing a reply once per ``Idempotency-Key`` as Mastodon
does; plus switches for a 429 with ``X-RateLimit-Reset``, a 401, a 404, a 422 and a 500.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "stub-access-token"


@dataclass
class MastodonStub:
    notifications: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    fail_with: int | None = None
    """Answer the next request with this status (429, 401, 500), then serve normally."""
    fail_always: bool = False
    rate_limit_reset: str = ""
    base_url: str = ""
    posted: list[dict[str, Any]] = field(default_factory=list)
    """Statuses published, each with its form fields and Idempotency-Key."""

    def publish(self, fields: dict[str, Any], key: str) -> dict[str, Any]:
        for status in self.posted:
            if key and status["idempotency_key"] == key:
                return status
        number = 1000 + len(self.posted)
        status = {
            "id": str(number),
            "url": f"{self.base_url}/@defensie/{number}",
            "fields": fields,
            "idempotency_key": key,
        }
        self.posted.append(status)
        return status

    def add_mentions(self, template: dict[str, Any], count: int, first_id: int) -> list[str]:
        ids = []
        for offset in range(count):
            record = copy.deepcopy(template)
            record["id"] = str(first_id + offset)
            record["status"]["id"] = f"9{first_id + offset}"
            record["status"]["content"] = f"<p>Message {first_id + offset}</p>"
            self.notifications.append(record)
            ids.append(record["id"])
        return ids

    def page(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        limit = int(query.get("limit", ["40"])[0])
        types = query.get("types[]") or query.get("types")
        items = sorted(self.notifications, key=lambda n: (len(n["id"]), n["id"]))
        if types:
            items = [n for n in items if n["type"] in types]
        if "min_id" in query:
            floor = query["min_id"][0]
            items = [n for n in items if (len(n["id"]), n["id"]) > (len(floor), floor)][:limit]
        else:
            items = items[-limit:]
        return list(reversed(items))


def _handler(stub: MastodonStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            stub.requests.append(query)
            if self._refused():
                return None
            if url.path != "/api/v1/notifications":
                return self._send(404, {"error": "Record not found"})
            return self._send(200, stub.page(query), {"X-RateLimit-Remaining": "299"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                fields = json.loads(body or "{}")
            else:
                fields = {key: values[0] for key, values in parse_qs(body).items()}
            stub.requests.append({"POST": [self.path], **{k: [str(v)] for k, v in fields.items()}})
            if self._refused():
                return None
            if urlsplit(self.path).path != "/api/v1/statuses":
                return self._send(404, {"error": "Record not found"})
            published = stub.publish(fields, self.headers.get("Idempotency-Key", ""))
            return self._send(200, {"id": published["id"], "url": published["url"]})

        def _refused(self) -> bool:
            """Answer a bad token with 401, or the failure the test asked for; True if so."""
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, {"error": "The access token is invalid"})
                return True
            if stub.fail_with is None:
                return False
            status = stub.fail_with
            if not stub.fail_always:
                stub.fail_with = None
            headers = {"X-RateLimit-Reset": stub.rate_limit_reset} if status == 429 else {}
            self._send(status, {"error": "stub failure"}, headers)
            return True

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def serve() -> Iterator[MastodonStub]:
    """Run a stub on a free local port for the duration of the generator."""
    stub = MastodonStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
