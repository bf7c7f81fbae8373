"""Daily and weekly jobs run every period whatever beat's restarts (govsocial/schedules.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from celery.beat import ScheduleEntry
from django.conf import settings
from django.utils import timezone

from complaints.models import Complainant
from complaints.services import cases
from complaints.tests.factories import register
from govsocial.celery import app
from govsocial.jobs import LEASE, catch_up_job_run
from govsocial.models import JobRun
from govsocial.schedules import daily, weekly

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 23, 2, 25, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def _tasks_loaded() -> None:
    app.loader.import_default_modules()  # as the worker does at start (autodiscovery)


def beat_entry(name: str) -> ScheduleEntry:
    """The entry as a freshly started beat sees it (the Procfile deletes the schedule file)."""
    config = settings.CELERY_BEAT_SCHEDULE[name]
    return ScheduleEntry(
        name=name,
        task=config["task"],
        schedule=config["schedule"],
        args=config.get("args", ()),
        app=app,
    )


def run_beat(name: str, *, hours: int, restart_every: timedelta) -> list[datetime]:
    """Beat checked every 5 minutes for ``hours`` and restarted every ``restart_every``; the runs
    of the job (its stored last run changing) in order."""
    runs: list[datetime] = []
    now = START
    with time_machine.travel(now, tick=False) as clock:
        entry = beat_entry(name)
        started = now
        while now < START + timedelta(hours=hours):
            if now - started >= restart_every:
                entry, started = beat_entry(name), now
            due, _next = entry.is_due()
            if due:
                app.tasks[entry.task](*entry.args)
                entry = next(entry)
                last = JobRun.objects.filter(name=name).values_list("last_run_at", flat=True)
                if last and last[0] not in runs:
                    runs.append(last[0])
            now += timedelta(minutes=5)
            clock.move_to(now)
    return runs


@pytest.mark.parametrize("name", ["complaints-anonymise", "charter-acknowledgement-reminders"])
def test_daily_jobs_run_every_day_when_beat_restarts_every_hour(name: str) -> None:
    runs = run_beat(name, hours=70, restart_every=timedelta(minutes=59))

    assert [run.date() for run in runs] == [START.date() + timedelta(days=d) for d in range(3)]
    # the first tick catches up (never ran), then each day from 01:00 UTC
    assert runs[0] == START + timedelta(minutes=5)
    assert [run.hour for run in runs[1:]] == [1, 1]


def test_a_restart_at_any_hour_never_skips_a_day_nor_runs_twice() -> None:
    for restart_minutes in (7, 23 * 60 + 59):
        JobRun.objects.all().delete()
        runs = run_beat(
            "complaints-anonymise", hours=70, restart_every=timedelta(minutes=restart_minutes)
        )
        assert len(runs) == 3, restart_minutes
        assert len({run.date() for run in runs}) == 3


def test_a_job_catches_up_from_its_stored_last_run(defence, defence_officer) -> None:
    """Beat was down for three days: the first tick after the restart erases what became due."""
    defence.complaint_retention_months = 24
    defence.save()
    case = register(defence, received_at=timezone.now() - timedelta(days=760))
    cases.case_close(
        case=case, actor=defence_officer, outcome="unfounded",
        at=timezone.now() - timedelta(days=740),
    )  # fmt: skip
    JobRun.objects.create(name="complaints-anonymise", last_run_at=timezone.now() - timedelta(3))

    assert catch_up_job_run("complaints-anonymise") is True
    assert Complainant.objects.get(case=case).erased_at is not None
    assert catch_up_job_run("complaints-anonymise") is False  # done for today


def test_a_failed_run_is_retried_at_the_next_tick(settings) -> None:
    settings.CATCH_UP_JOBS = {"broken": daily("json.loads")}  # loads() needs an argument
    with pytest.raises(TypeError):
        catch_up_job_run("broken", now=START)
    job = JobRun.objects.get(name="broken")
    assert (job.last_run_at, job.running_since, job.last_failed_at) == (None, None, START)

    settings.CATCH_UP_JOBS = {"broken": daily("uuid.uuid4")}
    assert catch_up_job_run("broken", now=START + timedelta(minutes=10)) is True


def test_a_claimed_run_blocks_other_ticks_until_its_lease_expires(settings) -> None:
    settings.CATCH_UP_JOBS = {"report": weekly("uuid.uuid4")}
    JobRun.objects.create(name="report", running_since=START)

    assert catch_up_job_run("report", now=START + timedelta(minutes=10)) is False
    assert catch_up_job_run("report", now=START + LEASE + timedelta(minutes=1)) is True


@pytest.mark.parametrize(
    ("last_run", "now", "due"),
    [
        ("2026-11-25 01:00", "2026-11-25 23:59", False),
        ("2026-11-25 00:59", "2026-11-25 01:00", True),
        ("2026-11-24 13:00", "2026-11-25 00:59", False),
        ("2026-11-23 01:00", "2026-11-29 23:00", False),  # weekly: Monday 01:00
        ("2026-11-23 00:59", "2026-11-29 23:00", True),
        ("2026-11-23 01:00", "2026-11-30 01:00", True),
    ],
)
def test_due_since_the_latest_period_start(last_run: str, now: str, due: bool) -> None:
    def utc(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    job = daily("x") if utc(now) - utc(last_run) < timedelta(days=2) else weekly("x")
    assert job.is_due(utc(last_run), utc(now)) is due
