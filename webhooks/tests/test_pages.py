"""The admins' pages: subscriptions, the secret, deliveries and redelivery; other tenants 404."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import member
from conftest import enrol_totp
from webhooks.demo import seed_webhooks
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


def test_an_admin_subscribes_and_sees_the_secret_to_verify_deliveries(
    client: Client, settings, defence, defence_admin
) -> None:
    client.force_login(defence_admin)
    response = client.post(
        "/i/defence/webhooks/new/",
        {
            "url": "https://194.78.0.1/hooks",
            "events": ["case.created", "item.decided"],
            "description": "Ticketing",
            "is_active": "on",
        },
    )
    subscription = Subscription.objects.get()
    assert response.status_code == 302
    assert subscription.events == ["case.created", "item.decided"]
    assert subscription.created_by == defence_admin
    assert subscription.secret not in subscription.secret_encrypted
    page = client.get(response["Location"]).content.decode()
    assert subscription.secret in page
    old = subscription.secret
    client.post(f"/i/defence/webhooks/{subscription.pk}/rotate-secret/")
    subscription.refresh_from_db()
    assert subscription.secret != old
    assert subscription.history.first().history_change_reason == "secret rotated"


def test_deliveries_show_their_answers_and_can_be_sent_again(
    client: Client, defence, defence_admin
) -> None:
    seed_webhooks()
    delivery = Delivery.objects.get(institution=defence)
    client.force_login(defence_admin)
    listing = client.get("/i/defence/webhooks/deliveries/?status=failed").content.decode()
    assert "case.created" in listing
    assert "HTTP 503" in listing
    detail = client.get(f"/i/defence/webhooks/deliveries/{delivery.pk}/").content.decode()
    assert "Service Unavailable" in detail
    response = client.post(f"/i/defence/webhooks/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.redeliver_by == defence_admin


def test_another_institution_s_admin_gets_404_everywhere(
    client: Client, defence, police, defence_admin
) -> None:
    seed_webhooks()
    subscription = Subscription.objects.get(institution=defence)
    delivery = Delivery.objects.get(institution=defence)
    outsider = member(police, Role.INSTITUTION_ADMIN)
    enrol_totp(outsider)
    client.force_login(outsider)
    base = "/i/police/webhooks"  # the outsider's own institution, the defence rows' ids
    assert client.get(f"{base}/{subscription.pk}/").status_code == 404
    assert client.get(f"{base}/deliveries/{delivery.pk}/").status_code == 404
    assert client.post(f"{base}/deliveries/{delivery.pk}/redeliver/").status_code == 404
    assert client.post(f"{base}/{subscription.pk}/rotate-secret/").status_code == 404
    own = client.get(f"{base}/deliveries/").content.decode()
    assert f"/deliveries/{delivery.pk}/" not in own
    delivery.refresh_from_db()
    assert delivery.redeliver_by is None
