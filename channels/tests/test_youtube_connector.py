"""The YouTube connector against the platform sandbox over HTTP: polling, actions, read back,
quota and refusals."""

from __future__ import annotations

import json

import pytest
import requests

from channels.connectors.actions import ActionKind, ActionRejected, ActionRequest, Observed
from channels.connectors.polling import RateLimited
from channels.connectors.youtube import CONNECTOR
from channels.models import Channel, InboundDelivery, PollState
from channels.services.deliveries import delivery_process
from channels.services.polling import channel_poll
from channels.tests.factories import ChannelFactory
from devtools.platform_sandbox import youtube as sandbox_youtube
from moderation.models import Item

pytestmark = pytest.mark.django_db
CHANNEL_ID = "UCdefence0000000000000AB"


@pytest.fixture
def channel(defence, platform_sandbox) -> Channel:
    channel = ChannelFactory(
        institution=defence, platform="youtube", name="Canal Défense", handle=CHANNEL_ID
    )
    channel.access_token = "yt-token"
    channel.save()
    return channel


def add(sandbox, text: str, **extra: str) -> dict:
    response = requests.post(
        f"{sandbox.url}/_sandbox/youtube/comments",
        json={"channelId": CHANNEL_ID, "videoId": "vid1", "text": text, **extra},
        timeout=5,
    )
    response.raise_for_status()
    return response.json()


def status_of(sandbox, comment_id: str) -> str:
    shown = requests.get(f"{sandbox.url}/_sandbox/youtube/comments/{comment_id}", timeout=5)
    return shown.json()["snippet"]["moderationStatus"]


def process_all() -> None:
    for delivery_id in InboundDelivery.objects.filter(status="received").values_list(
        "pk", flat=True
    ):
        assert delivery_process(delivery_id)


def stored_events(channel: Channel) -> list:
    events = []
    for delivery in InboundDelivery.objects.filter(channel=channel, source="youtube"):
        events.extend(CONNECTOR.parse(json.loads(bytes(delivery.body))))
    return events


def test_a_poll_stores_comments_and_replies_and_flags_the_channels_own(
    channel, platform_sandbox
) -> None:
    question = add(
        platform_sandbox, "Quand a lieu la journée portes ouvertes ?", author="Marie Dubois"
    )
    add(
        platform_sandbox,
        "Le 21 juillet.",
        parentId=question["id"],
        author="Canal Défense",
        authorChannelId=CHANNEL_ID,
    )

    assert channel_poll(channel.pk) == 1  # one thread
    process_all()

    events = {e.text: e for e in stored_events(channel)}
    asked = events["Quand a lieu la journée portes ouvertes ?"]
    assert (asked.kind, asked.own, asked.author_name) == ("comment", False, "Marie Dubois")
    assert asked.permalink == f"https://www.youtube.com/watch?v=vid1&lc={question['id']}"
    answer = events["Le 21 juillet."]
    assert (answer.kind, answer.own, answer.parent_external_id) == ("reply", True, question["id"])
    assert Item.objects.filter(channel=channel, external_id=question["id"]).exists()
    assert PollState.objects.get(channel=channel).cursor  # the newest time seen


def test_the_next_poll_reads_only_newer_threads_across_pages(channel, platform_sandbox) -> None:
    add(platform_sandbox, "old", publishedAt="2026-01-01T10:00:00Z")
    assert channel_poll(channel.pk) == 1
    for n in range(3):
        add(platform_sandbox, f"new {n}", publishedAt=f"2026-01-02T10:00:0{n}Z")
    cursor = PollState.objects.get(channel=channel).cursor

    first = CONNECTOR.fetch(channel, cursor)  # the sandbox pages by 20: all three fit
    assert [t["snippet"]["topLevelComment"]["snippet"]["textOriginal"] for t in first.records] == [
        "new 0",
        "new 1",
        "new 2",
    ]
    assert first.more is False
    assert first.cursor.startswith("2026-01-02T10:00:02")


def test_a_backlog_is_read_page_by_page(channel, platform_sandbox, monkeypatch) -> None:
    monkeypatch.setattr("channels.connectors.youtube.PAGE_SIZE", 2)
    add(platform_sandbox, "seen", publishedAt="2026-01-01T10:00:00Z")
    for n in range(3):
        add(platform_sandbox, f"new {n}", publishedAt=f"2026-01-02T10:00:0{n}Z")

    page = CONNECTOR.fetch(channel, "2026-01-01T10:00:00+00:00")
    assert page.more is True
    assert len(page.records) == 2
    rest = CONNECTOR.fetch(channel, page.cursor)
    assert rest.more is False
    assert [t["snippet"]["topLevelComment"]["snippet"]["textOriginal"] for t in rest.records] == [
        "new 0"
    ]
    assert rest.cursor.startswith("2026-01-02T10:00:02")


def test_reply_goes_under_the_top_level_comment_and_reads_back_visible(
    channel, platform_sandbox
) -> None:
    top = add(platform_sandbox, "Question")
    reply = add(platform_sandbox, "Moi aussi", parentId=top["id"])

    done = CONNECTOR.perform(
        channel, ActionRequest(ActionKind.REPLY, reply["id"], key="k1", text="Merci, voici.")
    )

    posted = platform_sandbox.calls_to("POST", "/youtube/comments")[-1]
    assert json.loads(posted["body"])["snippet"]["parentId"] == top["id"]
    assert CONNECTOR.observe(channel, ActionKind.REPLY, done.object_id) == Observed.VISIBLE
    request = ActionRequest(ActionKind.REPLY, reply["id"], key="k1", text="Merci, voici.")
    assert CONNECTOR.find_done(channel, request) == done
    other = ActionRequest(ActionKind.REPLY, reply["id"], key="k2", text="Autre chose")
    assert CONNECTOR.find_done(channel, other) is None


def test_hide_holds_for_review_and_unhide_publishes(channel, platform_sandbox) -> None:
    comment = add(platform_sandbox, "Spam spam")

    CONNECTOR.perform(channel, ActionRequest(ActionKind.HIDE, comment["id"], key="h"))
    assert status_of(platform_sandbox, comment["id"]) == "heldForReview"
    assert CONNECTOR.observe(channel, ActionKind.HIDE, comment["id"]) == Observed.HIDDEN

    CONNECTOR.perform(channel, ActionRequest(ActionKind.UNHIDE, comment["id"], key="u"))
    assert status_of(platform_sandbox, comment["id"]) == "published"
    assert CONNECTOR.observe(channel, ActionKind.UNHIDE, comment["id"]) == Observed.VISIBLE


def test_delete_rejects_others_comments_and_deletes_our_own(channel, platform_sandbox) -> None:
    theirs = add(platform_sandbox, "Insulte")
    ours = add(platform_sandbox, "Notre réponse", parentId=theirs["id"], authorChannelId=CHANNEL_ID)

    CONNECTOR.perform(channel, ActionRequest(ActionKind.DELETE, theirs["id"], key="d1"))
    CONNECTOR.perform(channel, ActionRequest(ActionKind.DELETE, ours["id"], key="d2"))

    assert status_of(platform_sandbox, theirs["id"]) == "rejected"
    assert status_of(platform_sandbox, ours["id"]) == "deleted"
    assert platform_sandbox.calls_to("DELETE", "/youtube/comments")[0]["query"]["id"] == [
        ours["id"]
    ]
    assert CONNECTOR.observe(channel, ActionKind.DELETE, theirs["id"]) == Observed.GONE
    # Sent again (outcome unknown): already gone, the deletion holds.
    done = CONNECTOR.perform(channel, ActionRequest(ActionKind.DELETE, theirs["id"], key="d1"))
    assert done.object_id == theirs["id"]


def test_a_hide_undone_on_youtube_reads_back_visible(channel, platform_sandbox) -> None:
    comment = add(platform_sandbox, "Hors sujet")
    CONNECTOR.perform(channel, ActionRequest(ActionKind.HIDE, comment["id"], key="h"))
    requests.post(
        f"{platform_sandbox.url}/youtube/comments/setModerationStatus",
        params={"id": comment["id"], "moderationStatus": "published"},
        headers={"Authorization": "Bearer owner"},
        timeout=5,
    )
    assert CONNECTOR.observe(channel, ActionKind.HIDE, comment["id"]) == Observed.VISIBLE


def test_quota_exceeded_waits_until_midnight_pacific(channel, platform_sandbox) -> None:
    comment = add(platform_sandbox, "x")
    forced = sandbox_youtube.quota_exceeded()
    platform_sandbox.fail_next("/youtube/comments/setModerationStatus", forced.status, forced.body)

    with pytest.raises(RateLimited) as limit:
        CONNECTOR.perform(channel, ActionRequest(ActionKind.HIDE, comment["id"], key="h"))

    pacific = limit.value.retry_at.astimezone(sandbox_youtube_pacific())
    assert (pacific.hour, pacific.minute) == (0, 5)


def sandbox_youtube_pacific():
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/Los_Angeles")


def test_a_missing_permission_is_a_final_refusal_without_the_token(
    channel, platform_sandbox
) -> None:
    comment = add(platform_sandbox, "x")
    forced = sandbox_youtube.error(403, "forbidden", "Insufficient permissions.")
    platform_sandbox.fail_next("/youtube/comments/setModerationStatus", forced.status, forced.body)

    with pytest.raises(ActionRejected) as refusal:
        CONNECTOR.perform(channel, ActionRequest(ActionKind.HIDE, comment["id"], key="h"))

    assert "forbidden" in str(refusal.value)
    assert "yt-token" not in str(refusal.value)


def test_a_rejected_comment_cannot_be_published_again(channel, platform_sandbox) -> None:
    comment = add(platform_sandbox, "x")
    CONNECTOR.perform(channel, ActionRequest(ActionKind.DELETE, comment["id"], key="d"))
    with pytest.raises(ActionRejected, match="processingFailure"):
        CONNECTOR.perform(channel, ActionRequest(ActionKind.UNHIDE, comment["id"], key="u"))


def test_polling_a_rate_limited_channel_waits(channel, platform_sandbox) -> None:
    forced = sandbox_youtube.quota_exceeded()
    platform_sandbox.fail_next("/youtube/commentThreads", forced.status, forced.body)

    assert channel_poll(channel.pk) == 0

    state = PollState.objects.get(channel=channel)
    assert state.consecutive_failures == 0
    assert state.next_poll_at > state.last_polled_at


def test_only_channels_with_a_channel_id_and_token_are_configured(defence) -> None:
    seeded = ChannelFactory(institution=defence, platform="youtube", handle="canaldefense")
    seeded.access_token = "t"
    assert not CONNECTOR.configured(seeded)
    seeded.handle = CHANNEL_ID
    assert CONNECTOR.configured(seeded)
