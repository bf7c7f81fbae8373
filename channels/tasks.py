"""Celery entry points for channels: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from channels.services import deliveries, imports, polling, tokens


@shared_task(name="channels.tasks.deliveries_drain", acks_late=True)
def deliveries_drain_task(channel_id: int, helpers: int = deliveries.DRAIN_HELPERS) -> int:
    return deliveries.deliveries_drain(channel_id, helpers=helpers)


@shared_task(name="channels.tasks.deliveries_sweep", acks_late=True)
def deliveries_sweep_task() -> int:
    return deliveries.deliveries_sweep()


@shared_task(name="channels.tasks.polls_dispatch", acks_late=True)
def polls_dispatch_task() -> int:
    """Every minute: one poll task per channel whose polling connector is due."""
    due = polling.channels_due()
    for channel_id in due:
        channel_poll_task.delay(channel_id)
    return len(due)


@shared_task(name="channels.tasks.channel_poll", acks_late=True)
def channel_poll_task(channel_id: int) -> int:
    return polling.channel_poll(channel_id)


@shared_task(name="channels.tasks.import_run", acks_late=True)
def import_run_task(job_id: int) -> None:
    imports.import_run(job_id)


@shared_task(name="channels.tasks.imports_resume", acks_late=True)
def imports_resume_task() -> int:
    return imports.imports_resume()


@shared_task(name="channels.tasks.channel_tokens_check", acks_late=True)
def channel_tokens_check_task() -> int:
    """Daily (settings.CATCH_UP_JOBS): every active channel's token, admins warned."""
    return tokens.channel_tokens_check_all()
