"""Celery entry points for the accounts app: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from accounts.services import notifications


@shared_task(name="accounts.tasks.email_deliver", acks_late=True, max_retries=3)
def email_deliver_task(outgoing_email_id: int) -> bool:
    return notifications.email_deliver(outgoing_email_id)


@shared_task(name="accounts.tasks.email_outbox_sweep", acks_late=True)
def email_outbox_sweep_task() -> int:
    return notifications.email_outbox_sweep()


@shared_task(name="accounts.tasks.email_outbox_purge", acks_late=True)
def email_outbox_purge_task() -> int:
    return notifications.email_outbox_purge()
