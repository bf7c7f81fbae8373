"""Celery entry points of outgoing webhooks: one-line wrappers over ``webhooks.services``."""

from __future__ import annotations

from celery import shared_task

from govsocial.queueing import enqueue_on_commit
from webhooks import services


@shared_task(name="webhooks.tasks.webhook_deliver", acks_late=True)
def webhook_deliver_task(delivery_id: int) -> None:
    services.delivery_attempt(delivery_id)


@shared_task(name="webhooks.tasks.webhooks_sweep", acks_late=True)
def webhooks_sweep_task() -> int:
    due = services.deliveries_due()
    for delivery_id in due:
        enqueue_on_commit(webhook_deliver_task, delivery_id)
    return len(due)
