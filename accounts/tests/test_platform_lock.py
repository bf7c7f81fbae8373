"""The platform's lock (``User.is_active``, set by platform staff) and an institution's
memberships are two states: nothing an institution admin does lifts the lock."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Role, User
from accounts.services import members as member_services
from accounts.tests.factories import TEST_PASSWORD, member

pytestmark = pytest.mark.django_db


def lock(user: User) -> None:
    """What a superuser does in Django admin: untick "active"."""
    user.is_active = False
    user.save(update_fields=["is_active"])


def test_reactivating_a_membership_never_lifts_a_platform_lock(
    defence, defence_admin, defence_communicator
) -> None:
    admin = Client()
    admin.force_login(defence_admin)
    kwargs = {"institution_slug": "defence", "user_id": defence_communicator.public_id}
    admin.post(reverse("accounts:member-deactivate", kwargs=kwargs))
    lock(defence_communicator)
    admin.post(reverse("accounts:member-reactivate", kwargs=kwargs))
    defence_communicator.refresh_from_db()
    assert defence_communicator.is_active is False
    assert Membership.objects.get(user=defence_communicator, institution=defence).is_active
    attempt = Client().post(
        reverse("account_login"), {"login": defence_communicator.email, "password": TEST_PASSWORD}
    )
    assert attempt.url == reverse("account_inactive")


def test_a_locked_member_reactivated_while_still_a_member_stays_locked(
    defence, defence_admin, defence_communicator
) -> None:
    lock(defence_communicator)
    member_services.member_reactivate(
        institution=defence, actor=defence_admin, user=defence_communicator
    )
    defence_communicator.refresh_from_db()
    assert defence_communicator.is_active is False


def test_accepting_an_invitation_never_lifts_a_platform_lock(
    defence, police, defence_admin, django_capture_on_commit_callbacks
) -> None:
    locked = member(police, Role.COMMUNICATOR)
    lock(locked)
    invitation = member_services.invitation_create(
        institution=defence, actor=defence_admin, email=locked.email, roles=[Role.COMMUNICATOR]
    )
    member_services.invitation_accept(invitation=invitation, user=locked)
    locked.refresh_from_db()
    assert locked.is_active is False


def test_a_member_without_any_role_left_is_turned_away_until_reactivated(
    defence, defence_admin, defence_communicator
) -> None:
    member_services.member_deactivate(
        institution=defence, actor=defence_admin, user=defence_communicator
    )
    credentials = {"login": defence_communicator.email, "password": TEST_PASSWORD}
    assert Client().post(reverse("account_login"), credentials).url == reverse("account_inactive")
    member_services.member_reactivate(
        institution=defence, actor=defence_admin, user=defence_communicator
    )
    client = Client()
    assert client.post(reverse("account_login"), credentials).url == "/"
    assert client.get("/i/defence/").status_code == 200


def test_someone_without_a_role_left_signs_in_to_accept_a_new_invitation(
    defence, defence_admin, defence_communicator
) -> None:
    member_services.member_deactivate(
        institution=defence, actor=defence_admin, user=defence_communicator
    )
    member_services.invitation_create(
        institution=defence,
        actor=defence_admin,
        email=defence_communicator.email,
        roles=[Role.CHARTER_EDITOR],
    )
    client = Client()
    credentials = {"login": defence_communicator.email, "password": TEST_PASSWORD}
    assert client.post(reverse("account_login"), credentials).url == "/"
    assert client.get("/").status_code == 200
