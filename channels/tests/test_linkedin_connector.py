"""The LinkedIn connector against the platform sandbox over HTTP: polling the organisation's
posts' comments, reply, delete, read back, throttling and refusals."""

from __future__ import annotations

import json

import pytest
import requests

from channels.connectors.actions import ActionKind, ActionRejected, ActionRequest, Observed
from channels.connectors.linkedin import CONNECTOR
from channels.connectors.polling import RateLimited
from channels.models import Channel, InboundDelivery, PollState
from channels.services.deliveries import delivery_process
from channels.services.polling import channel_poll
from channels.tests.factories import ChannelFactory
from devtools.platform_sandbox import linkedin as sandbox_linkedin
from moderation.models import Item

pytestmark = pytest.mark.django_db
ORG = "urn:li:organization:2414183"
MEMBER = "urn:li:person:A1b2C3d4"


@pytest.fixture
def channel(defence, platform_sandbox) -> Channel:
    channel = ChannelFactory(
        institution=defence, platform="linkedin", name="Selor", handle="2414183"
    )
    channel.access_token = "li-token"
    channel.save()
    return channel


def control(sandbox, path: str, **data) -> dict:
    response = requests.post(f"{sandbox.url}/_sandbox/linkedin/{path}", json=data, timeout=5)
    response.raise_for_status()
    return response.json()


def comment_state(sandbox, urn: str) -> dict:
    return requests.get(
        f"{sandbox.url}/_sandbox/linkedin/comments", params={"urn": urn}, timeout=5
    ).json()


def test_comments_and_replies_on_the_organisations_posts_are_polled(
    channel, platform_sandbox
) -> None:
    post = control(platform_sandbox, "posts", organization=ORG)
    asked = control(
        platform_sandbox,
        "comments",
        post=post["id"],
        actor=MEMBER,
        text="Quand ouvrent les inscriptions ?",
        time=1_767_000_000_000,
    )
    answered = control(
        platform_sandbox,
        "comments",
        post=post["id"],
        actor=ORG,
        text="Le 3 mars.",
        parentComment=asked["commentUrn"],
        time=1_767_000_100_000,
    )

    assert channel_poll(channel.pk) == 2
    for pk in InboundDelivery.objects.filter(status="received").values_list("pk", flat=True):
        assert delivery_process(pk)

    delivery = InboundDelivery.objects.get(channel=channel, source="linkedin")
    events = {e.external_id: e for e in CONNECTOR.parse(json.loads(bytes(delivery.body)))}
    question = events[asked["commentUrn"]]
    assert (question.kind, question.own, question.author_handle) == ("comment", False, MEMBER)
    assert question.permalink.startswith(f"https://www.linkedin.com/feed/update/{post['id']}?")
    reply = events[answered["commentUrn"]]
    assert (reply.kind, reply.own, reply.parent_external_id) == ("reply", True, asked["commentUrn"])
    assert Item.objects.filter(channel=channel, external_id=asked["commentUrn"]).exists()
    assert PollState.objects.get(channel=channel).cursor == "1767000100000"
    # The next poll brings nothing already seen.
    assert CONNECTOR.fetch(channel, "1767000100000").records == []


def test_reply_as_the_organisation_goes_under_the_top_comment(channel, platform_sandbox) -> None:
    post = control(platform_sandbox, "posts", organization=ORG)
    top = control(platform_sandbox, "comments", post=post["id"], actor=MEMBER, text="Question")
    nested = control(
        platform_sandbox,
        "comments",
        post=post["id"],
        actor=MEMBER,
        text="+1",
        parentComment=top["commentUrn"],
    )
    request = ActionRequest(ActionKind.REPLY, nested["commentUrn"], key="k", text="Réponse")

    done = CONNECTOR.perform(channel, request)

    sent = json.loads(platform_sandbox.calls_to("POST", "/linkedin/socialActions")[-1]["body"])
    assert sent["actor"] == ORG
    assert sent["parentComment"] == top["commentUrn"]
    assert sent["message"] == {"text": "Réponse"}
    assert CONNECTOR.observe(channel, ActionKind.REPLY, done.object_id) == Observed.VISIBLE
    assert CONNECTOR.find_done(channel, request) == done


def test_delete_a_members_comment_on_our_post_and_read_it_back_gone(
    channel, platform_sandbox
) -> None:
    post = control(platform_sandbox, "posts", organization=ORG)
    comment = control(platform_sandbox, "comments", post=post["id"], actor=MEMBER, text="Spam")

    CONNECTOR.perform(channel, ActionRequest(ActionKind.DELETE, comment["commentUrn"], key="d"))

    assert comment_state(platform_sandbox, comment["commentUrn"])["deleted"] is True
    call = platform_sandbox.calls_to("DELETE", "/linkedin/socialActions")[-1]
    assert call["query"]["actor"] == [ORG]
    assert CONNECTOR.observe(channel, ActionKind.DELETE, comment["commentUrn"]) == Observed.GONE
    # Sent again after an unknown outcome: already gone, the deletion holds.
    CONNECTOR.perform(channel, ActionRequest(ActionKind.DELETE, comment["commentUrn"], key="d"))


def test_deleting_on_someone_elses_post_is_refused(channel, platform_sandbox) -> None:
    post = control(platform_sandbox, "posts", organization="urn:li:organization:999")
    comment = control(platform_sandbox, "comments", post=post["id"], actor=MEMBER, text="x")
    with pytest.raises(ActionRejected, match="403 \\(service error 100\\)"):
        CONNECTOR.perform(channel, ActionRequest(ActionKind.DELETE, comment["commentUrn"], key="d"))


def test_there_is_no_hide_on_linkedin() -> None:
    assert ActionKind.HIDE not in CONNECTOR.capabilities
    assert set(CONNECTOR.capabilities) == {ActionKind.REPLY, ActionKind.DELETE}


def test_throttling_waits_until_midnight_utc(channel, platform_sandbox) -> None:
    forced = sandbox_linkedin.throttled()
    platform_sandbox.fail_next("/linkedin/posts", forced.status, forced.body)
    with pytest.raises(RateLimited) as limit:
        CONNECTOR.fetch(channel, "")
    assert (limit.value.retry_at.hour, limit.value.retry_at.minute) == (0, 5)


def test_an_invalid_token_is_refused_without_showing_it(channel, platform_sandbox) -> None:
    forced = sandbox_linkedin.error(401, 65600, "Invalid access token")
    platform_sandbox.fail_next("/linkedin/socialActions", forced.status, forced.body)
    urn = "urn:li:comment:(urn:li:activity:1,2)"
    with pytest.raises(ActionRejected) as refusal:
        CONNECTOR.perform(channel, ActionRequest(ActionKind.DELETE, urn, key="d"))
    assert "Invalid access token" in str(refusal.value)
    assert "li-token" not in str(refusal.value)


def test_the_handle_takes_the_organisation_id_or_urn(defence) -> None:
    channel = ChannelFactory(institution=defence, platform="linkedin", handle="selor")
    channel.access_token = "t"
    assert not CONNECTOR.configured(channel)
    for handle in ("2414183", ORG):
        channel.handle = handle
        assert CONNECTOR.configured(channel)
