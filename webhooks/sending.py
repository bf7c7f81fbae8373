"""One HTTP attempt of a delivery: signed, to a public address checked at this very moment.

Signature (the same contract as GovSocial's own inbound generic webhook, docs/webhooks.md):
``X-GovSocial-Timestamp: <unix seconds>`` and ``X-GovSocial-Signature: sha256=<hex>``, the
HMAC-SHA256 of ``<timestamp>.<raw body>`` with the subscription's secret; ``X-GovSocial-Event-Id``
lets the receiver ignore a delivery it already handled (retries and redeliveries repeat it).

Request forgery: the host is resolved now and every address must be public
(``govsocial.addresses``); the connection then goes to the address that was checked (the name is
kept for TLS verification and the ``Host`` header), so a DNS answer changed between the check
and the connection (rebinding) cannot send it inward. Redirects are not followed (a 3xx is a
failure: a redirect could lead inward too).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings

from govsocial.addresses import AddressRefused, public_addresses

CONNECT_SECONDS = 5.0
READ_SECONDS = 10.0
EXCERPT_BYTES = 2048
EXCERPT_CHARS = 1000
USER_AGENT = "GovSocial-Webhooks/1"


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed (compact, keys sorted: the same on every retry)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def send(url: str, secret: str, payload: dict[str, Any], delivery_id: int) -> Answer:
    started = time.monotonic()
    body = body_bytes(payload)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-GovSocial-Event": str(payload["type"]),
        "X-GovSocial-Event-Id": str(payload["id"]),
        "X-GovSocial-Delivery": str(delivery_id),
        "X-GovSocial-Timestamp": timestamp,
        "X-GovSocial-Signature": signature(secret, timestamp, body),
    }
    try:
        addresses = public_addresses(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)
        status, excerpt = _post_first(url, addresses, body, headers)
    except AddressRefused as refused:
        return Answer(None, "", str(refused), _elapsed(started))
    except urllib3.exceptions.HTTPError as failure:
        return Answer(None, "", f"{type(failure).__name__}: {failure}"[:500], _elapsed(started))
    return Answer(status, excerpt, "", _elapsed(started))


def _post_first(
    url: str, addresses: list[str], body: bytes, headers: dict[str, str]
) -> tuple[int, str]:
    """To the first of the checked addresses that accepts a connection (a host may have an
    IPv6 address this server cannot reach)."""
    unreachable: urllib3.exceptions.HTTPError | None = None
    for address in addresses:
        try:
            return _post(url, address, body, headers)
        except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError) as e:
            unreachable = e
    raise unreachable or urllib3.exceptions.HTTPError("no address")


def _post(url: str, address: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    options: dict[str, Any] = {
        "host": address,
        "port": port,
        "timeout": urllib3.Timeout(connect=CONNECT_SECONDS, read=READ_SECONDS),
        "retries": False,
        "maxsize": 1,
    }
    pool: urllib3.HTTPConnectionPool
    if secure:
        pool = urllib3.HTTPSConnectionPool(
            **options,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("REQUESTS_CA_BUNDLE") or certifi.where(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(**options)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    with pool:
        response = pool.urlopen(
            "POST",
            target,
            body=body,
            headers={**headers, "Host": netloc},
            redirect=False,
            assert_same_host=False,
            preload_content=False,
        )
        try:
            excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")[:EXCERPT_CHARS]
        finally:
            response.release_conn()
    return response.status, excerpt


def _elapsed(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
