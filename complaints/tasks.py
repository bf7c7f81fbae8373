"""Celery entry points for complaints: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from complaints.services import personal_data


@shared_task(name="complaints.tasks.anonymise_expired", acks_late=True)
def anonymise_expired_task() -> int:
    return personal_data.anonymise_expired()
