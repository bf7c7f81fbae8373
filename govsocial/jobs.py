"""Running the daily and weekly jobs of ``settings.CATCH_UP_JOBS`` from their stored last run.

See govsocial/schedules.py for why: beat ticks every few minutes, and the ``JobRun`` row of each
job says whether the job already ran since it was last due.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from govsocial.models import JobRun
from govsocial.schedules import CatchUpJob

logger = logging.getLogger(__name__)

LEASE = timedelta(hours=1)
"""How long a claimed run blocks the others; longer than any job takes."""


def catch_up_job_run(name: str, now: datetime | None = None) -> bool:
    """Run the job ``name`` if it has not run since it was last due; True when it ran.

    The claim is one conditional UPDATE, so concurrent ticks on several workers run it once.
    A failed run leaves ``last_run_at`` unchanged: the next tick tries again.
    """
    now = now or timezone.now()
    job: CatchUpJob = settings.CATCH_UP_JOBS[name]
    if not _claim(name, job.due_since(now), now):
        return False
    try:
        import_string(job.function)()
    except Exception:
        JobRun.objects.filter(name=name).update(running_since=None, last_failed_at=now)
        logger.exception("jobs.failed %s", name)
        raise
    JobRun.objects.filter(name=name).update(running_since=None, last_run_at=now)
    return True


def _claim(name: str, due_since: datetime, now: datetime) -> bool:
    JobRun.objects.get_or_create(name=name)
    not_run = Q(last_run_at__isnull=True) | Q(last_run_at__lt=due_since)
    free = Q(running_since__isnull=True) | Q(running_since__lt=now - LEASE)
    return JobRun.objects.filter(not_run, free, name=name).update(running_since=now) == 1
