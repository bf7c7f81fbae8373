"""Celery entry points of the deadline engine: one-line wrappers over its functions.

The task names keep their first home (``govsocial.tasks``): beat entries and messages already
queued use them.
"""

from __future__ import annotations

from celery import shared_task

from deadlines import delivery, engine


@shared_task(name="govsocial.tasks.deadlines_check", acks_late=True)
def deadlines_check_task() -> dict[str, int]:
    result = engine.deadlines_check()
    return {"warnings": result.warnings, "breaches": result.breaches}


@shared_task(name="govsocial.tasks.deadline_emails", acks_late=True)
def deadline_emails_task() -> int:
    return delivery.deadline_emails_write()


@shared_task(name="govsocial.tasks.deadline_digests", acks_late=True)
def deadline_digests_task() -> int:
    return delivery.deadline_digests_send()
