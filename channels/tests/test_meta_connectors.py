"""The Facebook and Instagram connectors against the platform sandbox over HTTP: each action,
each read-back outcome, find_done, rate limits, permanent refusals and the messaging window."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from channels.connectors.actions import (
    ActionKind,
    ActionRejected,
    ActionRequest,
    ConnectorError,
    Observed,
    RateLimited,
)
from channels.connectors.registry import CONNECTORS
from channels.models import Channel
from channels.tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db
PAGE = "104017331234567"
IG_ACCOUNT = "17841400000000001"
TOKEN = "EAAG-page-token-secret-0123456789"


@pytest.fixture
def facebook(defence, platform_sandbox) -> Channel:
    return meta_channel(defence, platform_sandbox, "facebook", PAGE)


@pytest.fixture
def instagram(defence, platform_sandbox) -> Channel:
    return meta_channel(defence, platform_sandbox, "instagram", IG_ACCOUNT)


def meta_channel(institution, sandbox, platform: str, page_id: str, webhook_url: str = ""):
    channel = ChannelFactory(institution=institution, platform=platform, handle=page_id)
    channel.access_token = TOKEN
    channel.save()
    control(sandbox, "pages", platform=platform, page_id=page_id, token=TOKEN,
            webhook_url=webhook_url, secret="test-signing-secret", username="selor_be")  # fmt: skip
    return channel


def control(sandbox, what: str, **body) -> dict:
    answer = requests.post(f"{sandbox.url}/_sandbox/meta/{what}", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def comment(sandbox, channel: Channel, text: str = "Wanneer is de infosessie?") -> str:
    author = {"id": "24920341234567", "name": "Jan Peeters", "username": "jan.peeters"}
    created = control(
        sandbox, "comments", platform=channel.platform, page_id=channel.handle, message=text,
        **{"from": author},
    )  # fmt: skip
    return created["comment"]["id"]


def message(sandbox, channel: Channel, hours_ago: float = 0) -> str:
    stamp = int((time.time() - hours_ago * 3600) * 1000)
    person = {"from": "6543210987654321"}
    created = control(sandbox, "messages", platform=channel.platform, page_id=channel.handle,
                      text="Bonjour ?", timestamp=stamp, **person)  # fmt: skip
    return created["message"]["id"]


def act(channel: Channel, kind: ActionKind, target: str, text: str = ""):
    return CONNECTORS[channel.platform].perform(
        channel, ActionRequest(kind=kind, target_id=target, key="k-1", text=text)
    )


def observe(channel: Channel, object_id: str) -> Observed:
    return CONNECTORS[channel.platform].observe(channel, ActionKind.HIDE, object_id)


@pytest.mark.parametrize("platform", ["facebook", "instagram"])
def test_hide_unhide_delete_and_each_read_back(defence, platform_sandbox, platform) -> None:
    channel = meta_channel(defence, platform_sandbox, platform, PAGE)
    target = comment(platform_sandbox, channel)
    assert observe(channel, target) is Observed.VISIBLE
    assert act(channel, ActionKind.HIDE, target).object_id == target
    assert observe(channel, target) is Observed.HIDDEN
    act(channel, ActionKind.UNHIDE, target)
    assert observe(channel, target) is Observed.VISIBLE
    act(channel, ActionKind.DELETE, target)
    assert observe(channel, target) is Observed.GONE
    assert act(channel, ActionKind.DELETE, target).object_id == target  # already gone: done
    with pytest.raises(ActionRejected, match="100/33"):
        act(channel, ActionKind.HIDE, target)
    hide_param = "is_hidden" if platform == "facebook" else "hide"
    posts = platform_sandbox.calls_to("POST", f"/{platform}/{target}")
    assert f"{hide_param}=true" in posts[0]["body"]


@pytest.mark.parametrize("platform", ["facebook", "instagram"])
def test_a_reply_is_posted_read_back_and_found_again(defence, platform_sandbox, platform) -> None:
    channel = meta_channel(defence, platform_sandbox, platform, PAGE)
    target = comment(platform_sandbox, channel)
    request = ActionRequest(ActionKind.REPLY, target, key="k-2", text="Op 12 januari.")
    connector = CONNECTORS[platform]
    assert connector.find_done(channel, request) is None
    done = connector.perform(channel, request)
    assert observe(channel, done.object_id) is Observed.VISIBLE
    assert connector.find_done(channel, request) == done
    other = ActionRequest(ActionKind.REPLY, target, key="k-3", text="Another text")
    assert connector.find_done(channel, other) is None
    edge = "comments" if platform == "facebook" else "replies"
    assert len(platform_sandbox.calls_to("POST", f"/{platform}/{target}/{edge}")) == 1
    if platform == "facebook":
        assert done.url == f"https://www.facebook.com/{done.object_id}"


@pytest.mark.parametrize("platform", ["facebook", "instagram"])
def test_a_message_is_answered_within_the_window_only(defence, platform_sandbox, platform) -> None:
    channel = meta_channel(defence, platform_sandbox, platform, PAGE)
    recent = message(platform_sandbox, channel, hours_ago=23)
    done = act(channel, ActionKind.PRIVATE_REPLY, recent, "Via selor.be.")
    assert observe(channel, done.object_id) is Observed.VISIBLE
    (sent,) = platform_sandbox.calls_to("POST", f"/{platform}/{PAGE}/messages")
    assert '"messaging_type": "RESPONSE"' in sent["body"]
    assert '"id": "6543210987654321"' in sent["body"]


@pytest.mark.parametrize("platform", ["facebook", "instagram"])
def test_outside_the_window_the_answer_is_refused_for_good(
    defence, platform_sandbox, platform
) -> None:
    channel = meta_channel(defence, platform_sandbox, platform, PAGE)
    old = message(platform_sandbox, channel, hours_ago=25)
    with pytest.raises(ActionRejected, match="messaging window is closed"):
        act(channel, ActionKind.REPLY, old, "Too late.")


def test_a_private_reply_to_a_comment_goes_once(facebook, platform_sandbox) -> None:
    target = comment(platform_sandbox, facebook)
    act(facebook, ActionKind.PRIVATE_REPLY, target, "Je vous écris en privé.")
    (sent,) = platform_sandbox.calls_to("POST", f"/facebook/{PAGE}/messages")
    assert f'"comment_id": "{target}"' in sent["body"]
    with pytest.raises(ActionRejected, match="10900"):
        act(facebook, ActionKind.PRIVATE_REPLY, target, "Encore.")


def test_a_rate_limit_says_when_to_come_back(facebook, platform_sandbox) -> None:
    target = comment(platform_sandbox, facebook)
    control(platform_sandbox, "rate-limit", minutes=7)
    before = timezone.now()
    with pytest.raises(RateLimited) as limited:
        act(facebook, ActionKind.HIDE, target)
    assert before + timedelta(minutes=6) < limited.value.retry_at < before + timedelta(minutes=8)
    with pytest.raises(RateLimited):
        observe(facebook, target)
    control(platform_sandbox, "rate-limit", minutes=0)
    assert observe(facebook, target) is Observed.VISIBLE


def test_a_429_without_usage_header_backs_off_a_minute(facebook, platform_sandbox) -> None:
    platform_sandbox.fail_next("/facebook/", 429, {"error": {"message": "slow", "code": 613}})
    with pytest.raises(RateLimited) as limited:
        observe(facebook, "1_2")
    assert limited.value.retry_at > timezone.now() + timedelta(seconds=50)


def test_an_expired_token_is_a_final_refusal_that_never_shows_the_token(
    facebook, platform_sandbox
) -> None:
    target = comment(platform_sandbox, facebook)
    facebook.access_token = "EAAG-another-expired-token-987"
    with pytest.raises(ActionRejected, match="190") as refused:
        act(facebook, ActionKind.HIDE, target)
    assert "EAAG" not in str(refused.value)


def test_a_token_echoed_in_an_error_is_scrubbed(facebook, platform_sandbox) -> None:
    echo = {"error": {"message": f"bad token {TOKEN}", "type": "OAuthException", "code": 200}}
    platform_sandbox.fail_next("/facebook/", 400, echo)
    with pytest.raises(ActionRejected) as refused:
        observe(facebook, "1_2")
    assert TOKEN not in str(refused.value)
    assert "[token]" in str(refused.value)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {"error": {"message": "An unknown error occurred", "code": 1}}),
        (503, None),
        (400, {"error": {"message": "Service temporarily unavailable", "code": 2}}),
    ],
)
def test_temporary_failures_are_worth_retrying(facebook, platform_sandbox, status, body) -> None:
    platform_sandbox.fail_next("/facebook/", status, body)
    with pytest.raises(ConnectorError):
        observe(facebook, "1_2")


def test_a_missing_permission_is_a_final_refusal(facebook, platform_sandbox) -> None:
    error = {"message": "(#200) Requires pages_manage_engagement", "code": 200}
    platform_sandbox.fail_next("/facebook/", 400, {"error": error})
    with pytest.raises(ActionRejected, match="pages_manage_engagement"):
        act(facebook, ActionKind.HIDE, "1_2")


def test_an_unreachable_platform_is_worth_retrying(facebook, settings) -> None:
    settings.PLATFORM_API_URLS = {**settings.PLATFORM_API_URLS, "facebook": "http://127.0.0.1:1"}
    with pytest.raises(ConnectorError) as failed:
        observe(facebook, "1_2")
    assert TOKEN not in str(failed.value)


def test_configured_needs_the_page_id_and_a_token(facebook) -> None:
    connector = CONNECTORS["facebook"]
    assert connector.configured(facebook)
    facebook.handle = "BelgianDefence"
    assert not connector.configured(facebook)
