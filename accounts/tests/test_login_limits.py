"""Sign-in limits through allauth's own limiter on the real cache (Redis): a team behind one
address gets in, password guessing does not (issue 21)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import TEST_PASSWORD, member

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
TOO_MANY = "Too many failed login attempts"


def sign_in(email: str, password: str = TEST_PASSWORD, address: str = "198.51.100.7") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.response = client.post(LOGIN, {"login": email, "password": password})  # type: ignore[attr-defined]
    return client


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_team_of_thirty_signs_in_through_one_address_within_a_minute_typos_included(
    defence,
) -> None:
    """allauth's default (30 sign-in forms a minute per address) refused the 31st form: with
    ten people mistyping once, ten of the team were turned away with a 429."""
    team = [member(defence, Role.COMMUNICATOR) for _ in range(30)]
    for person in team[:10]:
        assert not signed_in(sign_in(person.email, "a mistyped password"))
    clients = [sign_in(person.email) for person in team]
    assert [client.response.status_code for client in clients] == [302] * 30  # type: ignore[attr-defined]
    assert all(signed_in(client) for client in clients)


def test_the_sixth_wrong_password_for_one_account_is_refused_from_any_address(
    defence_communicator,
) -> None:
    email = defence_communicator.email
    for n in range(5):
        refused = sign_in(email, "wrong-password-123", address=f"203.0.113.{n}")
        assert TOO_MANY not in refused.response.content.decode()  # type: ignore[attr-defined]
    sixth = sign_in(email, address="203.0.113.99")  # even with the right password
    assert not signed_in(sixth)
    assert TOO_MANY in sixth.response.content.decode()  # type: ignore[attr-defined]


def test_guessing_many_accounts_from_one_address_is_limited(defence) -> None:
    people = [member(defence, Role.COMMUNICATOR) for _ in range(31)]
    for person in people[:30]:
        sign_in(person.email, "password-spraying-1", address="192.0.2.66")
    spraying = sign_in(people[30].email, "password-spraying-1", address="192.0.2.66")
    assert TOO_MANY in spraying.response.content.decode()  # type: ignore[attr-defined]
    elsewhere = sign_in(people[30].email, address="192.0.2.67")
    assert signed_in(elsewhere)


def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(settings, defence) -> None:
    """With ``TRUSTED_PROXY_COUNT=1`` the address is the last hop of ``X-Forwarded-For`` (the one
    our proxy added), never one the client chose, and not the proxy's own."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    people = [member(defence, Role.COMMUNICATOR) for _ in range(31)]
    for person in people[:30]:
        client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.66")
        client.post(LOGIN, {"login": person.email, "password": "password-spraying-1"})
    spoofing = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="5.6.7.8, 192.0.2.66")
    refused = spoofing.post(LOGIN, {"login": people[30].email, "password": TEST_PASSWORD})
    assert TOO_MANY in refused.content.decode()
    colleague = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.77")
    colleague.post(LOGIN, {"login": people[30].email, "password": TEST_PASSWORD})
    assert "_auth_user_id" in colleague.session
