"""Sessions end after 30 idle minutes (polling is not activity) and after 12 hours anyway."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
POLL = reverse("accounts:notification-unread-count")


def signed_in(client: Client, user) -> Client:
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_polling_alone_does_not_keep_an_idle_session_alive(
    client: Client, defence_communicator
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        signed_in(client, defence_communicator)
        for _ in range(6):
            traveller.shift(timedelta(minutes=5))
            assert client.get(POLL).status_code == 200
        traveller.shift(timedelta(minutes=1, seconds=1))
        response = client.get("/")
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
        assert "_auth_user_id" not in client.session


def test_an_expired_poll_asks_htmx_to_go_to_the_login_page(
    client: Client, defence_communicator
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        signed_in(client, defence_communicator)
        traveller.shift(timedelta(minutes=31))
        response = client.get(POLL, headers={"HX-Request": "true"})
        assert response.headers["HX-Redirect"] == reverse("account_login")


def test_activity_keeps_the_session_alive_until_twelve_hours(
    client: Client, defence_communicator
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        signed_in(client, defence_communicator)
        for _ in range(12 * 3):
            traveller.shift(timedelta(minutes=20))
            assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=1))
        assert client.get("/").status_code == 302


def test_a_new_session_key_is_issued_at_login(client: Client, defence_communicator) -> None:
    client.get(reverse("account_login"))
    before = client.session.session_key
    signed_in(client, defence_communicator)
    assert client.session.session_key != before
