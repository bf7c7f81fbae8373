"""Meta ingest end to end: the sandbox delivers signed webhooks to the real endpoint (a live
server); visitors' comments and messages become items, the page's own replies and message
echoes are recorded as the institution's own, never as work to answer."""

from __future__ import annotations

import pytest

from channels.connectors.actions import ActionKind, ActionRequest
from channels.connectors.registry import CONNECTORS
from channels.models import InboundDelivery
from channels.tests.test_hooks import process_all
from channels.tests.test_meta_connectors import (
    IG_ACCOUNT,
    PAGE,
    TOKEN,
    comment,
    control,
    meta_channel,
)
from moderation.models import Item, ItemStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(defence, platform_sandbox, live_server):
    return hooked_channel(defence, platform_sandbox, live_server, "facebook", PAGE)


def hooked_channel(institution, sandbox, live_server, platform: str, page_id: str):
    """A channel whose page the sandbox delivers to the live server's webhook endpoint."""
    channel = meta_channel(institution, sandbox, platform, page_id)
    control(sandbox, "pages", platform=platform, page_id=page_id, token=TOKEN,
            webhook_url=f"{live_server.url}/hooks/meta/{channel.webhook_id}/",
            secret="test-signing-secret", username="selor_be")  # fmt: skip
    return channel


def delivered(sandbox) -> list:
    return [d["status"] for d in sandbox.data["meta"]["deliveries"]]


def test_a_comment_arrives_and_our_reply_comes_back_as_our_own(page, platform_sandbox) -> None:
    target = comment(platform_sandbox, page)
    CONNECTORS["facebook"].perform(
        page, ActionRequest(ActionKind.REPLY, target, key="k", text="Op 12 januari.")
    )
    assert delivered(platform_sandbox) == [200, 200]
    process_all()
    visitor = Item.objects.get(external_id=target)
    assert (visitor.status, visitor.kind) == (ItemStatus.OPEN, "comment")
    reply = Item.objects.get(parent_external_id=target)
    assert (reply.status, reply.text, reply.assigned_to) == (ItemStatus.OWN, "Op 12 januari.", None)
    assert not Item.objects.awaiting_first_answer().filter(pk=reply.pk).exists()
    assert InboundDelivery.objects.filter(status="processed").count() == 2


def test_a_messenger_message_arrives_and_our_answer_is_an_echo(page, platform_sandbox) -> None:
    sent = control(platform_sandbox, "messages", platform="facebook", page_id=PAGE,
                   text="Bonjour ?", **{"from": "6543210987654321"})  # fmt: skip
    mid = sent["message"]["id"]
    CONNECTORS["facebook"].perform(
        page, ActionRequest(ActionKind.PRIVATE_REPLY, mid, key="k", text="Bonjour !")
    )
    process_all()
    asked = Item.objects.get(external_id=mid)
    assert (asked.kind, asked.status, asked.author_handle) == (
        "direct_message",
        ItemStatus.OPEN,
        "6543210987654321",
    )
    answer = Item.objects.exclude(pk=asked.pk).get()
    assert (answer.status, answer.parent_external_id) == (ItemStatus.OWN, asked.parent_external_id)


def test_instagram_comments_and_messages_are_kept(defence, platform_sandbox, live_server) -> None:
    account = hooked_channel(defence, platform_sandbox, live_server, "instagram", IG_ACCOUNT)
    target = comment(platform_sandbox, account, "Quand ouvre la sélection ?")
    control(platform_sandbox, "messages", platform="instagram", page_id=IG_ACCOUNT,
            text="Hello?", **{"from": "998877665544332"})  # fmt: skip
    CONNECTORS["instagram"].perform(
        account, ActionRequest(ActionKind.REPLY, target, key="k", text="En janvier.")
    )
    process_all()
    kept = Item.objects.filter(status=ItemStatus.OPEN).order_by("kind")
    assert [(i.kind, i.channel_id) for i in kept] == [
        ("comment", account.pk),
        ("direct_message", account.pk),
    ]
    assert Item.objects.get(status=ItemStatus.OWN).parent_external_id == target


def test_a_delivery_signed_with_another_secret_is_refused(page, platform_sandbox) -> None:
    control(platform_sandbox, "pages", platform="facebook", page_id=PAGE,
            webhook_url=platform_sandbox.data["meta"]["pages"][PAGE]["webhook_url"],
            secret="not-the-channels-secret")  # fmt: skip
    comment(platform_sandbox, page)
    assert delivered(platform_sandbox) == [403]
    assert not InboundDelivery.objects.exists()
