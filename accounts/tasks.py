"""Celery entry points for the accounts app: thin wrappers over services."""

from __future__ import annotations

from celery import Task, shared_task

from accounts.models import PushDelivery
from accounts.services import notifications, push


@shared_task(name="accounts.tasks.email_deliver", acks_late=True, max_retries=3)
def email_deliver_task(outgoing_email_id: int) -> bool:
    return notifications.email_deliver(outgoing_email_id)


@shared_task(name="accounts.tasks.email_outbox_sweep", acks_late=True)
def email_outbox_sweep_task() -> int:
    return notifications.email_outbox_sweep()


@shared_task(name="accounts.tasks.email_outbox_purge", acks_late=True)
def email_outbox_purge_task() -> int:
    return notifications.email_outbox_purge()


@shared_task(name="accounts.tasks.push_fanout", acks_late=True)
def push_fanout_task(notification_ids: list[int]) -> int:
    return push.push_fanout(notification_ids)


@shared_task(
    name="accounts.tasks.push_deliver",
    bind=True,
    acks_late=True,
    max_retries=PushDelivery.MAX_ATTEMPTS,
)
def push_deliver_task(self: Task, delivery_id: int) -> str:
    """One message to one device; a transient refusal is tried again with backoff."""
    outcome = push.push_deliver(delivery_id)
    if outcome is push.Outcome.RETRY:
        raise self.retry(countdown=push.retry_delay(self.request.retries + 1))
    return outcome.value


@shared_task(name="accounts.tasks.push_deliveries_sweep", acks_late=True)
def push_deliveries_sweep_task() -> int:
    return push.push_deliveries_sweep()


@shared_task(name="accounts.tasks.push_deliveries_purge", acks_late=True)
def push_deliveries_purge_task() -> int:
    return push.push_deliveries_purge()
