"""Decided, executed, verified: platform actions carried out through the Mastodon connector over
HTTP against the platform sandbox (devtools/platform_sandbox/mastodon.py), retried without
duplicates, verified and re-checked, or left on the manual list."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Notification, Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from charter.selectors import rules_justifying
from charter.tests.factories import published_charter
from devtools.platform_sandbox import mastodon as sandbox_mastodon
from govsocial.ledger.selectors import entry_for
from govsocial.ledger.verify import ledger_verify
from moderation.models import Item, PlatformAction, PlatformActionResult
from moderation.services import decisions
from moderation.services.ingest import item_apply_event
from moderation.services.platform_actions import (
    LEASE,
    MAX_ATTEMPTS,
    action_check,
    action_execute,
    actions_sweep,
)
from moderation.services.platform_to_do import ToDoRefused, action_mark_done

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


def mention(channel: Channel, external_id: str = "9001", kind: str = "mention") -> Item:
    return item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id=external_id, verb=Verb.CREATE, kind=kind, author_name="Lies",
            author_handle="@lies@social.example", text="Wanneer opent de kazerne?",
        ),
    )  # fmt: skip


def on_sandbox(sandbox, channel: Channel, external_id: str = "9001", **fields) -> Item:
    """A mention that exists on the sandbox's Mastodon and as an item."""
    sandbox_mastodon.add_mention(sandbox, external_id, **fields)
    kind = "direct_message" if fields.get("visibility") == "direct" else "mention"
    return mention(channel, external_id, kind)


def reply(item: Item, actor, text: str = "Morgen om 9 uur.") -> PlatformAction:
    return decisions.item_reply(item=item, actor=actor, text=text).decision.platform_actions.get()


def reload(action: PlatformAction) -> PlatformAction:
    return PlatformAction.objects.get(pk=action.pk)


def statuses(sandbox) -> list[dict]:
    return sandbox_mastodon.own_statuses(sandbox)


def test_a_reply_is_queued_executed_and_verified_once(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    assert (action.state, action.kind, action.target_id) == ("queued", "reply", "9001")
    assert action.next_attempt_at is not None
    assert action.due_at is None  # the manual deadline is not the engine's

    assert action_execute(action.pk) == "verified"
    action = reload(action)
    [status] = statuses(platform_sandbox)
    assert status["in_reply_to_id"] == "9001"
    assert status["visibility"] == "public"
    assert "@<span>lies</span>" in status["content"]  # named, so Mastodon notifies the author
    assert len(platform_sandbox.calls_to("POST", "/api/v1/statuses")) == 1
    assert (action.object_id, action.url) == (status["id"], status["url"])
    assert action.attempts == 1
    assert action.executed_at is not None
    assert action.verified_at is not None
    assert (action.observed, action.checks) == ("visible", 1)
    assert action.next_check_at == action.executed_at + timedelta(hours=1)
    assert action_execute(action.pk) == "skipped"  # carried out once, never again
    assert len(statuses(platform_sandbox)) == 1


def test_the_idempotency_key_is_the_actions_key(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    action_execute(action.pk)
    action = reload(action)
    assert platform_sandbox.data["mastodon"]["keys"] == {action.key: action.object_id}


def test_a_direct_message_is_answered_privately(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    item = on_sandbox(platform_sandbox, mastodon, visibility="direct")
    action = reply(item, defence_communicator)
    assert action.kind == "private_reply"
    assert action_execute(action.pk) == "verified"
    [status] = statuses(platform_sandbox)
    assert status["visibility"] == "direct"
    assert [m["acct"] for m in status["mentions"]] == ["lies@social.example"]


@pytest.fixture
def house_rules(defence, defence_admin):
    return published_charter(defence, defence_admin)


def test_what_mastodon_does_not_allow_goes_to_the_manual_list(
    mastodon, platform_sandbox, defence_communicator, house_rules
) -> None:
    hide_rule = rules_justifying(mastodon.institution, "hide").first()
    remove_rule = rules_justifying(mastodon.institution, "remove").first()
    hidden = mention(mastodon, "1")
    decisions.item_hide(item=hidden, actor=defence_communicator, rule=hide_rule, reasons="Spam")
    removed = mention(mastodon, "2")
    decisions.item_remove(
        item=removed, actor=defence_communicator, rule=remove_rule, reasons="Threat"
    )
    decisions.item_reopen(item=hidden, actor=defence_communicator, reason="Hidden by mistake")
    visibility = PlatformAction.objects.exclude(kind="private_reply").order_by("pk")
    kinds = dict(visibility.values_list("kind", "state").iterator())
    assert kinds == {"hide": "manual", "delete": "manual", "unhide": "manual"}
    # What Mastodon does allow: a direct status telling each author where the decision page is.
    messages = PlatformAction.objects.filter(kind="private_reply").order_by("pk")
    assert [(m.state, m.target_id) for m in messages] == [("queued", "1"), ("queued", "2")]
    assert all("/decisions/" in m.text for m in messages)
    delete = PlatformAction.objects.get(kind="delete")
    assert "only to its own posts" in delete.manual_reason
    hide = PlatformAction.objects.get(kind="hide")
    assert "does not let GovSocial do this" in hide.manual_reason
    assert platform_sandbox.calls == []


def test_reopening_an_answered_item_does_nothing_on_the_platform(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    item = on_sandbox(platform_sandbox, mastodon)
    reply(item, defence_communicator)
    decisions.item_reopen(item=item, actor=defence_communicator, reason="Follow-up")
    assert list(PlatformAction.objects.values_list("kind", flat=True)) == ["reply"]


def test_channels_that_cannot_act_get_a_manual_action_with_the_reason(
    defence, defence_communicator
) -> None:
    facebook = ChannelFactory(institution=defence, platform="facebook")
    unconfigured = ChannelFactory(institution=defence, platform="mastodon", url="")
    inactive = ChannelFactory(
        institution=defence, platform="mastodon", url="https://social.example/@d", is_active=False
    )
    inactive.access_token = "token"
    inactive.save()
    for channel in (facebook, unconfigured, inactive):
        action = reply(mention(channel), defence_communicator)
        assert (action.state, action.next_attempt_at) == ("manual", None)
        assert action.manual_reason
    assert "not connected" in PlatformAction.objects.get(channel=inactive).manual_reason


def test_a_rate_limit_requeues_after_the_reset_then_succeeds(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    reset = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=3)
    platform_sandbox.fail_next(
        "/api/v1/statuses", 429, {"error": "Too many requests"},
        {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
         "X-RateLimit-Reset": reset.isoformat().replace("+00:00", "Z")},
    )  # fmt: skip
    assert action_execute(action.pk) == "queued"
    action = reload(action)
    assert action.next_attempt_at >= reset
    assert action.attempts == 0  # a rate limit is not a failed attempt
    assert action_execute(action.pk) == "skipped"  # not before the reset
    assert action_execute(action.pk, now=reset + timedelta(seconds=1)) == "verified"
    assert len(statuses(platform_sandbox)) == 1


@pytest.mark.parametrize("status", [401, 404, 422])
def test_a_permanent_refusal_fails_onto_the_manual_list(
    mastodon, platform_sandbox, defence_communicator, status
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    platform_sandbox.fail_next("/api/v1/statuses", status, {"error": "Validation failed"})
    assert action_execute(action.pk) == "failed"
    action = reload(action)
    assert action.to_do_by_hand
    assert action.last_error.startswith("Mastodon")
    assert action.next_attempt_at is None
    assert statuses(platform_sandbox) == []


def test_transient_errors_back_off_then_fail_after_the_last_attempt(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    now = timezone.now()
    pauses, states = [], []
    for _ in range(MAX_ATTEMPTS):
        platform_sandbox.fail_next("/api/v1/statuses", 500, {"error": "Internal error"})
        states.append(action_execute(action.pk, now=now))
        action = reload(action)
        if action.state == "queued":
            pauses.append(action.next_attempt_at - now)
            now = action.next_attempt_at
    assert states == ["queued"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert pauses == [timedelta(minutes=2**n) for n in range(MAX_ATTEMPTS - 1)]
    assert action.attempts == MAX_ATTEMPTS
    assert statuses(platform_sandbox) == []


def test_a_transient_error_then_success_publishes_once(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    platform_sandbox.fail_next("/api/v1/statuses", 503, {"error": "Unavailable"})
    assert action_execute(action.pk) == "queued"
    assert action_execute(action.pk, now=timezone.now() + timedelta(minutes=1)) == "verified"
    assert reload(action).attempts == 2
    assert len(statuses(platform_sandbox)) == 1


def test_rechecks_after_one_hour_and_one_day_then_stop(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    action_execute(action.pk)
    executed = reload(action).executed_at
    assert action_check(action.pk, now=executed + timedelta(minutes=59)) == "skipped"
    assert action_check(action.pk, now=executed + timedelta(hours=1)) == "verified"
    action = reload(action)
    assert (action.checks, action.next_check_at) == (2, executed + timedelta(hours=24))
    assert action_check(action.pk, now=executed + timedelta(hours=24)) == "verified"
    action = reload(action)
    assert (action.checks, action.next_check_at) == (3, None)
    assert len(platform_sandbox.calls_to("GET", "/api/v1/statuses/")) == 3


def test_an_undo_on_the_platform_is_a_mismatch_with_an_alert(
    mastodon,
    platform_sandbox,
    defence_communicator,
    defence_admin,
    police_communicator,
    django_capture_on_commit_callbacks,
) -> None:
    item = on_sandbox(platform_sandbox, mastodon)
    assignee = member(mastodon.institution, Role.COMMUNICATOR, email="assignee@defence.test")
    decisions.item_assign(item=item, actor=defence_admin, assignee=assignee)
    action = reply(item, defence_communicator)
    action_execute(action.pk)
    action = reload(action)
    del platform_sandbox.data["mastodon"]["statuses"][action.object_id]  # deleted by hand
    later = action.executed_at + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert action_check(action.pk, now=later) == "mismatch"
    action = reload(action)
    assert (action.observed, action.next_check_at) == ("gone", None)
    alerts = Notification.objects.filter(kind="platform_action.mismatch")
    assert {n.recipient for n in alerts} == {defence_admin, assignee, defence_communicator}
    assert all(n.url == f"/i/defence/queue/items/{item.pk}/" for n in alerts)
    assert not alerts.filter(recipient=police_communicator).exists()
    assert action_check(action.pk, now=later + timedelta(days=1)) == "skipped"


def test_a_failed_read_back_is_retried_later(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    action_execute(action.pk)
    executed = reload(action).executed_at
    platform_sandbox.fail_next("/api/v1/statuses/", 500, {"error": "Internal error"})
    at = executed + timedelta(hours=1)
    assert action_check(action.pk, now=at) == "verified"
    action = reload(action)
    assert action.checks == 1
    assert action.next_check_at == at + timedelta(minutes=10)
    assert "500" in action.last_error or "Internal" in action.last_error


def test_a_cut_off_attempt_is_taken_again_after_its_lease_without_a_duplicate(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    """The worker died after the platform published but before it could record it."""
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    now = timezone.now()
    PlatformAction.objects.filter(pk=action.pk).update(
        state=State.SENDING, attempts=1, next_attempt_at=now + LEASE
    )
    sandbox_mastodon.status_post(
        platform_sandbox,
        _request(f"@lies@social.example {action.text}", in_reply_to_id="9001"),
    )
    assert action_execute(action.pk, now=now) == "skipped"  # the lease still runs
    assert actions_sweep(now) == 0
    later = now + LEASE
    assert actions_sweep(later) == 1
    assert action_execute(action.pk, now=later) == "verified"
    assert len(statuses(platform_sandbox)) == 1
    assert platform_sandbox.calls_to("POST", "/api/v1/statuses") == []  # found, not redone


def _request(text: str, **fields: str):
    from urllib.parse import urlencode

    from devtools.platform_sandbox.server import Request

    body = urlencode({"status": text, **fields}).encode()
    return Request(
        "POST", "/api/v1/statuses", {},
        {"authorization": f"Bearer {sandbox_mastodon.TOKEN}",
         "content-type": "application/x-www-form-urlencoded"},
        body,
    )  # fmt: skip


def test_the_sweeper_enqueues_due_attempts_and_due_checks(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    first = reply(on_sandbox(platform_sandbox, mastodon, "1"), defence_communicator)
    second = reply(on_sandbox(platform_sandbox, mastodon, "2"), defence_communicator)
    now = timezone.now()
    assert actions_sweep(now) == 2
    action_execute(first.pk, now=now)
    assert actions_sweep(now) == 1  # the second one; the first is checked in an hour
    assert actions_sweep(now + timedelta(hours=1)) == 2
    PlatformAction.objects.filter(pk=second.pk).update(next_attempt_at=now + timedelta(hours=2))
    assert actions_sweep(now + timedelta(hours=1)) == 1


def test_a_manual_reply_is_marked_done_once(defence, defence_communicator) -> None:
    facebook = ChannelFactory(institution=defence, platform="facebook")
    action = reply(mention(facebook), defence_communicator)
    done = action_mark_done(action=action, actor=defence_communicator)
    assert (done.state, done.done_by) == ("done_by_hand", defence_communicator)
    assert done.done_at is not None
    with pytest.raises(ToDoRefused):
        action_mark_done(action=action, actor=defence_communicator)


def test_the_item_page_shows_the_steps_and_the_posted_by_hand_form(
    client: Client, defence, defence_communicator, police_communicator
) -> None:
    facebook = ChannelFactory(institution=defence, platform="facebook")
    item = mention(facebook)
    client.force_login(defence_communicator)
    base = f"/i/defence/queue/items/{item.pk}/"
    client.post(f"{base}reply/", {"text": "Morgen om 9 uur."})
    page = client.get(base).content.decode()
    assert "To do on the platform by hand" in page
    assert "Copy the text" in page
    assert "I posted it" in page
    action = PlatformAction.objects.get()
    other = mention(facebook, "other")
    refused = client.post(
        f"/i/defence/queue/items/{other.pk}/posted/", {"platform_action": action.pk}
    )
    assert refused.status_code == 400  # not this item's action
    assert client.post(f"{base}posted/", {"platform_action": action.pk}).status_code == 302
    page = client.get(base).content.decode()
    assert "Done on the platform by hand" in page
    assert "I posted it" not in page
    assert client.post(f"{base}posted/", {"platform_action": action.pk}).status_code == 400
    client.force_login(police_communicator)
    assert client.post(f"{base}posted/", {"platform_action": action.pk}).status_code == 404


def test_actions_are_scoped_to_their_institution(
    mastodon, platform_sandbox, defence_communicator, police
) -> None:
    reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    assert PlatformAction.objects.for_institution(police).count() == 0
    assert PlatformAction.objects.for_institution(mastodon.institution).count() == 1


KILLED_WORKER = """
import django
django.setup()
from moderation.services.platform_actions import action_execute
action_execute({action_id})
"""


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_action_leaves_one_action_on_the_platform(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    """A real worker process is SIGKILLed while Mastodon is answering its POST (the status is
    published, the answer never arrives); the next attempt finds it instead of posting again."""
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    platform_sandbox.data["mastodon"]["delay"] = 60.0
    worker = subprocess.Popen(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", KILLED_WORKER.format(action_id=action.pk)],
        env=_worker_environment(),
        cwd=settings.BASE_DIR,
    )
    try:
        deadline = time.monotonic() + 90
        while not platform_sandbox.calls_to("POST", "/api/v1/statuses"):
            assert worker.poll() is None, "the worker ended before reaching the platform"
            assert time.monotonic() < deadline, "the worker never reached the platform"
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    platform_sandbox.data["mastodon"]["delay"] = 0.0
    assert len(statuses(platform_sandbox)) == 1  # published; the worker never heard it
    cut_off = reload(action)
    assert (cut_off.state, cut_off.attempts) == ("sending", 1)

    assert action_execute(action.pk) == "skipped"  # its lease still runs
    assert action_execute(action.pk, now=cut_off.next_attempt_at) == "verified"
    done = reload(action)
    assert done.object_id == statuses(platform_sandbox)[0]["id"]
    assert done.attempts == 2
    assert len(statuses(platform_sandbox)) == 1
    assert len(platform_sandbox.calls_to("POST", "/api/v1/statuses")) == 1


def _worker_environment() -> dict[str, str]:
    """This process's settings, pointed at the test database."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}/{database['NAME']}"
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CONNECTORS_ALLOW_PRIVATE_HOSTS": "1",
        "DJANGO_SETTINGS_MODULE": "govsocial.settings",
    }


def results(action: PlatformAction) -> list[tuple[str, str]]:
    """The action's results, each with the ledger kind of its entry."""
    return [
        (result.result, entry_for(result).kind)
        for result in PlatformActionResult.objects.filter(action=action).order_by("at", "pk")
    ]


def test_each_result_is_appended_and_chained_in_the_ledger(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    assert results(action) == []  # queued is not a result
    action_execute(action.pk)
    chained = "moderation.platform_action_result"
    assert results(action) == [("executed", chained), ("verified", chained)]
    action = reload(action)
    assert action_check(action.pk, now=action.executed_at + timedelta(hours=1)) == "verified"
    assert len(results(action)) == 2  # still as expected: nothing new happened
    del platform_sandbox.data["mastodon"]["statuses"][action.object_id]
    later = action.executed_at + timedelta(hours=24)
    assert action_check(action.pk, now=later) == "mismatch"
    mismatch = PlatformActionResult.objects.get(action=action, result="mismatch")
    assert (mismatch.at, mismatch.observed) == (later, "gone")
    executed = PlatformActionResult.objects.get(action=action, result="executed")
    assert (executed.object_id, executed.at) == (action.object_id, action.executed_at)
    assert ledger_verify(mastodon.institution_id).broken is None


def test_a_refusal_and_a_manual_completion_are_results(
    mastodon, platform_sandbox, defence_communicator
) -> None:
    action = reply(on_sandbox(platform_sandbox, mastodon), defence_communicator)
    platform_sandbox.fail_next("/api/v1/statuses", 422, {"error": "Validation failed"})
    assert action_execute(action.pk) == "failed"
    action_mark_done(action=reload(action), actor=defence_communicator, url="https://x.example/1")
    failed, done = PlatformActionResult.objects.filter(action=action).order_by("at", "pk")
    assert (failed.result, failed.error.startswith("Mastodon")) == ("failed", True)
    assert (done.result, done.actor, done.url) == (
        "done_by_hand", defence_communicator, "https://x.example/1"
    )  # fmt: skip
    assert all(entry_for(result) for result in (failed, done))
    assert ledger_verify(mastodon.institution_id).broken is None
