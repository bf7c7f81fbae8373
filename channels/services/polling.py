"""Polling connectors on a schedule: which channels are due, and one poll of one channel.

Invariants:
- a fetched page is stored as an inbound delivery (same processing, idempotency and failure
  handling as webhooks) in the same transaction that advances the cursor: a crash between
  the two cannot skip records, and re-fetching a stored page stores nothing new;
- at most one poll per channel runs at a time (a lease on its ``PollState`` row, which expires
  by itself so a killed worker blocks the channel for ``LEASE`` only);
- a rate-limited channel is not polled again before the time the platform gave; other
  failures back off exponentially, capped at ``MAX_BACKOFF``; no worker ever sleeps.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels.connectors.polling import ConnectorError, PollingConnector, RateLimited
from channels.connectors.registry import POLLING_CONNECTORS
from channels.models import Channel, PollState
from channels.services.deliveries import delivery_accept

logger = logging.getLogger(__name__)

POLL_INTERVAL = timedelta(minutes=1)
LEASE = timedelta(minutes=5)
MAX_PAGES = 10  # per poll; a larger backlog continues at the next poll, a minute later
MAX_BACKOFF = timedelta(hours=1)


def channels_due(now: datetime | None = None) -> list[int]:
    """Active channels with a configured polling connector whose next poll time has come."""
    now = now or timezone.now()
    candidates = (
        Channel.objects.active()
        .filter(platform__in=list(POLLING_CONNECTORS))
        .filter(Q(poll_state__isnull=True) | Q(poll_state__next_poll_at__lte=now))
        .filter(Q(poll_state__isnull=True) | Q(poll_state__lease_until__isnull=True)
                | Q(poll_state__lease_until__lte=now))
        .order_by("pk")
    )  # fmt: skip
    return [
        channel.pk
        for channel in candidates
        if POLLING_CONNECTORS[channel.platform].configured(channel)
    ]


def channel_poll(channel_id: int, now: datetime | None = None) -> int:
    """Poll one channel if it is due and nobody else is; returns the records stored."""
    now = now or timezone.now()
    channel = Channel.objects.active().filter(pk=channel_id).first()
    connector = POLLING_CONNECTORS.get(channel.platform) if channel else None
    if channel is None or connector is None or not connector.configured(channel):
        return 0
    state = _lease(channel, now)
    if state is None:
        return 0
    stored = 0
    try:
        for _ in range(MAX_PAGES):
            page = connector.fetch(channel, state.cursor)
            with transaction.atomic():
                if page.records:
                    _store_page(channel, connector, state.cursor, page.records)
                    stored += len(page.records)
                PollState.objects.filter(pk=channel.pk).update(
                    cursor=page.cursor, items_fetched=F("items_fetched") + len(page.records)
                )
            state.cursor = page.cursor
            if not page.more:
                break
    except RateLimited as limit:
        _release(channel, next_poll_at=limit.retry_at, error=str(limit), failed=False)
    except ConnectorError as error:
        logger.warning("Polling channel %s failed: %s", channel.pk, error)
        _release(channel, next_poll_at=now + _backoff(state.consecutive_failures + 1),
                 error=str(error), failed=True)  # fmt: skip
    else:
        _release(channel, next_poll_at=now + POLL_INTERVAL, error="", failed=False, ok_at=now)
    return stored


def _lease(channel: Channel, now: datetime) -> PollState | None:
    PollState.objects.get_or_create(channel=channel, defaults={"next_poll_at": now})
    with transaction.atomic():
        state = (
            PollState.objects.select_for_update(skip_locked=True)
            .filter(pk=channel.pk, next_poll_at__lte=now)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .first()
        )
        if state is None:
            return None
        state.lease_until = now + LEASE
        state.last_polled_at = now
        state.save(update_fields=["lease_until", "last_polled_at"])
        return state


def _store_page(
    channel: Channel, connector: PollingConnector, cursor: str, records: list[dict[str, object]]
) -> None:
    body = json.dumps({"records": records}, ensure_ascii=False, sort_keys=True).encode()
    delivery_accept(
        channel=channel,
        source=connector.source,
        body=body,
        headers={"X-GovSocial-Poll-Cursor": cursor},
    )


def _release(
    channel: Channel,
    *,
    next_poll_at: datetime,
    error: str,
    failed: bool,
    ok_at: datetime | None = None,
) -> None:
    changes: dict[str, object] = {
        "lease_until": None,
        "next_poll_at": next_poll_at,
        "last_error": error[:2000],
        "consecutive_failures": F("consecutive_failures") + 1 if failed else 0,
    }
    if ok_at is not None:
        changes["last_success_at"] = ok_at
    PollState.objects.filter(pk=channel.pk).update(**changes)


def _backoff(failures: int) -> timedelta:
    return min(POLL_INTERVAL * 2 ** min(failures, 10), MAX_BACKOFF)
