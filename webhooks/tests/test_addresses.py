"""Private, loopback and link-local targets are refused when a subscription is saved and again
at every delivery (a public name may later resolve inward: DNS rebinding)."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.test import Client

from govsocial.addresses import AddressRefused
from webhooks.models import Attempt, Delivery, Event, Subscription
from webhooks.services import address_check, delivery_attempt
from webhooks.tests.receiver import receiver
from webhooks.tests.test_delivery import subscribe

pytestmark = pytest.mark.django_db

INTERNAL = [
    "https://127.0.0.1/hook",
    "https://localhost/hook",  # a name, resolved to loopback
    "https://[::1]/hook",
    "https://10.1.2.3/hook",
    "https://192.168.1.10/hook",
    "https://172.16.0.1/hook",
    "https://169.254.169.254/latest/meta-data",  # link-local: cloud metadata
    "https://[fe80::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",  # IPv6-mapped loopback
    "https://[::ffff:10.0.0.1]/hook",  # IPv6-mapped private
]


@pytest.mark.parametrize("url", INTERNAL)
def test_an_internal_target_is_refused_by_the_form(
    url: str, client: Client, defence, defence_admin
) -> None:
    client.force_login(defence_admin)
    response = client.post(
        "/i/defence/webhooks/new/", {"url": url, "events": ["case.created"], "is_active": "on"}
    )
    assert response.status_code == 200
    assert "private, loopback or link-local" in response.content.decode()
    assert not Subscription.objects.exists()


def test_loopback_written_as_one_number_is_refused() -> None:
    """The form's URL validation refuses it first; the address check refuses it too."""
    with pytest.raises(AddressRefused, match="private, loopback or link-local"):
        address_check("https://2130706433/hook")  # 127.0.0.1


def test_plain_http_is_refused(client: Client, defence, defence_admin) -> None:
    client.force_login(defence_admin)
    response = client.post(
        "/i/defence/webhooks/new/",
        {"url": "http://194.78.0.1/hook", "events": ["case.created"], "is_active": "on"},
    )
    assert "Give an https address" in response.content.decode()


def test_a_subscription_whose_name_turns_to_loopback_is_refused_at_delivery(
    settings, defence, defence_admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saved while public, delivered after the name was pointed at the receiver on loopback:
    nothing reaches it. (Only the resolver answers are replaced: the receiver is real.)"""
    with receiver() as running:
        port = running.url.split(":")[2].split("/")[0]
        subscription = subscribe(
            defence, defence_admin, f"http://hooks.example.org:{port}/x", Event.CASE_CREATED
        )
        real = socket.getaddrinfo

        def rebound(host: str, *args: Any, **kwargs: Any) -> Any:
            return real("127.0.0.1" if host == "hooks.example.org" else host, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebound)
        from complaints.tests.factories import register

        register(defence)
        attempt = delivery_attempt(Delivery.objects.get(subscription=subscription).pk)
        assert attempt is not None
        assert attempt.status_code is None
        assert "private, loopback or link-local" in attempt.error
        assert running.requests == []
        # The setting for tests and development lets the same delivery through.
        settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
        Delivery.objects.update(next_attempt_at=attempt.started_at)
        assert delivery_attempt(Delivery.objects.get().pk).status_code == 200  # type: ignore[union-attr]
        assert len(running.requests) == 1
    assert Attempt.objects.count() == 2
