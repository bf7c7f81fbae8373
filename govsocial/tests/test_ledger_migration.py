"""The migrations creating the ledger chain the rows of an existing installation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from complaints.models import TimelineEvent
from complaints.tests.factories import register
from govsocial.ledger.models import LedgerEntry
from moderation.models import Decision, PlatformAction, PlatformActionResult
from moderation.services import decisions
from moderation.services.ingest import item_apply_event

BEFORE = [
    ("govsocial", "0003_h6_job_run"),
    ("moderation", "0019_four_eyes"),
    ("complaints", "0011_tracking_legal_hold_access_log"),
]


def migrate(targets) -> None:  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_chained_and_verify(defence, defence_communicator) -> None:
    register(defence)
    channel = ChannelFactory(institution=defence)
    item = item_apply_event(channel=channel, event=ItemEvent(external_id="1", verb=Verb.CREATE))
    decision = decisions.item_no_action(item=item, actor=defence_communicator).decision
    now = timezone.now()
    PlatformAction.objects.create(
        institution=defence, channel=channel, kind="hide", decision=decision, state="verified",
        executed_at=now - timedelta(minutes=2), verified_at=now - timedelta(minutes=1),
        object_id="1", observed="hidden",
    )  # fmt: skip
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    migrate(BEFORE)  # the ledger and the results do not exist yet
    migrate(latest)
    results = PlatformActionResult.objects.order_by("at")
    assert [(r.result, r.observed) for r in results] == [("executed", ""), ("verified", "hidden")]
    recorded = TimelineEvent.objects.count() + Decision.objects.count() + results.count()
    assert LedgerEntry.objects.filter(institution=defence).count() == recorded
    call_command("verify_ledger")
