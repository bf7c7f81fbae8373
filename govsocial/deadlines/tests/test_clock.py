"""The SLA clock: elapsed hours for items, calendar days for complaints, DST-correct."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from govsocial.deadlines.clock import (
    DeadlineState,
    Urgency,
    complaint_due_at,
    deadline_state,
    due_after_hold,
    hold_elapsed,
    item_due_at,
    time_left_text,
    urgency,
    warn_at,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
INSTANTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


# Worked examples of docs/deadlines.md (transitions 2026-03-29 and 2026-10-25 at 01:00 UTC).
def test_item_due_is_24_elapsed_hours_across_the_march_change() -> None:
    due = item_due_at(local(2026, 3, 28, 10))
    assert due.astimezone(BRUSSELS) == local(2026, 3, 29, 11)
    assert due.astimezone(BRUSSELS).utcoffset() == timedelta(hours=2)


def test_item_due_is_24_elapsed_hours_across_the_october_change() -> None:
    due = item_due_at(local(2026, 10, 24, 10))
    assert due.astimezone(BRUSSELS).replace(tzinfo=None) == datetime(2026, 10, 25, 9)
    assert due.astimezone(BRUSSELS).utcoffset() == timedelta(hours=1)


def test_warning_at_75_percent_across_the_october_change() -> None:
    received = local(2026, 10, 24, 10)
    warning = warn_at(received, item_due_at(received), 0.75)
    assert warning.astimezone(BRUSSELS).replace(tzinfo=None) == datetime(2026, 10, 25, 3)
    assert warning - received == timedelta(hours=18)


def test_complaint_due_at_the_end_of_the_30th_day_in_winter_time() -> None:
    due = complaint_due_at(local(2026, 9, 25, 15), tz="Europe/Brussels")
    assert due == datetime(2026, 10, 25, 22, 59, 59, tzinfo=UTC)
    assert due.astimezone(BRUSSELS).replace(tzinfo=None) == datetime(2026, 10, 25, 23, 59, 59)


def test_the_wall_clock_pitfall_is_not_the_rule() -> None:
    received = local(2026, 3, 28, 10)
    assert received + timedelta(hours=24) != item_due_at(received)


def test_crisis_mode_uses_the_crisis_response_time() -> None:
    received = datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert item_due_at(received, crisis=True, crisis_response_hours=1) == received + timedelta(
        hours=1
    )
    assert item_due_at(received, response_hours=8) == received + timedelta(hours=8)


@pytest.mark.parametrize("day", [(2026, 3, 29), (2026, 10, 25), (2027, 3, 28), (2027, 10, 31)])
def test_items_every_ten_minutes_through_the_night_of_a_change(day: tuple[int, int, int]) -> None:
    start = datetime(*day, tzinfo=BRUSSELS).astimezone(UTC) - timedelta(hours=1)
    for step in range(6 * 5):
        received = start + timedelta(minutes=10 * step)
        due = item_due_at(received)
        assert due - received == timedelta(hours=24)
        assert warn_at(received, due) - received == timedelta(hours=18)


@given(INSTANTS, st.integers(min_value=1, max_value=168))
def test_item_due_is_always_exactly_the_elapsed_hours(received: datetime, hours: int) -> None:
    assert item_due_at(received, response_hours=hours) - received == timedelta(hours=hours)


@given(INSTANTS)
def test_complaint_due_is_the_local_day_plus_30_at_23_59_59(received: datetime) -> None:
    due_local = complaint_due_at(received, tz=BRUSSELS).astimezone(BRUSSELS)
    assert due_local.date() == received.astimezone(BRUSSELS).date() + timedelta(days=30)
    assert (due_local.hour, due_local.minute, due_local.second) == (23, 59, 59)


@given(INSTANTS, st.integers(min_value=1, max_value=24 * 60), st.floats(0.01, 0.99))
def test_warning_lies_between_start_and_due(start: datetime, minutes: int, share: float) -> None:
    due = start + timedelta(minutes=minutes)
    warning = warn_at(start, due, share)
    assert start <= warning <= due
    assert abs((warning - start) - (due - start) * share) <= timedelta(microseconds=1)


@given(INSTANTS, st.lists(st.integers(0, 60 * 24 * 3), min_size=2, max_size=6))
def test_state_never_goes_back_in_time(received: datetime, offsets: list[int]) -> None:
    due = item_due_at(received)
    warning = warn_at(received, due)
    order = [DeadlineState.ON_TIME, DeadlineState.WARNING, DeadlineState.BREACHED]
    states = [
        deadline_state(received + timedelta(minutes=m), warn_at=warning, due_at=due)
        for m in sorted(offsets)
    ]
    assert [order.index(s) for s in states] == sorted(order.index(s) for s in states)


@given(INSTANTS, st.integers(0, 10**7))
def test_a_hold_moves_the_deadline_by_whole_days_to_23_59_59_local(
    received: datetime, seconds: int
) -> None:
    due = complaint_due_at(received, tz=BRUSSELS)
    held = received + timedelta(days=1)
    moved = due_after_hold(
        due, held_at=held, resumed_at=held + timedelta(seconds=seconds), tz=BRUSSELS
    )
    assert moved.astimezone(BRUSSELS).time() == time(23, 59, 59)
    days = (moved.astimezone(BRUSSELS).date() - due.astimezone(BRUSSELS).date()).days
    assert days == -(-seconds // 86400)  # the time on hold, rounded up to whole days
    assert moved - due >= timedelta(seconds=seconds) - timedelta(hours=1)  # 23-hour days


def test_a_hold_across_the_october_change_still_ends_at_23_59_59_local() -> None:
    due = local(2026, 10, 20, 23, 59, 59)  # CEST
    held = datetime(2026, 10, 15, 7, tzinfo=UTC)  # 09:00 CEST; resumed 10 elapsed days later
    moved = due_after_hold(due, held_at=held, resumed_at=held + timedelta(days=10), tz=BRUSSELS)
    assert moved.astimezone(BRUSSELS) == local(2026, 10, 30, 23, 59, 59)  # CET
    assert moved == datetime(2026, 10, 30, 22, 59, 59, tzinfo=UTC)


def test_a_short_hold_across_the_march_change_gives_a_whole_day() -> None:
    due = local(2026, 3, 28, 23, 59, 59)  # CET
    held = local(2026, 3, 20, 9)
    moved = due_after_hold(due, held_at=held, resumed_at=held + timedelta(hours=2), tz=BRUSSELS)
    assert moved.astimezone(BRUSSELS) == local(2026, 3, 29, 23, 59, 59)  # CEST
    assert due_after_hold(due, held_at=held, resumed_at=held, tz=BRUSSELS) == due


def test_hold_elapsed_counts_closed_and_open_periods() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    periods = [(t0, t0 + timedelta(hours=2)), (t0 + timedelta(days=1), None)]
    assert hold_elapsed(periods, t0 + timedelta(days=1, hours=3)) == timedelta(hours=5)
    with pytest.raises(ValueError, match="before it starts"):
        hold_elapsed([(t0, t0 - timedelta(seconds=1))], t0)


def test_due_at_is_the_last_on_time_instant() -> None:
    due = datetime(2026, 6, 1, 12, tzinfo=UTC)
    warning = due - timedelta(hours=6)
    assert deadline_state(due, warn_at=warning, due_at=due) == DeadlineState.WARNING
    after = due + timedelta(microseconds=1)
    assert deadline_state(after, warn_at=warning, due_at=due) == DeadlineState.BREACHED
    assert deadline_state(after, warn_at=warning, due_at=due, answered_at=due) == DeadlineState.MET
    assert deadline_state(due, warn_at=warning, due_at=due, answered_at=after) == (
        DeadlineState.MISSED
    )
    assert urgency(after, warn_at=warning, due_at=due) == Urgency.OVERDUE


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (timedelta(hours=3, minutes=12), "3 h 12 min left"),
        (timedelta(minutes=45), "45 min left"),
        (timedelta(hours=5), "5 h left"),
        (timedelta(days=2, hours=4, minutes=30), "2 days 4 h left"),
        (timedelta(seconds=20), "less than a minute left"),
        (-timedelta(days=2), "overdue by 2 days"),
        (-timedelta(minutes=35), "overdue by 35 min"),
        (-timedelta(hours=26, minutes=5), "overdue by 26 h 5 min"),
    ],
)
def test_time_left_for_people(left: timedelta, expected: str) -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    with translation.override("en"):
        assert time_left_text(now, now + left) == expected


def test_time_left_in_dutch_and_french() -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    with translation.override("nl"):
        assert time_left_text(now, now + timedelta(hours=3, minutes=12)) == "nog 3 u 12 min"
    with translation.override("fr"):
        assert time_left_text(now, now - timedelta(days=3)) == "en retard de 3 jours"


@pytest.mark.parametrize(
    "call",
    [
        lambda: item_due_at(datetime(2026, 1, 1)),
        lambda: complaint_due_at(datetime(2026, 1, 1), tz=BRUSSELS),
        lambda: item_due_at(datetime(2026, 1, 1, tzinfo=UTC), response_hours=0),
        lambda: warn_at(datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
        lambda: warn_at(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC), 1.0),
        lambda: complaint_due_at(datetime(2026, 1, 1, tzinfo=UTC), tz=BRUSSELS, days=0),
    ],
)
def test_bad_arguments_are_refused(call) -> None:
    with pytest.raises(ValueError, match="must"):
        call()
