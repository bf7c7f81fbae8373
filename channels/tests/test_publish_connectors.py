"""Publishing a post through the Facebook and Mastodon connectors, over HTTP against the
platform sandbox: the post is created, reads back visible, gone once deleted, and an attempt
cut off is found again instead of posted twice. Instagram publishes media only: no PUBLISH."""

from __future__ import annotations

import pytest

from channels.connectors.actions import ActionKind, ActionRejected, ActionRequest, Observed
from channels.connectors.registry import CONNECTORS
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.test_meta_connectors import PAGE, comment, meta_channel
from devtools.platform_sandbox import mastodon as sandbox_mastodon

pytestmark = pytest.mark.django_db
TEXT = "Portes ouvertes le 12 janvier.\n\nOpendeurdag op 12 januari."


def publish(key: str = "publish-1", text: str = TEXT) -> ActionRequest:
    return ActionRequest(ActionKind.PUBLISH, "", key=key, text=text)


@pytest.fixture
def facebook(defence, platform_sandbox) -> Channel:
    return meta_channel(defence, platform_sandbox, "facebook", PAGE)


@pytest.fixture
def mastodon(defence, platform_sandbox) -> Channel:
    channel = ChannelFactory(
        institution=defence, platform="mastodon", url=f"{platform_sandbox.url}/@defensie"
    )
    channel.access_token = sandbox_mastodon.TOKEN
    channel.save()
    return channel


def test_facebook_publishes_on_the_page_feed(facebook, platform_sandbox) -> None:
    connector = CONNECTORS["facebook"]
    assert connector.find_done(facebook, publish()) is None
    done = connector.perform(facebook, publish())
    assert done.object_id.startswith(f"{PAGE}_")
    assert done.url == f"https://www.facebook.com/{done.object_id}"
    [call] = platform_sandbox.calls_to("POST", f"/facebook/{PAGE}/feed")
    assert "message=Portes+ouvertes" in call["body"]
    assert connector.observe(facebook, ActionKind.PUBLISH, done.object_id) is Observed.VISIBLE
    assert connector.find_done(facebook, publish(key="again")) == done
    assert connector.find_done(facebook, publish(text="Another post")) is None
    connector.perform(facebook, ActionRequest(ActionKind.DELETE, done.object_id, key="d"))
    assert connector.observe(facebook, ActionKind.PUBLISH, done.object_id) is Observed.GONE
    assert connector.find_done(facebook, publish()) is None


def test_facebook_find_done_ignores_a_visitors_post_with_the_same_text(
    facebook, platform_sandbox
) -> None:
    """A visitor's comment or post is not the page's: only the page's posts are ours."""
    comment(platform_sandbox, facebook, TEXT)
    assert CONNECTORS["facebook"].find_done(facebook, publish()) is None


def test_facebook_refuses_for_good_without_the_permission(facebook, platform_sandbox) -> None:
    platform_sandbox.fail_next(
        f"/facebook/{PAGE}/feed",
        403,
        {"error": {"message": "(#200) Requires pages_manage_posts permission", "code": 200,
                   "type": "OAuthException", "fbtrace_id": "Sbx1"}},
    )  # fmt: skip
    with pytest.raises(ActionRejected, match="pages_manage_posts"):
        CONNECTORS["facebook"].perform(facebook, publish())


def test_instagram_does_not_publish(defence, platform_sandbox) -> None:
    assert ActionKind.PUBLISH not in CONNECTORS["instagram"].capabilities
    channel = meta_channel(defence, platform_sandbox, "instagram", PAGE)
    with pytest.raises(ActionRejected, match="not available"):
        CONNECTORS["instagram"].perform(channel, publish())
    assert platform_sandbox.calls == []


def test_mastodon_publishes_once_per_key(mastodon, platform_sandbox) -> None:
    connector = CONNECTORS["mastodon"]
    assert connector.find_done(mastodon, publish()) is None
    done = connector.perform(mastodon, publish())
    assert connector.perform(mastodon, publish()) == done  # same Idempotency-Key
    [status] = sandbox_mastodon.own_statuses(platform_sandbox)
    assert (status["visibility"], status["in_reply_to_id"]) == ("public", None)
    assert done.url == status["url"]
    call = platform_sandbox.calls_to("POST", "/api/v1/statuses")[0]
    assert "in_reply_to_id" not in call["body"]
    assert connector.observe(mastodon, ActionKind.PUBLISH, done.object_id) is Observed.VISIBLE
    assert connector.find_done(mastodon, publish(key="another")) == done
    assert connector.find_done(mastodon, publish(text="Another post")) is None
    connector.perform(mastodon, ActionRequest(ActionKind.DELETE, done.object_id, key="d"))
    assert connector.observe(mastodon, ActionKind.PUBLISH, done.object_id) is Observed.GONE


def test_mastodon_find_done_does_not_take_a_reply_for_the_post(mastodon, platform_sandbox) -> None:
    sandbox_mastodon.add_mention(platform_sandbox, "9001")
    reply = ActionRequest(ActionKind.REPLY, "9001", key="r", text=TEXT)
    CONNECTORS["mastodon"].perform(mastodon, reply)
    assert CONNECTORS["mastodon"].find_done(mastodon, publish()) is None
