"""Celery entry points for channels: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from channels.services import deliveries


@shared_task(name="channels.tasks.delivery_process", acks_late=True, max_retries=3)
def delivery_process_task(delivery_id: int) -> bool:
    return deliveries.delivery_process(delivery_id)


@shared_task(name="channels.tasks.deliveries_sweep", acks_late=True)
def deliveries_sweep_task() -> int:
    return deliveries.deliveries_sweep()
