"""Webhooks: handshake, signatures, durable storage, idempotent processing, limits, failures."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.models import Channel, InboundDelivery
from channels.services.deliveries import deliveries_drain, deliveries_sweep, delivery_process
from channels.tests.factories import TEST_SECRET, TEST_VERIFY_TOKEN, ChannelFactory
from moderation.models import Item, ItemRevision

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes().strip()


def meta_signature(body: bytes, secret: str = TEST_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def generic_headers(body: bytes, stamp: int | None = None, secret: str = TEST_SECRET) -> dict:
    stamp = int(time.time()) if stamp is None else stamp
    digest = hmac.new(secret.encode(), str(stamp).encode() + b"." + body, hashlib.sha256)
    return {
        "X-GovSocial-Timestamp": str(stamp),
        "X-GovSocial-Signature": "sha256=" + digest.hexdigest(),
    }


@pytest.fixture
def channel(defence) -> Channel:
    return ChannelFactory(institution=defence)


def post_meta(client: Client, channel: Channel, body: bytes, signature: str | None = None):
    headers = {"X-Hub-Signature-256": signature if signature is not None else meta_signature(body)}
    return client.post(
        f"/hooks/meta/{channel.webhook_id}/", body, content_type="application/json", headers=headers
    )


def process_all() -> None:
    for delivery_id in InboundDelivery.objects.filter(status="received").values_list(
        "pk", flat=True
    ):
        delivery_process(delivery_id)


class TestMetaHandshake:
    def url(self, channel: Channel) -> str:
        return f"/hooks/meta/{channel.webhook_id}/"

    def test_good_token_echoes_the_challenge(self, client: Client, channel: Channel) -> None:
        response = client.get(
            self.url(channel),
            {
                "hub.mode": "subscribe",
                "hub.verify_token": TEST_VERIFY_TOKEN,
                "hub.challenge": "1158201444",
            },
        )
        assert response.status_code == 200
        assert response.content == b"1158201444"
        assert response["Content-Type"].startswith("text/plain")

    @pytest.mark.parametrize(
        "params",
        [
            {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
            {
                "hub.mode": "unsubscribe",
                "hub.verify_token": TEST_VERIFY_TOKEN,
                "hub.challenge": "1",
            },
            {"hub.mode": "subscribe", "hub.challenge": "1"},
            {
                "hub.mode": "subscribe",
                "hub.verify_token": TEST_VERIFY_TOKEN,
                "hub.challenge": "9" * 129,
            },
            {
                "hub.mode": "subscribe",
                "hub.verify_token": TEST_VERIFY_TOKEN,
                "hub.challenge": "<b>",
            },
        ],
    )
    def test_anything_else_is_403(self, client: Client, channel: Channel, params) -> None:
        assert client.get(self.url(channel), params).status_code == 403

    def test_unknown_channel_is_404(self, client: Client) -> None:
        assert client.get("/hooks/meta/00000000-0000-4000-8000-000000000000/").status_code == 404


class TestMetaDeliveries:
    def test_a_comment_becomes_an_item_due_24_hours_after_it_was_received(
        self, client: Client, channel: Channel
    ) -> None:
        response = post_meta(client, channel, fixture("meta_comment_add.json"))
        assert response.status_code == 200
        delivery = InboundDelivery.objects.get()
        assert bytes(delivery.body) == fixture("meta_comment_add.json")
        assert delivery_process(delivery.pk) is True
        item = Item.objects.get()
        posted = datetime.fromtimestamp(1764057600, tz=UTC)
        assert (item.external_id, item.kind, item.author_name) == (
            "998877_112233",
            "comment",
            "Jan Peeters",
        )
        assert item.text.startswith("Wanneer begint de rekrutering voor 2026? Én")
        assert item.institution == channel.institution
        assert item.posted_at == posted  # a year before: shown, but the clock counts from receipt
        assert item.due_at == item.received_at + timedelta(hours=24)
        assert item.warn_at == item.received_at + timedelta(hours=18)

    def test_the_same_delivery_three_times_makes_one_item(
        self, client: Client, channel: Channel
    ) -> None:
        for _ in range(3):
            assert post_meta(client, channel, fixture("meta_comment_add.json")).status_code == 200
            process_all()
        assert InboundDelivery.objects.get().times_received == 3
        assert Item.objects.count() == 1

    def test_a_batch_of_entries_and_changes(self, client: Client, channel: Channel) -> None:
        post_meta(client, channel, fixture("meta_batch.json"))
        process_all()
        items = {item.external_id: item for item in Item.objects.all()}
        assert set(items) == {"998877_200001", "998877_200002", "104017331234567_555"}
        assert items["998877_200002"].kind == "reply"
        assert items["998877_200002"].parent_external_id == "998877_200001"
        assert items["104017331234567_555"].kind == "post"

    def test_edit_then_remove_keep_our_copy_and_its_revisions(
        self, client: Client, channel: Channel
    ) -> None:
        for name in (
            "meta_comment_add.json",
            "meta_comment_edited.json",
            "meta_comment_remove.json",
        ):
            post_meta(client, channel, fixture(name))
            process_all()
        item = Item.objects.get()
        assert item.text.endswith("Brussel of Gent?")
        assert item.deleted_on_platform_at is not None
        assert ItemRevision.objects.get(item=item).text.startswith("Wanneer begint")

    def test_edit_before_add_ends_with_the_latest_text(
        self, client: Client, channel: Channel
    ) -> None:
        for name in ("meta_comment_edited.json", "meta_comment_add.json"):
            post_meta(client, channel, fixture(name))
            process_all()
        item = Item.objects.get()
        assert item.text.endswith("Brussel of Gent?")
        assert item.posted_at == datetime.fromtimestamp(1764057600, tz=UTC)
        assert item.due_at == item.received_at + timedelta(hours=24)
        assert ItemRevision.objects.filter(item=item).count() == 1

    def test_nul_bytes_are_stripped_and_nothing_is_lost(
        self, client: Client, channel: Channel
    ) -> None:
        body = fixture("meta_comment_add.json").replace(b"Wanneer", b"Wann\\u0000eer")
        assert post_meta(client, channel, body).status_code == 200
        process_all()
        assert Item.objects.get().text.startswith("Wanneer")

    @pytest.mark.parametrize("signature", ["", "sha1=abc", "sha256=zz", "sha256=" + "0" * 64])
    def test_bad_or_missing_signature_is_403_and_stores_nothing(
        self, client: Client, channel: Channel, signature: str
    ) -> None:
        response = post_meta(client, channel, fixture("meta_comment_add.json"), signature)
        assert response.status_code == 403
        assert not InboundDelivery.objects.exists()

    @settings(
        max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
    def test_any_flipped_byte_is_refused(
        self, client: Client, channel: Channel, position: int, flip: int
    ) -> None:
        body = bytearray(fixture("meta_comment_add.json"))
        body[position % len(body)] ^= flip
        response = post_meta(
            client, channel, bytes(body), meta_signature(fixture("meta_comment_add.json"))
        )
        assert response.status_code == 403
        assert not InboundDelivery.objects.exists()

    def test_malformed_json_is_400_with_the_raw_bytes_kept(
        self, client: Client, channel: Channel
    ) -> None:
        body = b'{"object": "page", "entry": [ \xff'
        response = post_meta(client, channel, body)
        assert response.status_code == 400
        assert "UTF-8" in response.json()["error"]
        delivery = InboundDelivery.objects.get()
        assert (delivery.status, bytes(delivery.body)) == ("failed", body)

    def test_an_oversized_body_is_413_before_it_is_read(
        self, client: Client, channel: Channel, settings
    ) -> None:
        settings.WEBHOOK_MAX_BYTES = 1024
        body = b'{"object":"page","entry":[]}' + b" " * 2000
        response = post_meta(client, channel, body)
        assert response.status_code == 413
        assert not InboundDelivery.objects.exists()

    def test_a_body_without_length_is_refused(self, channel: Channel) -> None:
        from django.test import RequestFactory

        from channels.views.hooks import meta_webhook

        request = RequestFactory().post("/", b"{}", content_type="application/json")
        del request.META["CONTENT_LENGTH"]
        assert meta_webhook(request, channel_id=str(channel.webhook_id)).status_code == 411

    def test_a_failed_delivery_is_visible_and_can_be_reprocessed(
        self, client: Client, channel: Channel, defence_admin
    ) -> None:
        body = b'{"object": "page", "entry": ["not an object"]}'
        assert post_meta(client, channel, body).status_code == 400
        delivery = InboundDelivery.objects.get()
        client.force_login(defence_admin)
        page = client.get("/i/defence/channels/deliveries/").content.decode()
        assert "Each entry must be an object." in page
        client.post(f"/i/defence/channels/deliveries/{delivery.pk}/reprocess/")
        delivery.refresh_from_db()
        assert delivery.status == "received"
        delivery_process(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.status == "failed"


class TestGenericDeliveries:
    def body(self, count: int = 2, **extra) -> bytes:
        items = [
            {
                "external_id": f"gen-{n}",
                "text": f"Message {n}",
                "language": "nl",
                "author": {"name": "Lotte"},
                "occurred_at": "2026-11-25T08:00:00Z",
                **extra,
            }
            for n in range(count)
        ]
        return json.dumps({"items": items}).encode()

    def post(self, client: Client, channel: Channel, body: bytes, **headers):
        return client.post(
            f"/hooks/generic/{channel.webhook_id}/",
            body,
            content_type="application/json",
            headers={**generic_headers(body), **headers},
        )

    def test_signed_items_are_stored_and_processed(self, client: Client, channel: Channel) -> None:
        assert self.post(client, channel, self.body()).status_code == 200
        process_all()
        assert sorted(Item.objects.values_list("external_id", "language")) == [
            ("gen-0", "nl"),
            ("gen-1", "nl"),
        ]

    def test_stale_timestamp_is_refused(self, client: Client, channel: Channel) -> None:
        body = self.body()
        response = self.post(
            client, channel, body, **generic_headers(body, stamp=int(time.time()) - 301)
        )
        assert response.status_code == 403
        assert "Stale" in response.json()["error"]
        assert not InboundDelivery.objects.exists()

    def test_an_altered_timestamp_breaks_the_signature(
        self, client: Client, channel: Channel
    ) -> None:
        body = self.body()
        headers = generic_headers(body)
        headers["X-GovSocial-Timestamp"] = str(int(headers["X-GovSocial-Timestamp"]) - 5)
        assert self.post(client, channel, body, **headers).status_code == 403

    def test_more_than_500_items_is_400(self, client: Client, channel: Channel) -> None:
        response = self.post(client, channel, self.body(501))
        assert response.status_code == 400
        assert "At most 500 items" in response.json()["error"]
        assert Item.objects.count() == 0

    def test_missing_language_falls_back_to_the_channels_first(
        self, client: Client, channel: Channel
    ) -> None:
        self.post(client, channel, self.body(1, language=""))
        process_all()
        assert Item.objects.get().language == "fr"


class TestFailures:
    @pytest.mark.usefixtures("broker_down")
    def test_broker_down_still_200_then_the_sweeper_processes_it(
        self, client: Client, channel: Channel, django_capture_on_commit_callbacks, monkeypatch
    ) -> None:
        from channels import tasks

        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = post_meta(client, channel, fixture("meta_comment_add.json"))
        assert response.status_code == 200
        assert time.monotonic() - started < 3
        assert InboundDelivery.objects.get().status == "received"
        monkeypatch.setattr(tasks.deliveries_drain_task, "delay", deliveries_drain)
        assert deliveries_sweep(datetime.now(UTC) + timedelta(minutes=3)) == 1
        assert Item.objects.count() == 1
        assert deliveries_sweep(datetime.now(UTC) + timedelta(minutes=3)) == 0

    def test_two_workers_on_the_same_delivery_apply_it_once(
        self, client: Client, channel: Channel
    ) -> None:
        post_meta(client, channel, fixture("meta_comment_add.json"))
        delivery = InboundDelivery.objects.get()
        assert [delivery_process(delivery.pk), delivery_process(delivery.pk)] == [True, False]
        assert Item.objects.count() == 1


def test_a_deactivated_channel_stops_accepting_within_the_ttl(
    client: Client, channel: Channel, monkeypatch
) -> None:
    from channels.views import hooks

    body = fixture("meta_comment_add.json")
    assert post_meta(client, channel, body).status_code == 200
    Channel.objects.filter(pk=channel.pk).update(is_active=False)
    assert post_meta(client, channel, body).status_code == 200  # remembered for CHANNEL_TTL
    monkeypatch.setattr(hooks, "CHANNEL_TTL", 0.0)
    hooks.recent_channels.clear()
    assert post_meta(client, channel, body).status_code == 404
