"""Web Push end to end: a device subscribes like a browser (its own ECDH key pair and auth
secret), GovSocial encrypts and signs each message, the sandbox's push service receives it over
HTTP and the test decrypts it with the device's private key (RFC 8291) and checks the VAPID
token (RFC 8292) with the server's public key."""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import http_ece
import pytest
import requests
import time_machine
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import PushDelivery, PushSubscription, Role, User
from accounts.services.notifications import NewNotification, notification_send, notifications_insert
from accounts.services.push import (
    DeviceKeys,
    Outcome,
    in_quiet_hours,
    push_deliver,
    push_fanout,
    push_subscribe,
    push_test,
)
from accounts.tests.factories import MembershipFactory
from accounts.vapid import public_key_b64
from devtools.platform_sandbox import push_service
from devtools.platform_sandbox.server import build, running
from govsocial.celery import app
from moderation.services.assignment import duty_set


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """What a browser holds for one subscription: its key pair and authentication secret."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls, service_url: str, token: str) -> Device:
        return cls(
            f"{service_url}/push/{token}", ec.generate_private_key(ec.SECP256R1()), os.urandom(16)
        )

    @property
    def token(self) -> str:
        return self.endpoint.rsplit("/", 1)[1]

    def to_json(self) -> dict[str, Any]:
        """As ``PushSubscription.toJSON()`` in the browser."""
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }

    def keys(self) -> DeviceKeys:
        data = self.to_json()
        return DeviceKeys(self.endpoint, data["keys"]["p256dh"], data["keys"]["auth"])

    def read(self, message: dict[str, str]) -> dict[str, str]:
        """Decrypt a message as the browser does; fails unless encrypted for this device."""
        body = unb64url(message["body"])
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def vapid_claims(authorization: str) -> dict[str, Any]:
    """Check ``vapid t=<JWT>,k=<key>`` independently of the signing library: the key is the
    server's, the ES256 signature verifies with it; returns the claims."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    parts = dict(part.split("=", 1) for part in params.split(","))
    assert parts["k"] == public_key_b64()
    header, claims, signature = parts["t"].split(".")
    assert json.loads(unb64url(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64url(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    public.verify(
        encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:])),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    return json.loads(unb64url(claims))


@pytest.fixture
def vapid(settings, tmp_path: Path) -> Path:
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    settings.WEBPUSH_VAPID_KEY_FILE = tmp_path / "vapid.pem"
    call_command("push_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return settings.WEBPUSH_VAPID_KEY_FILE


@pytest.fixture
def service(settings, vapid) -> Iterator[Any]:
    with running(build([push_service])) as sandbox:
        settings.WEBPUSH_EXTRA_ENDPOINTS = [f"{sandbox.url}/push/"]
        yield sandbox


@pytest.fixture
def eager() -> Iterator[None]:
    """Tasks run in the test's process when enqueued (the on-commit hooks included)."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def messages(sandbox: Any) -> list[dict[str, str]]:
    return requests.get(f"{sandbox.url}/_sandbox/push/messages", timeout=5).json()["messages"]


def subscribed(user: User, sandbox: Any, name: str = "phone") -> Device:
    device = Device.new(sandbox.url, name)
    push_subscribe(user=user, keys=device.keys(), label="Phone")
    return device


def urgent_notice(user: User, institution: Any) -> Any:
    return notification_send(
        recipient=user,
        institution=institution,
        kind="keyword.urgent",
        subject="Urgent: %(term)s",
        params={"term": "bom"},
        url="/i/defence/moderation/items/1/",
        dedupe_key="keyword:1:1",
        email=False,
    )


def test_push_keys_is_idempotent_and_private(vapid: Path) -> None:
    first = public_key_b64()
    call_command("push_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert public_key_b64() == first
    assert stat.S_IMODE(vapid.stat().st_mode) == 0o600


def test_an_urgent_hit_reaches_the_device_of_someone_on_duty_encrypted_and_signed(
    service, eager, defence, defence_communicator, django_capture_on_commit_callbacks, settings
) -> None:
    defence_communicator.preferred_language = "nl"
    defence_communicator.save()
    duty_set(institution=defence, user=defence_communicator, on_duty=True)
    device = subscribed(defence_communicator, service)
    with django_capture_on_commit_callbacks(execute=True):
        urgent_notice(defence_communicator, defence)
    [message] = messages(service)
    assert (message["content_encoding"], message["urgency"]) == ("aes128gcm", "high")
    assert int(message["ttl"]) == settings.WEBPUSH_TTL
    claims = vapid_claims(message["authorization"])
    assert claims["aud"] == service.url
    assert claims["sub"] == settings.WEBPUSH_SUBJECT
    assert 0 < claims["exp"] - timezone.now().timestamp() <= 24 * 3600
    shown = device.read(message)
    assert shown["title"] == f"{defence.name_nl}: Urgent: bom"  # the recipient's language
    assert shown["url"] == f"{settings.SITE_URL}/i/defence/moderation/items/1/"
    assert shown["lang"] == "nl"
    delivery = PushDelivery.objects.get()
    assert delivery.status == PushDelivery.Status.SENT
    assert PushSubscription.objects.get().last_success_at is not None


def test_a_message_for_one_device_cannot_be_read_with_another_devices_keys(
    service, defence, defence_communicator
) -> None:
    subscribed(defence_communicator, service)
    push_test(user=defence_communicator)
    push_deliver(PushDelivery.objects.get().pk)
    stranger = Device.new(service.url, "other")
    with pytest.raises(Exception):  # noqa: B017, PT011 (http_ece raises cryptography's InvalidTag)
        stranger.read(messages(service)[0])


def test_deadline_notices_from_the_bulk_insert_push_too(
    service, eager, defence, defence_communicator, django_capture_on_commit_callbacks
) -> None:
    duty_set(institution=defence, user=defence_communicator, on_duty=True)
    device = subscribed(defence_communicator, service)
    row = NewNotification(
        recipient_id=defence_communicator.pk,
        institution_id=defence.pk,
        kind="deadline.breach",
        subject="Answer deadline missed: Facebook · Jan",
        body="Late by 1 hour.",
        url="/i/defence/moderation/items/9/",
        dedupe_key="deadline:item:9:breach:1",
        email_status="",
        created_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_insert([row]) == 1
        assert notifications_insert([row]) == 0  # the same notice again: nothing new to push
    [message] = messages(service)
    assert device.read(message)["body"] == "Late by 1 hour."


def test_no_push_to_someone_off_duty(service, defence, defence_communicator) -> None:
    subscribed(defence_communicator, service)
    notice = urgent_notice(defence_communicator, defence)
    assert push_fanout([notice.pk]) == 0
    duty_set(institution=defence, user=defence_communicator, on_duty=True)
    duty_set(institution=defence, user=defence_communicator, on_duty=False)
    assert push_fanout([notice.pk]) == 0
    assert PushDelivery.objects.count() == 0
    assert messages(service) == []


def test_on_duty_in_another_institution_is_not_on_duty_here(
    service, defence, police, defence_communicator
) -> None:
    MembershipFactory(institution=police, user=defence_communicator, role=Role.COMMUNICATOR)
    duty_set(institution=police, user=defence_communicator, on_duty=True)
    subscribed(defence_communicator, service)
    assert push_fanout([urgent_notice(defence_communicator, defence).pk]) == 0


def test_quiet_hours_hold_pushes_back_even_on_duty(service, defence, defence_communicator) -> None:
    duty_set(institution=defence, user=defence_communicator, on_duty=True)
    subscribed(defence_communicator, service)
    defence_communicator.push_quiet_start, defence_communicator.push_quiet_end = time(22), time(7)
    defence_communicator.save()
    notice = urgent_notice(defence_communicator, defence)
    night = datetime(2026, 1, 14, 2, 30, tzinfo=UTC)  # 03:30 in Brussels
    with time_machine.travel(night, tick=False):
        assert push_fanout([notice.pk]) == 0
    morning = datetime(2026, 1, 14, 6, 30, tzinfo=UTC)  # 07:30 in Brussels
    with time_machine.travel(morning, tick=False):  # (the real clock may be in quiet hours)
        assert push_fanout([notice.pk]) == 1
        assert push_fanout([notice.pk]) == 1  # written again, but once per device in the table
    assert PushDelivery.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "end", "moment", "quiet"),
    [
        (time(22), time(7), time(23), True),
        (time(22), time(7), time(6, 59), True),
        (time(22), time(7), time(7), False),
        (time(22), time(7), time(12), False),
        (time(12), time(14), time(13), True),
        (time(12), time(14), time(14), False),
        (None, None, time(3), False),
        (time(8), time(8), time(8), False),
    ],
)
def test_quiet_hours_window(start, end, moment, quiet) -> None:
    assert in_quiet_hours(start, end, moment) is quiet


def test_an_expired_subscription_is_removed(service, defence, defence_communicator) -> None:
    device = subscribed(defence_communicator, service)
    requests.post(f"{service.url}/_sandbox/push/gone/{device.token}", timeout=5)
    push_test(user=defence_communicator)
    delivery = PushDelivery.objects.get()
    assert push_deliver(delivery.pk) is Outcome.GONE
    assert not PushSubscription.objects.exists()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.subscription) == (PushDelivery.Status.GONE, None)


def test_a_busy_push_service_is_retried_and_a_refusal_is_final(
    service, defence, defence_communicator
) -> None:
    subscribed(defence_communicator, service)
    push_test(user=defence_communicator)
    delivery = PushDelivery.objects.get()
    service.fail_next("/push/", 503)
    assert push_deliver(delivery.pk) is Outcome.RETRY
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (PushDelivery.Status.PENDING, 1)
    assert push_deliver(delivery.pk) is Outcome.SENT
    assert push_deliver(delivery.pk) is Outcome.SKIPPED  # sent once, never twice
    push_test(user=defence_communicator)
    refused = PushDelivery.objects.latest("pk")
    service.fail_next("/push/", 400)
    assert push_deliver(refused.pk) is Outcome.FAILED
    refused.refresh_from_db()
    assert refused.status == PushDelivery.Status.FAILED
    assert PushSubscription.objects.exists()


def test_without_a_key_nothing_is_sent(settings, tmp_path, service, defence_communicator) -> None:
    subscribed(defence_communicator, service)
    settings.WEBPUSH_VAPID_KEY_FILE = tmp_path / "none.pem"
    push_test(user=defence_communicator)
    assert push_deliver(PushDelivery.objects.get().pk) is Outcome.FAILED
    assert messages(service) == []


# --- The pages ----------------------------------------------------------------------------------


def csrf_client(user: User) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(reverse("accounts:push-devices"))
    return client, str(page.context["csrf_token"])


def test_a_browser_subscribes_with_the_csrf_token_and_the_page_lists_it(
    service, defence_communicator
) -> None:
    client, token = csrf_client(defence_communicator)
    device = Device.new(service.url, "laptop")
    url = reverse("accounts:push-device-subscribe")
    body = json.dumps({"subscription": device.to_json(), "label": "Firefox on Linux"})
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    answer = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 201
    page = client.get(reverse("accounts:push-devices"))
    assert "Firefox on Linux" in page.content.decode()
    gone = client.post(
        reverse("accounts:push-device-unsubscribe"),
        json.dumps({"endpoint": device.endpoint}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert gone.json() == {"removed": True}
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("subscription", "error"),
    [
        ({"endpoint": "https://evil.example/push/1"}, "no subscription"),
        ("not a dict", "no subscription"),
    ],
)
def test_a_bad_subscription_is_refused_with_a_reason(
    subscription, error, service, client, defence_communicator
) -> None:
    client.force_login(defence_communicator)
    answer = client.post(
        reverse("accounts:push-device-subscribe"),
        json.dumps({"subscription": subscription}),
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert error in answer.json()["error"]


def test_only_the_browsers_push_services_are_accepted(
    service, client, defence_communicator
) -> None:
    """An endpoint is typed by a browser: any other server (the network inside) is refused."""
    client.force_login(defence_communicator)
    url = reverse("accounts:push-device-subscribe")
    for endpoint in (
        "http://169.254.169.254/latest/meta-data",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com.evil.example/fcm/send/x",
        "https://127.0.0.1:6379/",
    ):
        device = Device.new(service.url, "x").to_json() | {"endpoint": endpoint}
        answer = client.post(url, json.dumps({"subscription": device}), "application/json")
        assert answer.status_code == 400, endpoint
        assert "not one GovSocial sends to" in answer.json()["error"]
    broken = Device.new(service.url, "x").to_json()
    broken["keys"]["auth"] = "c2hvcnQ"
    answer = client.post(url, json.dumps({"subscription": broken}), "application/json")
    assert answer.status_code == 400
    good = Device.new(service.url, "x").to_json() | {
        "endpoint": "https://fcm.googleapis.com/fcm/send/abc"
    }
    assert (
        client.post(url, json.dumps({"subscription": good}), "application/json").status_code == 201
    )
    assert client.post(url, b"{not json", "application/json").status_code == 400


def test_someone_elses_device_cannot_be_removed(
    service, client, defence_communicator, police_communicator
) -> None:
    subscribed(defence_communicator, service)
    device = PushSubscription.objects.get()
    client.force_login(police_communicator)
    url = reverse("accounts:push-device-remove", kwargs={"device_id": device.public_id})
    assert client.post(url).status_code == 404
    client.force_login(defence_communicator)
    assert client.post(url).status_code == 302
    assert not PushSubscription.objects.exists()


def test_a_shared_browser_follows_whoever_subscribed_last(
    service, defence_communicator, police_communicator
) -> None:
    device = subscribed(defence_communicator, service)
    push_subscribe(user=police_communicator, keys=device.keys())
    assert PushSubscription.objects.get().user == police_communicator


def test_the_test_button_reaches_every_device(service, client, defence_communicator) -> None:
    phone = subscribed(defence_communicator, service, "phone")
    laptop = subscribed(defence_communicator, service, "laptop")
    client.force_login(defence_communicator)
    answer = client.post(reverse("accounts:push-device-test"), follow=True)
    assert "2 devices" in answer.content.decode()
    for delivery in PushDelivery.objects.all():
        push_deliver(delivery.pk)
    received = {message["token"]: message for message in messages(service)}
    assert phone.read(received["phone"])["title"] == laptop.read(received["laptop"])["title"]


def test_quiet_hours_are_saved_from_the_page_and_half_a_window_is_refused(
    vapid, client, defence_communicator
) -> None:
    client.force_login(defence_communicator)
    url = reverse("accounts:push-devices")
    half = client.post(url, {"start": "22:00", "end": ""})
    assert "Give both times, or neither." in half.content.decode()
    assert client.post(url, {"start": "22:00", "end": "07:00"}).status_code == 302
    defence_communicator.refresh_from_db()
    assert (defence_communicator.push_quiet_start, defence_communicator.push_quiet_end) == (
        time(22),
        time(7),
    )


def test_service_worker_manifest_and_offline_page(client, settings) -> None:
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/"
    assert "no-cache" in worker["Cache-Control"]
    assert "default-src 'self'" in worker["Content-Security-Policy"]
    text = worker.content.decode()
    for event in ('"push"', '"notificationclick"', '"fetch"'):
        assert f"addEventListener({event}" in text
    assert "/offline/" in text
    manifest = client.get(reverse("accounts:web-manifest"))
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert (data["start_url"], data["display"]) == ("/", "standalone")
    static_root = Path(settings.BASE_DIR) / "static"
    for icon in data["icons"]:
        assert (static_root / icon["src"].removeprefix(settings.STATIC_URL)).is_file()
    assert client.get(reverse("accounts:offline")).status_code == 200


def test_unconfigured_server_says_so(settings, tmp_path, client, defence_communicator) -> None:
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    settings.WEBPUSH_VAPID_KEY_FILE = tmp_path / "absent.pem"
    client.force_login(defence_communicator)
    page = client.get(reverse("accounts:push-devices"))
    assert "not configured" in page.content.decode()
    answer = client.post(reverse("accounts:push-device-test"), follow=True)
    assert "not configured" in answer.content.decode()


def test_the_signature_check_would_catch_a_foreign_key(service, defence_communicator) -> None:
    """The VAPID check above can fail: a token signed by another key does not verify."""
    subscribed(defence_communicator, service)
    push_test(user=defence_communicator)
    push_deliver(PushDelivery.objects.get().pk)
    authorization = messages(service)[0]["authorization"]
    forged = authorization.replace("t=", "t=" + "A", 1)
    with pytest.raises((InvalidSignature, ValueError, json.JSONDecodeError, UnicodeDecodeError)):
        vapid_claims(forged)


def test_the_key_can_come_from_the_environment_as_pem_or_raw(vapid: Path, settings) -> None:
    """Production sets WEBPUSH_VAPID_PRIVATE_KEY; either form gives the same public key."""
    from_file = public_key_b64()
    pem = vapid.read_text()
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    raw = b64url(private.private_numbers().private_value.to_bytes(32, "big"))
    settings.WEBPUSH_VAPID_KEY_FILE = vapid.parent / "absent.pem"
    for value in (pem, raw):
        settings.WEBPUSH_VAPID_PRIVATE_KEY = value
        assert public_key_b64() == from_file


def test_the_task_retries_a_busy_push_service_and_sends_once(
    service, eager, defence_communicator
) -> None:
    from accounts.tasks import push_deliver_task

    device = subscribed(defence_communicator, service)
    push_test(user=defence_communicator)  # enqueued on commit: not run (the test's transaction)
    delivery = PushDelivery.objects.get()
    service.fail_next("/push/", 503)
    push_deliver_task.delay(delivery.pk)  # eager: the retry runs at once
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (PushDelivery.Status.SENT, 2)
    assert len(service.calls_to("POST", "/push/")) == 2
    assert device.read(messages(service)[0])["title"]


def test_the_sweeper_sends_what_a_lost_task_left_pending(
    service, eager, defence_communicator
) -> None:
    from accounts.services.push import push_deliveries_sweep

    subscribed(defence_communicator, service)
    push_test(user=defence_communicator)
    push_test(user=defence_communicator)
    fresh, stale = PushDelivery.objects.order_by("pk")
    now = timezone.now()
    PushDelivery.objects.filter(pk=fresh.pk).update(created_at=now - timedelta(minutes=5))
    PushDelivery.objects.filter(pk=stale.pk).update(created_at=now - timedelta(hours=5))
    assert push_deliveries_sweep(now) == 1  # the stale one is past WEBPUSH_TTL: not worth it
    fresh.refresh_from_db()
    assert fresh.status == PushDelivery.Status.SENT
    assert len(messages(service)) == 1
