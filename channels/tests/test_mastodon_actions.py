"""The Mastodon connector's actions over HTTP against the platform sandbox: what it may do,
what it may not, reading back, finding an answer already posted."""

from __future__ import annotations

import pytest

from channels.connectors.actions import (
    ActionKind,
    ActionRejected,
    ActionRequest,
    Observed,
    RateLimited,
)
from channels.connectors.mastodon import CONNECTOR
from channels.connectors.registry import CONNECTORS, capability_matrix
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from devtools.platform_sandbox import mastodon as sandbox_mastodon

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(defence, platform_sandbox) -> Channel:
    channel = ChannelFactory(
        institution=defence, platform="mastodon", url=f"{platform_sandbox.url}/@defensie"
    )
    channel.access_token = sandbox_mastodon.TOKEN
    channel.save()
    sandbox_mastodon.add_mention(platform_sandbox, "9001")
    return channel


def answer(text: str = "Morgen om 9 uur.", key: str = "k-1") -> ActionRequest:
    return ActionRequest(
        ActionKind.REPLY, "9001", key=key, text=text, mention="@lies@social.example"
    )


def test_the_registry_holds_mastodon_without_hide_or_unhide() -> None:
    assert CONNECTORS["mastodon"] is CONNECTOR
    kinds = set(capability_matrix()["mastodon"])
    assert kinds == {
        ActionKind.REPLY, ActionKind.PRIVATE_REPLY, ActionKind.DELETE, ActionKind.PUBLISH,
    }  # fmt: skip
    assert capability_matrix()["mastodon"][ActionKind.DELETE].own_only


def test_a_reply_sent_twice_with_one_key_is_published_once(channel, platform_sandbox) -> None:
    first = CONNECTOR.perform(channel, answer())
    again = CONNECTOR.perform(channel, answer())
    assert first == again
    [status] = sandbox_mastodon.own_statuses(platform_sandbox)
    assert first.url == status["url"]
    [call, _] = platform_sandbox.calls_to("POST", "/api/v1/statuses")
    assert "in_reply_to_id=9001" in call["body"]


def test_the_author_is_not_named_twice(channel, platform_sandbox) -> None:
    CONNECTOR.perform(channel, answer("@lies@social.example dank u."))
    [status] = sandbox_mastodon.own_statuses(platform_sandbox)
    assert len(status["mentions"]) == 1


def test_find_done_finds_our_answer_and_nothing_else(channel, platform_sandbox) -> None:
    assert CONNECTOR.find_done(channel, answer()) is None
    done = CONNECTOR.perform(channel, answer())
    assert CONNECTOR.find_done(channel, answer(key="another")) == done
    assert CONNECTOR.find_done(channel, answer("Another text")) is None


def test_own_statuses_can_be_deleted_and_read_back_gone(channel, platform_sandbox) -> None:
    done = CONNECTOR.perform(channel, answer())
    assert CONNECTOR.observe(channel, ActionKind.REPLY, done.object_id) == Observed.VISIBLE
    delete = ActionRequest(ActionKind.DELETE, done.object_id, key="d-1")
    assert CONNECTOR.perform(channel, delete).object_id == done.object_id
    assert CONNECTOR.observe(channel, ActionKind.DELETE, done.object_id) == Observed.GONE
    assert CONNECTOR.perform(channel, delete).object_id == done.object_id  # already gone: done


def test_someone_elses_status_cannot_be_deleted(channel, platform_sandbox) -> None:
    with pytest.raises(ActionRejected):
        CONNECTOR.perform(channel, ActionRequest(ActionKind.DELETE, "9001", key="d-2"))
    assert "9001" in platform_sandbox.data["mastodon"]["statuses"]


def test_a_refused_text_and_a_rate_limit(channel, platform_sandbox) -> None:
    blank = ActionRequest(ActionKind.REPLY, "9001", key="k-2", text=" ")
    with pytest.raises(ActionRejected, match="blank"):
        CONNECTOR.perform(channel, blank)  # 422 from the sandbox, as Mastodon answers
    platform_sandbox.fail_next("/api/v1/statuses", 429, {"error": "Too many requests"})
    with pytest.raises(RateLimited):
        CONNECTOR.perform(channel, answer())
    assert sandbox_mastodon.own_statuses(platform_sandbox) == []
