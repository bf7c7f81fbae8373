"""Celery entry points for moderation: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from moderation.services import handover, ladder, platform_actions, publishing, retention


@shared_task(name="moderation.tasks.action_execute", acks_late=True)
def action_execute_task(action_id: int) -> str:
    return platform_actions.action_execute(action_id)


@shared_task(name="moderation.tasks.action_check", acks_late=True)
def action_check_task(action_id: int) -> str:
    return platform_actions.action_check(action_id)


@shared_task(name="moderation.tasks.actions_sweep", acks_late=True)
def actions_sweep_task() -> int:
    return platform_actions.actions_sweep()


@shared_task(name="moderation.tasks.items_anonymise_expired", acks_late=True)
def items_anonymise_expired_task() -> int:
    return retention.items_anonymise_expired()


@shared_task(name="moderation.tasks.posts_publish_due", acks_late=True)
def posts_publish_due_task() -> int:
    return publishing.posts_publish_due()


@shared_task(name="moderation.tasks.ladder_sweep", acks_late=True)
def ladder_sweep_task() -> int:
    return ladder.ladder_sweep()


@shared_task(name="moderation.tasks.handover_sweep", acks_late=True)
def handover_sweep_task() -> int:
    result = handover.handover_sweep()
    return result.handed
