"""The SLA clock: pure functions, no database, ``zoneinfo`` only.

The rules (DESIGN.md, docs/deadlines.md):

- A social media item is due ``response hours`` of **elapsed** time after it arrived: nights,
  weekends and holidays count, and across a daylight-saving change the local clock time of the
  deadline shifts by an hour. The arithmetic happens in UTC, because Python adds a timedelta to
  an aware datetime along the *wall clock* of its tzinfo: 2026-03-28 10:00 Europe/Brussels plus
  24 h gives 2026-03-29 10:00+02:00, only 23 elapsed hours.
- A complaint is due at 23:59:59 local time at the end of the 30th calendar day after the day
  of receipt, in the institution's time zone; the result is stored in UTC.
- The warning comes when a share of the span has elapsed (75 % by default).
- A deadline is breached when ``now`` is *after* ``due_at``: ``due_at`` is the last on-time
  instant (consistent with a 23:59:59 complaint deadline).

Every function refuses naive datetimes: a naive value is always a bug upstream.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

END_OF_DAY = time(23, 59, 59)


class DeadlineState(StrEnum):
    ON_TIME = "on_time"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"
    MISSED = "missed"


class Urgency(StrEnum):
    """For display: a class name and a word, so colour is never the only signal."""

    OK = "ok"
    SOON = "soon"
    OVERDUE = "overdue"
    DONE = "done"


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}.")
    return value.astimezone(UTC)


def _positive_hours(hours: float, name: str) -> timedelta:
    if not hours > 0:
        raise ValueError(f"{name} must be a positive number of hours, got {hours!r}.")
    return timedelta(hours=hours)


def item_due_at(
    received_at: datetime,
    *,
    response_hours: float = 24,
    crisis: bool = False,
    crisis_response_hours: float = 1,
) -> datetime:
    """Due time of a social media item, ``response_hours`` elapsed hours after receipt (UTC).

    Items received while the channel is in crisis mode get the crisis response time instead.
    """
    span = (
        _positive_hours(crisis_response_hours, "crisis_response_hours")
        if crisis
        else _positive_hours(response_hours, "response_hours")
    )
    return _utc(received_at, "received_at") + span


def complaint_due_at(received_at: datetime, *, tz: ZoneInfo | str, days: int = 30) -> datetime:
    """End (23:59:59 local) of the ``days``-th calendar day after the day of receipt, in UTC."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days!r}.")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local_day = _utc(received_at, "received_at").astimezone(zone).date()
    return local_end_of_day(local_day + timedelta(days=days), zone)


def local_end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """23:59:59 of ``day`` in ``zone``, in UTC (fold=0: the first occurrence if ambiguous)."""
    return datetime.combine(day, END_OF_DAY, tzinfo=zone).astimezone(UTC)


def warn_at(start: datetime, due: datetime, share: float = 0.75) -> datetime:
    """When ``share`` (0 < share < 1) of the elapsed span from ``start`` to ``due`` has passed."""
    if not 0 < share < 1:
        raise ValueError(f"share must be strictly between 0 and 1, got {share!r}.")
    start_utc, due_utc = _utc(start, "start"), _utc(due, "due")
    if due_utc < start_utc:
        raise ValueError("due must not be before start.")
    span = due_utc - start_utc
    return start_utc + timedelta(microseconds=round(span / timedelta(microseconds=1) * share))


def deadline_state(
    now: datetime,
    *,
    warn_at: datetime,
    due_at: datetime,
    answered_at: datetime | None = None,
) -> DeadlineState:
    now, warn, due = _utc(now, "now"), _utc(warn_at, "warn_at"), _utc(due_at, "due_at")
    if answered_at is not None:
        met = _utc(answered_at, "answered_at") <= due
        return DeadlineState.MET if met else DeadlineState.MISSED
    if now > due:
        return DeadlineState.BREACHED
    if now >= warn:
        return DeadlineState.WARNING
    return DeadlineState.ON_TIME


def time_left(now: datetime, due_at: datetime) -> timedelta:
    """Positive while on time, negative once overdue."""
    return _utc(due_at, "due_at") - _utc(now, "now")


def urgency(now: datetime, *, warn_at: datetime, due_at: datetime) -> Urgency:
    state = deadline_state(now, warn_at=warn_at, due_at=due_at)
    return {
        DeadlineState.ON_TIME: Urgency.OK,
        DeadlineState.WARNING: Urgency.SOON,
        DeadlineState.BREACHED: Urgency.OVERDUE,
    }[state]


def time_left_text(now: datetime, due_at: datetime) -> str:
    """ "3 h 12 min left", "2 days 4 h left", "overdue by 35 min"... in the active language."""
    left = time_left(now, due_at)
    if left >= timedelta(0):
        if left < timedelta(minutes=1):
            return _("less than a minute left")
        return _("%(duration)s left") % {"duration": duration_text(left)}
    return _("overdue by %(duration)s") % {"duration": duration_text(-left)}


def duration_text(span: timedelta) -> str:
    """A duration for people: days and hours from 2 days, hours and minutes from 1 hour."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days >= 2:
        text = ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
        return _("%(days)s %(hours)d h") % {"days": text, "hours": hours} if hours else text
    hours += days * 24
    if hours and mins:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": max(mins, 1)}


def hold_elapsed(periods: Iterable[tuple[datetime, datetime | None]], now: datetime) -> timedelta:
    """Total time on hold: closed periods (held, resumed) and an open one (held, None) up to now."""
    now_utc = _utc(now, "now")
    total = timedelta(0)
    for held, resumed in periods:
        start = _utc(held, "held_at")
        end = _utc(resumed, "resumed_at") if resumed is not None else now_utc
        if end < start:
            raise ValueError("A hold cannot end before it starts.")
        total += end - start
    return total


def due_after_hold(
    due_at: datetime, *, held_at: datetime, resumed_at: datetime, tz: ZoneInfo | str
) -> datetime:
    """The complaint deadline after a pause (a hold, or a closed period before a reopening).

    The deadline moves by the time paused, rounded up to whole days and counted in calendar
    days, so it stays 23:59:59 local time of its day across a daylight-saving change (a plain
    UTC shift would land at 22:59:59 or 00:59:59) and nobody loses any of the time paused.
    """
    paused = hold_elapsed([(held_at, resumed_at)], resumed_at)
    if not paused:
        return _utc(due_at, "due_at")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    days = -(-paused // timedelta(days=1))  # ceiling
    return local_end_of_day(_utc(due_at, "due_at").astimezone(zone).date() + timedelta(days), zone)
