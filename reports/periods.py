"""Calendar months in an institution's time zone, as UTC instants for queries.

An item received at 00:30 on 1 March in Brussels belongs to March, though it is still
28 February in UTC: every report, dashboard and public figure counts by local month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import formats


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    zone: ZoneInfo

    @classmethod
    def containing(cls, moment: datetime, zone: ZoneInfo) -> Month:
        local = moment.astimezone(zone)
        return cls(local.year, local.month, zone)

    @classmethod
    def recent(cls, now: datetime, zone: ZoneInfo, count: int) -> list[Month]:
        """The month of ``now`` and the ``count - 1`` before it, newest first."""
        months = [cls.containing(now, zone)]
        while len(months) < count:
            months.append(months[-1].previous())
        return months

    @classmethod
    def parse(cls, value: str, zone: ZoneInfo) -> Month | None:
        """``YYYY-MM``; None when unreadable or out of range."""
        try:
            year, month = (int(part) for part in value.split("-"))
            date(year, month, 1)
        except ValueError:
            return None
        return cls(year, month, zone) if 2000 <= year <= 2100 else None

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(), self.zone)

    @property
    def end(self) -> datetime:
        """The start of the next month (exclusive)."""
        return self.following().start

    def previous(self) -> Month:
        before = self.first_day - timedelta(days=1)
        return Month(before.year, before.month, self.zone)

    def following(self) -> Month:
        after = self.first_day + timedelta(days=32)
        return Month(after.year, after.month, self.zone)

    def a_year_earlier(self) -> Month:
        return Month(self.year - 1, self.month, self.zone)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """ "March 2026", in the active language."""
        return formats.date_format(self.first_day, "YEAR_MONTH_FORMAT")

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end
