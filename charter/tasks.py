"""Celery entry points for charters."""

from __future__ import annotations

from celery import shared_task

from charter import services


@shared_task(name="charter.tasks.acknowledgement_reminders_send", acks_late=True)
def acknowledgement_reminders_send_task() -> int:
    return services.acknowledgement_reminders_send()
