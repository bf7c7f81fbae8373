"""The user is loaded with their memberships in one query (accounts.auth_backends), and nothing
of it outlives the request: a withdrawn role or a deactivated account counts at once."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Membership, Role, User
from accounts.tests.factories import TEST_PASSWORD, member

pytestmark = pytest.mark.django_db
QUEUE = "/i/defence/queue/"


def test_a_sign_in_through_the_form_uses_the_loading_backend(
    client: Client, defence_communicator: User
) -> None:
    client.post(
        "/accounts/login/", {"login": defence_communicator.email, "password": TEST_PASSWORD}
    )
    assert client.session["_auth_user_backend"].startswith("accounts.auth_backends.")
    assert client.get(QUEUE).status_code == 200


def test_the_user_and_their_memberships_are_one_query(
    client: Client, defence, defence_communicator: User, django_assert_num_queries
) -> None:
    other = member(defence, Role.SPOKESPERSON, email="other@defence.test")
    Membership.objects.create(
        institution=defence, user=defence_communicator, role=Role.SPOKESPERSON, is_active=False
    )
    client.force_login(defence_communicator)
    client.get("/notifications/unread-count/")  # the count cached
    with django_assert_num_queries(1) as captured:
        assert client.get("/notifications/unread-count/").status_code == 200
    assert "accounts_membership" in captured.captured_queries[0]["sql"]
    assert other.pk != defence_communicator.pk


def test_a_withdrawn_role_counts_on_the_next_request(
    client: Client, defence, defence_communicator: User
) -> None:
    client.force_login(defence_communicator)
    assert client.get(QUEUE).status_code == 200
    Membership.objects.filter(user=defence_communicator).update(is_active=False)
    assert client.get(QUEUE).status_code in (302, 404)
    assert "_auth_user_id" not in client.session  # no active role left: signed out


def test_an_inactive_membership_gives_no_access(client: Client, defence, police) -> None:
    user = member(defence, Role.COMMUNICATOR, email="two@defence.test")
    Membership.objects.create(
        institution=police, user=user, role=Role.COMMUNICATOR, is_active=False
    )
    client.force_login(user)
    assert client.get(QUEUE).status_code == 200
    assert client.get("/i/federal-police/queue/").status_code == 404


def test_a_deactivated_account_is_signed_out(client: Client, defence_communicator: User) -> None:
    client.force_login(defence_communicator)
    assert client.get(QUEUE).status_code == 200
    User.objects.filter(pk=defence_communicator.pk).update(is_active=False)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_someone_without_any_membership_is_still_loaded(client: Client) -> None:
    staff = User.objects.create_superuser(email="root@govsocial.test", password=TEST_PASSWORD)
    client.force_login(staff)
    assert int(client.session["_auth_user_id"]) == staff.pk
    response = client.get("/notifications/unread-count/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/")  # signed in: asked to enrol a second factor
