"""Enqueue Celery tasks after commit without ever failing the request that committed.

Celery's ``delay_on_commit`` registers a plain ``on_commit`` callback: with the broker down the
publish raises after the data was committed and the user gets a 500 for work that was saved.
Here the publish is robust and short (see CELERY_TASK_PUBLISH_RETRY_POLICY); a sweeper task
re-enqueues whatever the database still shows as pending.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args: Any) -> None:
    def publish() -> None:
        try:
            task.delay(*args)
        except Exception:  # the broker is down or slow: the sweeper will pick the row up
            logger.warning("Could not enqueue %s%r; the sweeper will retry.", task.name, args)

    transaction.on_commit(publish, robust=True)
