"""/healthz: is this instance able to do its job? JSON for load balancers and monitoring."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

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


def health_report() -> tuple[dict[str, str], bool]:
    """Each component's state, and whether the instance is healthy (database and broker up).

    A cache outage is reported but does not fail the check: logins fall back to per-process
    rate limits and everything else keeps working.
    """
    checks = {"database": database_up(), "broker": broker_up(), "cache": cache_up()}
    report = {name: "up" if ok else "down" for name, ok in checks.items()}
    return report, checks["database"] and checks["broker"]


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report, healthy = health_report()
    return JsonResponse(
        {"status": "ok" if healthy else "fail", **report}, status=200 if healthy else 503
    )
