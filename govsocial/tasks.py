"""Celery entry points of the kernel: one-line wrappers over its functions."""

from __future__ import annotations

from celery import shared_task

from govsocial import jobs


@shared_task(name="govsocial.tasks.catch_up_job", acks_late=True)
def catch_up_job_task(name: str) -> bool:
    return jobs.catch_up_job_run(name)
