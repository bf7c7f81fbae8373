"""X's Account Activity webhook: the challenge-response check and signed deliveries.

X sends ``GET ?crc_token=...`` when the webhook is registered and then regularly; the answer
proves we hold the app's consumer secret (the channel's signing secret). Each delivery is a
``POST`` signed in ``x-twitter-webhooks-signature`` with the same HMAC of the raw body; a bad
signature stores nothing (403). See channels.connectors.x for the documented shapes.

The check answers the HMAC of whatever token it is given, under the same secret that signs
deliveries: answering it for a token that is itself a JSON body would hand out a valid
signature for that body. X's tokens are short base64/UUID-like strings, so only those are
answered (no braces or quotes, hence never a JSON document).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from channels.connectors.x import crc_response, signature
from channels.models import InboundDelivery
from channels.views.hooks import (
    CHALLENGE_MAX,
    _channel,
    _read_bounded,
    _refuse,
    _same,
    _store,
    security_log,
)

CRC_TOKEN = re.compile(rf"[A-Za-z0-9_+/=-]{{1,{CHALLENGE_MAX}}}")


@login_not_required
@csrf_exempt
def x_webhook(request: HttpRequest, channel_id: str) -> HttpResponse:
    channel = _channel(channel_id)
    secret = channel.signing_secret
    if request.method == "GET":
        token = request.GET.get("crc_token", "")
        if not secret or not CRC_TOKEN.fullmatch(token):
            security_log.warning("webhook.bad_crc channel=%s", channel.pk)
            return _refuse(403, "A crc_token is required, and the channel needs its secret.")
        return JsonResponse({"response_token": crc_response(secret, token)})
    if request.method != "POST":
        return _refuse(405, "Use GET for the challenge-response check and POST for events.")
    body = _read_bounded(request, settings.WEBHOOK_MAX_BYTES)
    if isinstance(body, JsonResponse):
        return body
    given = request.headers.get("x-twitter-webhooks-signature", "")
    if not secret or not _same(given.strip(), signature(secret, body)):
        security_log.warning("webhook.bad_signature source=x channel=%s", channel.pk)
        return _refuse(403, "Invalid or missing x-twitter-webhooks-signature.")
    return _store(channel, InboundDelivery.Source.X, request, body)
