"""Webhook endpoints: verify, store the raw bytes, answer. Processing happens in Celery.

- Size is checked on ``Content-Length`` before the body is read (413); a body without a length
  is refused (411) rather than read unbounded.
- Signatures are checked on the raw bytes with a constant-time compare, before any parsing;
  a bad or missing signature stores nothing (403).
- "No 200 without a committed row": if the database cannot store the delivery, the answer is
  503 so the platform retries. If only the broker is down, the row is committed, the answer is
  200 and the sweeper processes it later.
- The channel behind a webhook address is remembered per process for ``CHANNEL_TTL`` seconds:
  the lookup was a fifth of the request's cost (bench/ingest.py). A deactivation or a new secret
  therefore applies to webhooks within that many seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt

from channels.models import Channel, InboundDelivery
from channels.services.deliveries import delivery_accept

security_log = logging.getLogger("govsocial.security")

KEPT_HEADERS = ("Content-Type", "User-Agent", "X-Hub-Signature-256", "X-GovSocial-Timestamp")
REPLAY_WINDOW = 300
CHALLENGE_MAX = 128
CHANNEL_TTL = 5.0
TIMESTAMP_DIGITS_MAX = 12
HEADER_KEPT_MAX = 1000


class _RecentChannels:
    """Active channels by webhook id, each remembered for ``CHANNEL_TTL`` seconds."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Channel]] = {}

    def get(self, webhook_id: str) -> Channel:
        now = time.monotonic()
        entry = self._entries.get(webhook_id)
        if entry is not None and entry[0] > now:
            return entry[1]
        channel = get_object_or_404(Channel.objects.active(), webhook_id=webhook_id)
        if len(self._entries) > 10_000:  # bounded: a scan of random ids cannot grow it forever
            self._entries.clear()
        self._entries[webhook_id] = (now + CHANNEL_TTL, channel)
        return channel

    def clear(self) -> None:
        self._entries.clear()


recent_channels = _RecentChannels()


def _refuse(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


def _read_bounded(request: HttpRequest, limit: int) -> bytes | JsonResponse:
    raw_length = request.META.get("CONTENT_LENGTH")
    if not raw_length:
        return _refuse(411, "A Content-Length header is required.")
    if not (raw_length.isascii() and raw_length.isdigit()):
        return _refuse(400, "Content-Length is not a number.")
    digits = raw_length.lstrip("0") or "0"
    if len(digits) > len(str(limit)) or int(digits) > limit:
        return _refuse(413, f"The body is larger than the {limit} bytes accepted.")
    return request.body


def _kept_headers(request: HttpRequest) -> dict[str, str]:
    """The headers kept for diagnosis, bounded and without NUL (which jsonb refuses)."""
    return {
        name: request.headers[name].replace("\x00", "")[:HEADER_KEPT_MAX]
        for name in KEPT_HEADERS
        if name in request.headers
    }


def _store(channel: Channel, source: str, request: HttpRequest, body: bytes) -> HttpResponse:
    headers = _kept_headers(request)
    try:
        delivery, problem = delivery_accept(
            channel=channel, source=source, body=body, headers=headers
        )
    except DatabaseError:
        security_log.error("webhook.store_failed channel=%s", channel.pk)
        return _refuse(503, "The delivery could not be stored; please retry.")
    if problem:
        return _refuse(400, problem)
    return JsonResponse({"status": "accepted", "delivery": delivery.pk})


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison of the bytes: ``compare_digest`` raises TypeError on str that
    are not ASCII, and anyone can send such a header or parameter."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def _signature_ok(secret: str, message: bytes, header: str) -> bool:
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return _same(header.removeprefix("sha256=").strip().lower(), expected)


def _channel(channel_id: str) -> Channel:
    return recent_channels.get(str(channel_id))


@login_not_required
@csrf_exempt
def meta_webhook(request: HttpRequest, channel_id: str) -> HttpResponse:
    channel = _channel(channel_id)
    if request.method == "GET":
        return _meta_handshake(request, channel)
    if request.method != "POST":
        return _refuse(405, "Use GET for the handshake and POST for events.")
    body = _read_bounded(request, settings.WEBHOOK_MAX_BYTES)
    if isinstance(body, JsonResponse):
        return body
    if not _signature_ok(
        channel.signing_secret, body, request.headers.get("X-Hub-Signature-256", "")
    ):
        security_log.warning("webhook.bad_signature source=meta channel=%s", channel.pk)
        return _refuse(403, "Invalid or missing X-Hub-Signature-256.")
    return _store(channel, InboundDelivery.Source.META, request, body)


def _meta_handshake(request: HttpRequest, channel: Channel) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    valid_challenge = (
        0 < len(challenge) <= CHALLENGE_MAX and challenge.isascii() and (challenge.isalnum())
    )
    expected = channel.verify_token
    if mode == "subscribe" and expected and valid_challenge and _same(token, expected):
        return HttpResponse(challenge, content_type="text/plain")
    security_log.warning("webhook.bad_handshake channel=%s", channel.pk)
    return HttpResponse("Forbidden", status=403, content_type="text/plain")


@login_not_required
@csrf_exempt
def generic_webhook(request: HttpRequest, channel_id: str) -> HttpResponse:
    channel = _channel(channel_id)
    if request.method != "POST":
        return _refuse(405, "Use POST.")
    body = _read_bounded(request, settings.WEBHOOK_MAX_BYTES_GENERIC)
    if isinstance(body, JsonResponse):
        return body
    stamp = request.headers.get("X-GovSocial-Timestamp", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= TIMESTAMP_DIGITS_MAX):
        # Bounded before int(): a 400-digit number overflows the float arithmetic below.
        return _refuse(400, "X-GovSocial-Timestamp must be Unix seconds.")
    if abs(time.time() - int(stamp)) > REPLAY_WINDOW:
        # A replay is refused like a bad signature (DESIGN.md: 403, nothing stored).
        return _refuse(403, "Stale timestamp: more than 300 seconds away from now.")
    message = stamp.encode() + b"." + body
    if not _signature_ok(
        channel.signing_secret, message, request.headers.get("X-GovSocial-Signature", "")
    ):
        security_log.warning("webhook.bad_signature source=generic channel=%s", channel.pk)
        return _refuse(403, "Invalid or missing X-GovSocial-Signature.")
    return _store(channel, InboundDelivery.Source.GENERIC, request, body)
