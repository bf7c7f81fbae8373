"""Pure parts of the reports: local calendar months and the percentile used on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from reports.periods import Month
from reports.stats import interpolated

BRUSSELS = ZoneInfo("Europe/Brussels")


def test_a_month_is_bounded_in_local_time() -> None:
    march = Month(2026, 3, BRUSSELS)
    assert march.start == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)  # CET
    assert march.end == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # CEST since the 29th
    assert march.contains(datetime(2026, 2, 28, 23, 30, tzinfo=UTC))  # 00:30 on 1 March
    assert not march.contains(datetime(2026, 2, 28, 22, 59, tzinfo=UTC))
    assert (march.previous().key, march.following().key, march.a_year_earlier().key) == (
        "2026-02",
        "2026-04",
        "2025-03",
    )
    assert Month(2026, 1, BRUSSELS).previous().key == "2025-12"


def test_months_are_read_from_the_url_or_refused() -> None:
    assert Month.parse("2026-11", BRUSSELS) == Month(2026, 11, BRUSSELS)
    for bad in ("", "2026", "2026-13", "november", "1999-01", "2026-11-01"):
        assert Month.parse(bad, BRUSSELS) is None


def test_percentiles_interpolate_like_percentile_cont() -> None:
    hour = timedelta(hours=1)
    spans = [0.5 * hour, 2 * hour, 24 * hour, 24 * hour + timedelta(seconds=1)]
    assert interpolated(spans, 0.5) == 13 * hour
    assert interpolated(spans, 0.9) == 24 * hour + timedelta(seconds=0.7)
    assert interpolated([hour], 0.9) == hour
