"""The data migration turning reply deliveries into platform actions (0015_..._h1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from channels.tests.factories import ChannelFactory

BEFORE = [("moderation", "0014_platform_action")]
AFTER = [("moderation", "0016_remove_reply_delivery_h1")]


def migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():  # type: ignore[no-untyped-def]
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_each_delivery_becomes_an_action_in_the_new_words(defence, defence_communicator) -> None:
    # The channel is made with today's model: migrating moderation back leaves channels' table
    # as it is (its later columns have no database default the old model would fill).
    channel = ChannelFactory(
        institution=defence, platform="mastodon", name="M", handle="m", languages=["nl"]
    )
    old = migrate(BEFORE)
    try:
        Item = old.get_model("moderation", "Item")
        Decision = old.get_model("moderation", "Decision")
        ReplyDelivery = old.get_model("moderation", "ReplyDelivery")
        now = timezone.now()
        states = ["queued", "sent", "failed", "to_post", "posted"]
        for number, state in enumerate(states):
            item = Item.objects.create(
                institution_id=defence.pk, channel_id=channel.pk, external_id=f"{number}",
                kind="direct_message" if state == "failed" else "mention",
                due_at=now, warn_at=now,
            )  # fmt: skip
            decision = Decision.objects.create(
                institution_id=defence.pk, item=item, actor_id=defence_communicator.pk,
                action="reply", reply_text=f"Answer {number}",
            )  # fmt: skip
            ReplyDelivery.objects.create(
                institution_id=defence.pk, decision=decision, state=state, attempts=number,
                next_attempt_at=now if state == "queued" else None,
                last_error="Mastodon: 422" if state == "failed" else "",
                sent_at=now if state == "sent" else None,
                platform_id="77" if state == "sent" else "",
                platform_url="https://social.example/@d/77" if state == "sent" else "",
                posted_by_id=defence_communicator.pk if state == "posted" else None,
                posted_at=now if state == "posted" else None,
            )  # fmt: skip
        queued_key = f"govsocial-reply-{ReplyDelivery.objects.get(state='queued').pk}"
    finally:
        new = migrate(AFTER)
        migrate(latest())  # the later migrations too: the next tests need today's schema
    actions = {a.target_id: a for a in new.get_model("moderation", "PlatformAction").objects.all()}
    assert [actions[str(n)].state for n in range(5)] == [
        "queued", "executed", "failed", "manual", "done_by_hand",
    ]  # fmt: skip
    assert actions["0"].key == queued_key  # an attempt in flight keeps its idempotency key
    assert actions["0"].next_attempt_at is not None
    sent = actions["1"]
    assert (sent.object_id, sent.url, sent.executed_at) == (
        "77", "https://social.example/@d/77", now,
    )  # fmt: skip
    assert (actions["2"].kind, actions["2"].last_error) == ("private_reply", "Mastodon: 422")
    assert actions["3"].manual_reason
    posted = actions["4"]
    assert (posted.done_by_id, posted.done_at) == (defence_communicator.pk, now)
    assert all(a.text == f"Answer {a.target_id}" for a in actions.values())
    assert {a.channel_id for a in actions.values()} == {channel.pk}
