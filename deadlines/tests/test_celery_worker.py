"""The deadline tasks through a real Celery worker consuming from Redis (celery.contrib.testing):
two check tasks at once still notify each crossing once, and the e-mail task writes the mails."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from accounts.models import Notification, OutgoingEmail
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from deadlines.tasks import deadline_emails_task, deadlines_check_task
from govsocial.celery import app
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not finish in time")
        time.sleep(0.1)


def test_a_real_worker_runs_the_check_and_the_e_mail_phase(
    defence, defence_communicator, defence_admin
) -> None:
    channel = ChannelFactory(institution=defence)
    channel.moderators.set([defence_communicator])
    now = timezone.now()
    for number in range(20):
        item_apply_event(
            channel=channel,
            event=ItemEvent(external_id=f"w{number}", verb=Verb.CREATE,
                            occurred_at=now - timedelta(hours=19 if number % 2 else 25)),
            now=now - timedelta(hours=19 if number % 2 else 25),  # received then
        )  # fmt: skip
    queue = f"deadline-test-{uuid.uuid4().hex}"  # our own queue: no other test's messages
    with start_worker(app, perform_ping_check=False, queues=[queue], shutdown_timeout=20):
        for _ in range(2):
            deadlines_check_task.apply_async(queue=queue)
        wait_for(lambda: Notification.objects.filter(kind__startswith="deadline.").count() == 30)
        deadline_emails_task.apply_async(queue=queue)
        wait_for(lambda: OutgoingEmail.objects.count() == 30)
    warnings = Notification.objects.filter(kind="deadline.warning")
    breaches = Notification.objects.filter(kind="deadline.breach")
    assert warnings.count() == 10  # to the channel's team
    assert breaches.count() == 20  # to the team and the admin
    assert not Notification.objects.filter(email_status="pending").exists()
