"""Claiming a platform action and recording its outcome (moderation.services.action_attempts):
the one-statement path of PostgreSQL, the portable path of other databases, and several
workers at once on real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.models import Notification
from channels.connectors.actions import Observed
from channels.connectors.mastodon import CONNECTOR as MASTODON
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from devtools.platform_sandbox import mastodon as sandbox_mastodon
from govsocial.ledger.models import LedgerEntry
from govsocial.ledger.verify import ledger_verify
from moderation.models import Item, PlatformAction, PlatformActionResult
from moderation.services import action_attempts
from moderation.services.action_attempts import LEASE, action_claim, action_record
from moderation.services.action_results import action_results_pending
from moderation.services.platform_actions import action_execute
from moderation.tests.test_platform_actions import on_sandbox, reply, statuses

pytestmark = pytest.mark.django_db
State = PlatformAction.State


@pytest.fixture
def mastodon(defence, platform_sandbox) -> Channel:
    channel = ChannelFactory(
        institution=defence, platform="mastodon", url=f"{platform_sandbox.url}/@defensie"
    )
    channel.access_token = sandbox_mastodon.TOKEN
    channel.save()
    return channel


@pytest.fixture(params=["one statement", "portable"])
def claim_path(request, monkeypatch) -> str:
    """Both paths run on the test's PostgreSQL; the portable one is what SQLite takes."""
    if request.param == "portable":
        monkeypatch.setattr(action_attempts, "_one_statement", lambda: False)
    return request.param


def test_a_claim_marks_the_action_sending_and_brings_what_the_attempt_needs(
    claim_path, mastodon, platform_sandbox, defence_communicator, django_assert_num_queries
) -> None:
    mastodon.languages = ["nl", "fr"]
    mastodon.save()
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    now = timezone.now()

    claim = action_claim(action.pk, now)

    assert claim is not None
    assert (claim.unknown, claim.mention) == (False, "@lies@social.example")
    claimed = claim.action
    assert (claimed.pk, claimed.state, claimed.attempts) == (action.pk, "sending", 1)
    assert claimed.next_attempt_at == now + LEASE
    assert (claimed.key, claimed.text, claimed.target_id) == (action.key, action.text, "9001")
    with django_assert_num_queries(0):
        assert claimed.channel.languages == ["nl", "fr"]  # JSON, converted as the ORM does
        assert claimed.channel.access_token == sandbox_mastodon.TOKEN
        assert claimed.channel.webhook_id == mastodon.webhook_id
        assert claimed.decision.item_id == action.decision.item_id
        assert claimed.decision.created_at == action.decision.created_at
    assert claimed.decision.actor_id == defence_communicator.pk  # the rest on demand
    stored = PlatformAction.objects.get(pk=action.pk)
    assert (stored.state, stored.attempts, stored.next_attempt_at) == ("sending", 1, now + LEASE)


def test_an_action_not_due_or_held_is_not_claimed(
    claim_path, mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    now = timezone.now()
    assert action_claim(action.pk, now - timedelta(minutes=1)) is None  # not due yet
    assert action_claim(action.pk, now) is not None
    assert action_claim(action.pk, now) is None  # its lease runs
    PlatformAction.objects.filter(pk=action.pk).update(state=State.VERIFIED)
    assert action_claim(action.pk, now + LEASE) is None  # carried out


def test_a_lease_run_out_is_claimed_again_and_the_first_attempt_cannot_record(
    claim_path, mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    now = timezone.now()
    first = action_claim(action.pk, now)
    second = action_claim(action.pk, now + LEASE)  # the first worker died, says the lease
    assert first is not None
    assert second is not None
    assert (second.unknown, second.action.attempts) == (True, 2)

    executed = {"state": State.EXECUTED, "executed_at": now, "object_id": "77", "url": ""}
    item = Item.objects.filter(pk=action.decision.item_id)
    assert action_record(first.action, executed) is False  # superseded: nothing written
    assert PlatformAction.objects.get(pk=action.pk).state == "sending"
    assert item.get().sla_answered_at is None
    assert action_record(second.action, {**executed, "next_attempt_at": None}) is True
    stored = PlatformAction.objects.get(pk=action.pk)
    assert (stored.state, stored.object_id, stored.attempts) == ("executed", "77", 2)
    assert stored.next_attempt_at is None
    assert item.get().sla_answered_at == now  # the reply reached the platform: answered


def test_a_superseded_attempt_writes_no_result_and_no_entry(
    claim_path, mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    now = timezone.now()
    first = action_claim(action.pk, now)
    second = action_claim(action.pk, now + LEASE)
    assert first is not None
    assert second is not None
    entries = LedgerEntry.objects.filter(institution=mastodon.institution).count()
    executed = {"state": State.EXECUTED, "executed_at": now, "object_id": "77", "url": ""}
    pending = action_results_pending(first.action, executed, now)
    assert [r.result for r in pending] == ["executed"]
    assert action_record(first.action, executed, pending) is False
    assert not PlatformActionResult.objects.filter(action=action).exists()
    assert LedgerEntry.objects.filter(institution=mastodon.institution).count() == entries

    results = action_results_pending(second.action, executed, now)
    assert action_record(second.action, executed, results) is True
    [stored] = PlatformActionResult.objects.filter(action=action)
    assert (stored.result, stored.object_id, stored.at) == ("executed", "77", now)
    assert LedgerEntry.objects.filter(institution=mastodon.institution).count() == entries + 1
    assert ledger_verify(mastodon.institution_id).broken is None


def test_an_attempt_costs_two_statements_with_its_results_chained(
    mastodon, platform_sandbox, defence_communicator, django_assert_num_queries
) -> None:
    """The claim, then the record: the outcome, the reply's SLA, the two results (executed,
    verified) and their two ledger entries in one statement, so one transaction."""
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    with django_assert_num_queries(2):
        assert action_execute(action.pk) == "verified"
    results = PlatformActionResult.objects.filter(action=action).order_by("pk")
    assert [r.result for r in results] == ["executed", "verified"]
    assert Item.objects.get(pk=action.decision.item_id).sla_answered_at is not None
    assert ledger_verify(mastodon.institution_id).broken is None


def test_a_reply_carried_out_keeps_an_earlier_answer_for_the_sla(
    claim_path, mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    now = timezone.now()
    earlier = now - timedelta(hours=2)
    item = Item.objects.filter(pk=action.decision.item_id)
    item.update(sla_answered_at=earlier)  # answered by hand before, say
    claim = action_claim(action.pk, now)
    assert claim is not None
    executed = {"state": State.EXECUTED, "executed_at": now, "next_attempt_at": None}
    assert action_record(claim.action, executed) is True
    assert item.get().sla_answered_at == earlier


def test_an_outcome_that_is_not_a_reply_reaching_the_platform_answers_nothing(
    claim_path, mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    now = timezone.now()
    claim = action_claim(action.pk, now)
    assert claim is not None
    requeued = {"state": State.QUEUED, "next_attempt_at": now, "last_error": "503", "attempts": 1}
    assert action_record(claim.action, requeued) is True
    assert Item.objects.get(pk=action.decision.item_id).sla_answered_at is None
    assert PlatformAction.objects.get(pk=action.pk).state == "queued"


@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_another_worker_is_skipped_without_waiting(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    """The other worker's transaction holds the row lock: the claim returns at once."""
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        other = connections.create_connection("default")
        try:
            other.set_autocommit(False)
            with other.cursor() as cursor:
                table = PlatformAction._meta.db_table
                cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [action.pk])  # noqa: S608
                locked.set()
                release.wait(timeout=30)
            other.rollback()
        finally:
            other.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # waiting for the lock fails the test
        assert action_claim(action.pk, timezone.now()) is None
    finally:
        release.set()
        thread.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert action_claim(action.pk, timezone.now()) is not None


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_carry_each_action_out_once(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    """Two worker threads (two connections) are handed the same 30 actions, in opposite order,
    at the same moment: every action is carried out by exactly one of them, once."""
    actions = [
        reply(on_sandbox(platform_sandbox, mastodon, str(9000 + n)), defence_communicator)
        for n in range(30)
    ]
    ids = [action.pk for action in actions]
    start = threading.Barrier(2)
    outcomes: dict[str, list[str]] = {"forwards": [], "backwards": []}
    errors: list[BaseException] = []

    def worker(name: str, order: list[int]) -> None:
        try:
            start.wait(timeout=30)
            for action_id in order:
                outcomes[name].append(action_execute(action_id))
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=("forwards", ids)),
        threading.Thread(target=worker, args=("backwards", ids[::-1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    done = outcomes["forwards"] + outcomes["backwards"]
    assert done.count("verified") == 30
    assert set(done) <= {"verified", "skipped"}
    assert len(platform_sandbox.calls_to("POST", "/api/v1/statuses")) == 30
    assert len(statuses(platform_sandbox)) == 30
    stored = PlatformAction.objects.filter(pk__in=ids)
    assert sorted(stored.values_list("attempts", flat=True)) == [1] * 30
    assert set(stored.values_list("state", flat=True)) == {"verified"}


def test_a_mismatch_at_the_first_read_back_alerts_from_the_claimed_row(
    mastodon,
    platform_sandbox,
    defence_communicator,
    defence_admin,
    monkeypatch,
    django_capture_on_commit_callbacks,
) -> None:
    """The claim loads only part of the decision: the alert loads the rest (author, item)."""
    item = on_sandbox(platform_sandbox, mastodon)
    action = reply(item, defence_communicator)
    monkeypatch.setattr(MASTODON, "observe", lambda *_: Observed.GONE)  # removed at once
    with django_capture_on_commit_callbacks(execute=True):
        assert action_execute(action.pk) == "mismatch"
    alerts = Notification.objects.filter(kind="platform_action.mismatch")
    assert {n.recipient for n in alerts} == {defence_admin, defence_communicator}
    assert {n.url for n in alerts} == {f"/i/defence/queue/items/{item.pk}/"}
    assert Item.objects.get(pk=item.pk).sla_answered_at is not None  # it was posted
