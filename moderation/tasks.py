"""Celery entry points for moderation: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from moderation.services import publishing, reply_delivery, retention


@shared_task(name="moderation.tasks.reply_deliver", acks_late=True)
def reply_deliver_task(delivery_id: int) -> str:
    return reply_delivery.reply_deliver(delivery_id)


@shared_task(name="moderation.tasks.replies_sweep", acks_late=True)
def replies_sweep_task() -> int:
    return reply_delivery.replies_sweep()


@shared_task(name="moderation.tasks.items_anonymise_expired", acks_late=True)
def items_anonymise_expired_task() -> int:
    return retention.items_anonymise_expired()


@shared_task(name="moderation.tasks.posts_publish_due", acks_late=True)
def posts_publish_due_task() -> int:
    return publishing.posts_publish_due()
