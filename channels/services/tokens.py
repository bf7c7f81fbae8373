"""The daily token check: ask each platform about each active channel's token, store what it
says on the channel, and warn the institution's admins.

Warnings are in-app notifications (and their e-mail) made idempotent by their ``dedupe_key``:
one per token and expiry date when it expires within ``EXPIRY_WARNING`` (two weeks), one per
token when it is invalid, one per token and set of missing permissions. "Per token" is a
fingerprint of the stored ciphertext, which changes whenever an admin enters a token, so a new
token that is invalid again is warned about again, while the same one is not warned daily.
A check the platform could not answer (network, rate limit, misconfigured app) is recorded on
the channel without declaring the token invalid, and tried again the next day.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.recipients import people_by_institution
from accounts.services.notifications import notification_send
from channels.connectors.credential_checkers import CREDENTIAL_CHECKERS
from channels.connectors.credentials import TokenStatus, scrub
from channels.connectors.polling import ConnectorError, RateLimited
from channels.models import Channel

logger = logging.getLogger(__name__)

EXPIRY_WARNING = timedelta(days=14)
NOTIFICATION_KIND = "channel_token"


def checkable(channel: Channel) -> bool:
    return channel.platform in CREDENTIAL_CHECKERS and bool(channel.access_token_encrypted)


def channel_token_check(*, channel: Channel, now: datetime | None = None) -> TokenStatus | None:
    """Check one channel's token now; None when the platform could not answer (the reason is
    on the channel) or the channel has no token or no checker."""
    if not checkable(channel):
        return None
    now = now or timezone.now()
    token = channel.access_token
    try:
        status = CREDENTIAL_CHECKERS[channel.platform].check_token(channel)
    except (ConnectorError, RateLimited) as error:
        reason = scrub(str(error), token)[:1000]
        Channel.objects.filter(pk=channel.pk).update(
            token_checked_at=now, token_valid=None, token_error=reason
        )
        channel.token_checked_at, channel.token_valid, channel.token_error = now, None, reason
        logger.info("channels.token_check_failed channel=%s kind=%s", channel.pk, type(error))
        return None
    _store(channel, status, now, token)
    _warn(channel, status, now)
    return status


def channel_tokens_check_all(now: datetime | None = None) -> int:
    """Every active channel with a token a checker understands; returns how many were asked.
    One channel's failure does not stop the others."""
    now = now or timezone.now()
    channels = Channel.objects.filter(
        is_active=True, platform__in=list(CREDENTIAL_CHECKERS)
    ).exclude(access_token_encrypted="")
    checked = 0
    for channel in channels.select_related("institution").order_by("pk").iterator():
        try:
            channel_token_check(channel=channel, now=now)
        except Exception:  # a bug in one checker must not leave every other token unchecked
            logger.exception("channels.token_check_crashed channel=%s", channel.pk)
            continue
        checked += 1
    return checked


def _store(channel: Channel, status: TokenStatus, now: datetime, token: str) -> None:
    fields = {
        "token_checked_at": now,
        "token_valid": status.valid,
        "token_expires_at": status.expires_at,
        "token_missing_scopes": sorted(status.missing),
        "token_error": scrub(status.error, token)[:1000],
    }
    Channel.objects.filter(pk=channel.pk).update(**fields)
    for name, value in fields.items():
        setattr(channel, name, value)


def token_fingerprint(channel: Channel) -> str:
    """Identifies the stored token (its ciphertext, never the token) in dedupe keys."""
    return hashlib.sha256(channel.access_token_encrypted.encode()).hexdigest()[:16]


def _warn(channel: Channel, status: TokenStatus, now: datetime) -> None:
    base = f"channels.token:{channel.pk}:{token_fingerprint(channel)}"
    params = {"channel": channel.name, "platform": channel.get_platform_display()}
    if not status.valid:
        _notify_admins(
            channel,
            f"{base}:invalid",
            _("The %(platform)s token of “%(channel)s” no longer works"),
            _(
                "GovSocial cannot act on %(platform)s for this channel until an admin enters "
                "a new access token. The platform said: %(error)s"
            ),
            {**params, "error": channel.token_error or "—"},
        )
        return
    if status.expires_at is not None and status.expires_at <= now + EXPIRY_WARNING:
        _notify_admins(
            channel,
            f"{base}:expires:{status.expires_at.date().isoformat()}",
            _("The %(platform)s token of “%(channel)s” expires on %(date)s"),
            _(
                "Enter a new access token for the channel before then, or GovSocial will "
                "stop reading and acting on %(platform)s for it."
            ),
            {**params, "date": status.expires_at.astimezone(channel.institution.zone).date()},
        )
    if status.missing:
        missing = ", ".join(sorted(status.missing))
        _notify_admins(
            channel,
            f"{base}:missing:{hashlib.sha256(missing.encode()).hexdigest()[:12]}",
            _("The %(platform)s token of “%(channel)s” lacks permissions"),
            _(
                "Missing: %(missing)s. Actions needing them go to the list of things to do "
                "on the platform by hand until the token is renewed with them."
            ),
            {**params, "missing": missing},
        )


def _notify_admins(
    channel: Channel, key: str, subject: object, body: object, params: dict[str, object]
) -> None:
    url = reverse(
        "channels:channel-edit",
        kwargs={"institution_slug": channel.institution.slug, "channel_id": channel.pk},
    )
    admins = people_by_institution([channel.institution_id], [Role.INSTITUTION_ADMIN])
    for admin in admins.get(channel.institution_id, []):
        notification_send(
            recipient=admin,
            kind=NOTIFICATION_KIND,
            subject=subject,
            body=body,
            params=params,
            institution=channel.institution,
            url=url,
            dedupe_key=key,
        )
