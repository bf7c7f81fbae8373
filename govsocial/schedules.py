"""Daily and weekly jobs that catch up from their own last run (pure: no ORM, read by settings).

Celery beat keeps the time of each entry's last run only in its schedule file, which the
Procfile deletes at every start; an interval entry found fresh counts as "just run", so a
24-hour interval never fired when beat restarted more often than once a day. Here beat only
ticks (a crontab every ``TICK_MINUTES``, which a fresh entry cannot swallow), and each tick asks
``govsocial.jobs.catch_up_job_run`` to run the job if its own stored last run (a ``JobRun`` row)
is older than the latest time it was due. A restart, an outage or a worker killed mid-run
therefore delays a run by one tick at most and never skips a day.

Registering a job is one line in ``settings.CATCH_UP_JOBS``::

    "complaints-anonymise": daily("complaints.tasks.anonymise_expired_task"),

The dotted path names any callable without arguments (a service or a Celery task). Jobs must be
state-based (do everything due by now), so one run catches up every missed day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from celery.schedules import crontab

TICK_MINUTES = 10
JOB_TASK = "govsocial.tasks.catch_up_job"


@dataclass(frozen=True)
class CatchUpJob:
    function: str
    """Dotted path of the callable to run, without arguments."""
    hour: int
    """The UTC hour from which the job is due each period."""
    weekday: int | None = None
    """None for a daily job; 0 (Monday) to 6 for a weekly one."""

    def due_since(self, now: datetime) -> datetime:
        """The latest time, at or before ``now`` (aware), from which this job was due."""
        now = now.astimezone(UTC)
        due = now.replace(hour=self.hour, minute=0, second=0, microsecond=0)
        if self.weekday is None:
            return due if due <= now else due - timedelta(days=1)
        due -= timedelta(days=(now.weekday() - self.weekday) % 7)
        return due if due <= now else due - timedelta(days=7)

    def is_due(self, last_run_at: datetime | None, now: datetime) -> bool:
        return last_run_at is None or last_run_at < self.due_since(now)


def daily(function: str, *, hour: int = 1) -> CatchUpJob:
    """Run ``function`` once a day, from ``hour`` UTC (default 01:00: night in Belgium)."""
    return CatchUpJob(function=function, hour=hour)


def weekly(function: str, *, weekday: int = 0, hour: int = 1) -> CatchUpJob:
    """Run ``function`` once a week, from ``weekday`` (0 is Monday) at ``hour`` UTC."""
    return CatchUpJob(function=function, hour=hour, weekday=weekday)


def catch_up_beat(jobs: dict[str, CatchUpJob]) -> dict[str, dict[str, Any]]:
    """The beat entries ticking every job: a crontab (a fresh entry waits for the next tick, not
    for a whole period), expiring before the next tick so an outage does not pile them up."""
    return {
        name: {
            "task": JOB_TASK,
            "schedule": crontab(minute=f"*/{TICK_MINUTES}"),
            "args": (name,),
            "options": {"expires": TICK_MINUTES * 60 - 30},
        }
        for name in jobs
    }
