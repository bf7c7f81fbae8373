"""The X connector against the platform sandbox over HTTP: mentions polling, the Account
Activity webhook (CRC and signature), actions, read back, rate limits and refusals."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
import requests
from django.test import Client
from django.urls import reverse

from channels.connectors.actions import ActionKind, ActionRejected, ActionRequest, Observed
from channels.connectors.polling import RateLimited
from channels.connectors.x import CONNECTOR
from channels.models import Channel, InboundDelivery, PollState
from channels.services.deliveries import delivery_process
from channels.services.polling import channel_poll
from channels.tests.factories import TEST_SECRET, ChannelFactory
from devtools.platform_sandbox import x as sandbox_x
from moderation.models import Item

pytestmark = pytest.mark.django_db
ACCOUNT = "1500000000000000001"
TOKEN = "x-user-token"


@pytest.fixture
def sandbox(platform_sandbox):
    for account, name, token in ((ACCOUNT, "BelgiumMFA", TOKEN), ("42", "jan", "jan-token")):
        requests.post(
            f"{platform_sandbox.url}/_sandbox/x/accounts",
            timeout=5,
            json={"id": account, "username": name, "name": name.title(), "token": token},
        ).raise_for_status()
    return platform_sandbox


@pytest.fixture
def channel(defence, sandbox) -> Channel:
    channel = ChannelFactory(institution=defence, platform="x", name="MFA", handle=ACCOUNT)
    channel.access_token = TOKEN
    channel.save()
    return channel


def post(sandbox, author: str, text: str, **extra) -> dict:
    response = requests.post(
        f"{sandbox.url}/_sandbox/x/posts",
        timeout=5,
        json={"author_id": author, "text": text, **extra},
    )
    response.raise_for_status()
    return response.json()


def shown(sandbox, post_id: str) -> dict:
    return requests.get(f"{sandbox.url}/_sandbox/x/posts/{post_id}", timeout=5).json()


def events_of(channel: Channel) -> list:
    found = []
    for delivery in InboundDelivery.objects.filter(channel=channel, source="x"):
        found.extend(CONNECTOR.parse(json.loads(bytes(delivery.body))))
    return found


def process_all() -> None:
    for pk in InboundDelivery.objects.filter(status="received").values_list("pk", flat=True):
        assert delivery_process(pk)


def test_mentions_and_replies_are_polled_and_the_accounts_own_posts_flagged(
    channel, sandbox
) -> None:
    ours = post(sandbox, ACCOUNT, "Nos bureaux sont fermés lundi.")
    reply = post(sandbox, "42", "Et mardi ?", in_reply_to_tweet_id=ours["id"])
    own_reply = post(
        sandbox,
        ACCOUNT,
        "@jan ouverts mardi.",
        in_reply_to_tweet_id=reply["id"],
        mentions=[ACCOUNT],
    )
    mention = post(sandbox, "42", "@BelgiumMFA bonjour", mentions=[ACCOUNT])

    assert channel_poll(channel.pk) == 3
    process_all()

    events = {e.external_id: e for e in events_of(channel)}
    assert events[reply["id"]].kind == "reply"
    assert events[reply["id"]].parent_external_id == ours["id"]
    assert events[reply["id"]].author_handle == "@jan"
    assert events[reply["id"]].permalink == f"https://x.com/jan/status/{reply['id']}"
    assert events[mention["id"]].kind == "mention"
    assert not events[mention["id"]].own
    assert events[own_reply["id"]].own
    assert Item.objects.filter(channel=channel, external_id=reply["id"]).exists()
    assert PollState.objects.get(channel=channel).cursor == mention["id"]


def test_the_next_poll_asks_since_the_newest_and_follows_pages(
    channel, sandbox, monkeypatch
) -> None:
    first = post(sandbox, "42", "@BelgiumMFA un", mentions=[ACCOUNT])
    assert channel_poll(channel.pk) == 1
    monkeypatch.setattr("channels.connectors.x.PAGE_SIZE", 2)
    later = [post(sandbox, "42", f"@BelgiumMFA {n}", mentions=[ACCOUNT]) for n in range(3)]

    page = CONNECTOR.fetch(channel, first["id"])
    assert page.more is True
    assert [r["tweet"]["id"] for r in page.records] == [later[1]["id"], later[2]["id"]]
    assert sandbox.calls_to("GET", f"/x/users/{ACCOUNT}/mentions")[-1]["query"]["since_id"] == [
        first["id"]
    ]
    rest = CONNECTOR.fetch(channel, page.cursor)
    assert rest.more is False
    assert [r["tweet"]["id"] for r in rest.records] == [later[0]["id"]]
    assert rest.cursor == later[2]["id"]


def test_reply_posts_in_reply_to_the_target_and_reads_back(channel, sandbox) -> None:
    mention = post(sandbox, "42", "@BelgiumMFA une question", mentions=[ACCOUNT])
    request = ActionRequest(ActionKind.REPLY, mention["id"], key="k", text="Voici la réponse.")

    done = CONNECTOR.perform(channel, request)

    sent = json.loads(sandbox.calls_to("POST", "/x/tweets")[-1]["body"])
    assert sent == {"text": "Voici la réponse.", "reply": {"in_reply_to_tweet_id": mention["id"]}}
    assert shown(sandbox, done.object_id)["author_id"] == ACCOUNT
    assert CONNECTOR.observe(channel, ActionKind.REPLY, done.object_id) == Observed.VISIBLE
    assert CONNECTOR.find_done(channel, request) == ActionDone_of(done)
    assert (
        CONNECTOR.find_done(
            channel, ActionRequest(ActionKind.REPLY, mention["id"], key="o", text="Autre")
        )
        is None
    )


def ActionDone_of(done):
    from channels.connectors.actions import ActionDone

    return ActionDone(object_id=done.object_id)


def test_hide_and_unhide_a_reply_to_the_accounts_post(channel, sandbox) -> None:
    ours = post(sandbox, ACCOUNT, "Annonce")
    reply = post(sandbox, "42", "Hors sujet", in_reply_to_tweet_id=ours["id"])

    CONNECTOR.perform(channel, ActionRequest(ActionKind.HIDE, reply["id"], key="h"))
    assert shown(sandbox, reply["id"])["hidden"] is True
    CONNECTOR.perform(channel, ActionRequest(ActionKind.UNHIDE, reply["id"], key="u"))
    assert shown(sandbox, reply["id"])["hidden"] is False
    assert CONNECTOR.capabilities[ActionKind.HIDE].verify == ""
    with pytest.raises(ActionRejected, match="does not say whether a reply is hidden"):
        CONNECTOR.observe(channel, ActionKind.HIDE, reply["id"])


def test_hiding_outside_the_accounts_conversations_is_refused(channel, sandbox) -> None:
    theirs = post(sandbox, "42", "Mon fil")
    reply = post(sandbox, "42", "suite", in_reply_to_tweet_id=theirs["id"])
    with pytest.raises(ActionRejected, match="403 Forbidden"):
        CONNECTOR.perform(channel, ActionRequest(ActionKind.HIDE, reply["id"], key="h"))


def test_delete_our_own_post_reads_back_gone_and_others_are_refused(channel, sandbox) -> None:
    ours = post(sandbox, ACCOUNT, "Erreur de frappe")
    theirs = post(sandbox, "42", "Le leur")

    CONNECTOR.perform(channel, ActionRequest(ActionKind.DELETE, ours["id"], key="d"))

    assert shown(sandbox, ours["id"])["deleted"] is True
    assert CONNECTOR.observe(channel, ActionKind.DELETE, ours["id"]) == Observed.GONE
    with pytest.raises(ActionRejected, match="not allowed to delete"):
        CONNECTOR.perform(channel, ActionRequest(ActionKind.DELETE, theirs["id"], key="d2"))


def test_a_reply_deleted_on_x_reads_back_gone(channel, sandbox) -> None:
    mention = post(sandbox, "42", "@BelgiumMFA ?", mentions=[ACCOUNT])
    done = CONNECTOR.perform(
        channel, ActionRequest(ActionKind.REPLY, mention["id"], key="k", text="Réponse")
    )
    requests.delete(
        f"{sandbox.url}/x/tweets/{done.object_id}",
        timeout=5,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert CONNECTOR.observe(channel, ActionKind.REPLY, done.object_id) == Observed.GONE


def test_429_waits_until_the_announced_reset(channel, sandbox) -> None:
    forced = sandbox_x.too_many_requests(reset_in=600)
    sandbox.fail_next("/x/tweets", forced.status, forced.body, forced.headers)

    with pytest.raises(RateLimited) as limit:
        CONNECTOR.perform(channel, ActionRequest(ActionKind.REPLY, "1", key="k", text="t"))

    assert int(limit.value.retry_at.timestamp()) == int(forced.headers["x-rate-limit-reset"])


def test_an_invalid_token_is_a_final_refusal_without_the_token(channel, sandbox) -> None:
    channel.access_token = "revoked-token"
    channel.save()
    with pytest.raises(ActionRejected) as refusal:
        CONNECTOR.perform(channel, ActionRequest(ActionKind.HIDE, "1", key="h"))
    assert "401 Unauthorized" in str(refusal.value)
    assert "revoked-token" not in str(refusal.value)


def test_a_poll_refused_for_credentials_backs_off(channel, sandbox) -> None:
    channel.access_token = "revoked-token"
    channel.save()
    assert channel_poll(channel.pk) == 0
    state = PollState.objects.get(channel=channel)
    assert state.consecutive_failures == 1
    assert "401" in state.last_error
    assert "revoked-token" not in state.last_error


# -- Account Activity webhook -------------------------------------------------------------


def hook_url(channel: Channel) -> str:
    return reverse("channels:hook-x", args=[channel.webhook_id])


def test_the_crc_check_answers_with_the_hmac_of_the_token(channel) -> None:
    response = Client().get(hook_url(channel), {"crc_token": "9b4507b3-9040-4669"})

    expected = base64.b64encode(
        hmac.new(TEST_SECRET.encode(), b"9b4507b3-9040-4669", hashlib.sha256).digest()
    ).decode()
    assert response.status_code == 200
    assert response.json() == {"response_token": f"sha256={expected}"}


def test_a_crc_check_without_a_token_is_refused(channel) -> None:
    assert Client().get(hook_url(channel)).status_code == 403


def test_the_crc_check_never_signs_a_json_body(channel) -> None:
    """Its answer is the HMAC a delivery's signature is checked against: signing a forged
    body through it must be impossible."""
    forged = '{"for_user_id":"1","tweet_create_events":[{"id_str":"9","text":"x"}]}'
    assert Client().get(hook_url(channel), {"crc_token": forged}).status_code == 403


def test_a_signed_delivery_is_stored_and_becomes_items(channel, sandbox) -> None:
    ours = post(sandbox, ACCOUNT, "Annonce")
    reply = post(sandbox, "42", "Merci !", in_reply_to_tweet_id=ours["id"])
    own = post(sandbox, ACCOUNT, "Avec plaisir", in_reply_to_tweet_id=reply["id"])
    deliveries = []
    for tweet in (reply, own):
        built = requests.post(
            f"{sandbox.url}/_sandbox/x/webhook",
            timeout=5,
            json={
                "for_user_id": ACCOUNT,
                "tweet_id": tweet["id"],
                "consumer_secret": TEST_SECRET,
            },
        ).json()
        deliveries.append(
            Client().post(
                hook_url(channel),
                built["body"],
                content_type="application/json",
                headers={"x-twitter-webhooks-signature": built["signature"]},
            )
        )

    assert [d.status_code for d in deliveries] == [200, 200]
    process_all()
    events = {e.external_id: e for e in events_of(channel)}
    assert (events[reply["id"]].kind, events[reply["id"]].own) == ("reply", False)
    assert events[reply["id"]].author_handle == "@jan"
    assert events[reply["id"]].parent_external_id == ours["id"]
    assert events[own["id"]].own is True
    assert Item.objects.get(channel=channel, external_id=reply["id"]).text == "Merci !"


def test_a_delivery_with_a_bad_signature_stores_nothing(channel, sandbox) -> None:
    built = requests.post(
        f"{sandbox.url}/_sandbox/x/webhook",
        timeout=5,
        json={
            "for_user_id": ACCOUNT,
            "tweet_id": post(sandbox, "42", "x")["id"],
            "consumer_secret": "someone-elses-secret",
        },
    ).json()

    response = Client().post(
        hook_url(channel),
        built["body"],
        content_type="application/json",
        headers={"x-twitter-webhooks-signature": built["signature"]},
    )

    assert response.status_code == 403
    assert not InboundDelivery.objects.filter(channel=channel).exists()


def test_a_deletion_event_removes_the_item(channel) -> None:
    parsed = CONNECTOR.parse(
        {
            "for_user_id": ACCOUNT,
            "tweet_delete_events": [
                {"status": {"id": "123", "user_id": "42"}, "timestamp_ms": "1700000000000"}
            ],
        }
    )
    assert [(e.external_id, e.verb) for e in parsed] == [("123", "remove")]


def test_an_unknown_payload_is_refused_with_a_reason() -> None:
    from channels.connectors.base import PayloadError

    with pytest.raises(PayloadError, match="for_user_id"):
        CONNECTOR.parse({"something": "else"})
