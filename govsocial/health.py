"""/healthz: is this instance able to do its job? JSON for load balancers and monitoring."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from deadlines.engine import STALE_AFTER, last_run
from govsocial.celery import app as celery_app

logger = logging.getLogger(__name__)


def database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.warning("healthz: database unreachable", exc_info=True)
        return False


def broker_up() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=1)
        return True
    except Exception:
        logger.warning("healthz: broker unreachable", exc_info=True)
        return False


def cache_up() -> bool:
    try:
        cache.set("healthz", "1", 10)
    except Exception:
        return False
    return not getattr(cache, "degraded", False)


def deadline_check_report(*, details: bool) -> tuple[dict[str, object], bool]:
    """The age of the last deadline check; stale after ``STALE_AFTER`` (beat or worker down).

    ``details`` (superusers) adds what the last run found.
    """
    try:
        run = last_run()
    except Exception:
        logger.warning("healthz: deadline runs unreadable", exc_info=True)
        return {"deadline_check": "unknown"}, False
    if run is None:
        return {"deadline_check": "never run", "reason": "the deadline check never ran"}, False
    age = timezone.now() - run.finished_at
    fresh = age <= STALE_AFTER
    report: dict[str, object] = {
        "deadline_check": "ok" if fresh else "stale",
        "deadline_check_age_seconds": int(age.total_seconds()),
    }
    if not fresh:
        report["reason"] = (
            f"the last deadline check finished {int(age.total_seconds())} s ago "
            f"(more than {int(STALE_AFTER.total_seconds())} s): is Celery beat running?"
        )
    if details:
        report["deadline_check_last_run"] = {
            "finished_at": run.finished_at.isoformat(),
            "duration_ms": run.duration_ms,
            "warnings": run.warnings,
            "breaches": run.breaches,
            "notifications": run.notifications,
            "failed": run.failed,
        }
    return report, fresh


def health_report(*, details: bool = False) -> tuple[dict[str, object], bool]:
    """Each component's state, and whether the instance is healthy (database and broker up,
    deadline check recent).

    A cache outage is reported but does not fail the check: logins fall back to per-process
    rate limits and everything else keeps working.
    """
    checks = {"database": database_up(), "broker": broker_up(), "cache": cache_up()}
    report: dict[str, object] = {name: "up" if ok else "down" for name, ok in checks.items()}
    deadlines, deadlines_fresh = (
        deadline_check_report(details=details) if checks["database"] else ({}, False)
    )
    report |= deadlines
    return report, checks["database"] and checks["broker"] and deadlines_fresh


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report, healthy = health_report(details=request.user.is_superuser)
    return JsonResponse(
        {"status": "ok" if healthy else "fail", **report}, status=200 if healthy else 503
    )
