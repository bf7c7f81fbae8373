"""Member management by institution admins: invite, roles, deactivation, the last admin."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, Membership, OutgoingEmail, Role, User
from accounts.services import members as member_services
from accounts.services.notifications import email_deliver
from accounts.tests.factories import TEST_PASSWORD, member
from conftest import enrol_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(defence_admin) -> Client:
    client = Client()
    client.force_login(defence_admin)
    return client


def invite(admin_client: Client, email: str, *roles: str):
    return admin_client.post(
        reverse("accounts:member-invite", kwargs={"institution_slug": "defence"}),
        {"email": email, "full_name": "Nora Peeters", "roles": list(roles)},
    )


def invitation_link(email: str) -> str:
    outgoing = OutgoingEmail.objects.filter(to_address=email).latest("created_at")
    email_deliver(outgoing.pk)
    body = mail.outbox[-1].body
    return re.search(r"http://\S+/invitations/\S+/", body).group(0).split("8000", 1)[1]


def test_invited_person_sets_a_password_and_joins_with_the_roles(admin_client: Client) -> None:
    response = invite(admin_client, "Nora@Defence.test", Role.COMMUNICATOR, Role.SPOKESPERSON)
    assert response.status_code == 302
    path = invitation_link("nora@defence.test")
    newcomer = Client()
    page = newcomer.get(path)
    assert page.status_code == 200
    assert "nora@defence.test" in page.content.decode()
    password = "a fine long passphrase 77"
    joined = newcomer.post(
        path, {"full_name": "Nora Peeters", "password1": password, "password2": password}
    )
    assert joined.status_code == 302
    user = User.objects.get(email="nora@defence.test")
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    assert roles == {Role.COMMUNICATOR, Role.SPOKESPERSON}
    assert newcomer.get("/i/defence/").status_code == 200
    assert newcomer.get(path).status_code == 404, "the link works once"
    fresh = Client()
    assert (
        fresh.post(
            reverse("account_login"), {"login": "nora@defence.test", "password": password}
        ).status_code
        == 302
    )


def test_invitation_with_a_weak_password_shows_the_reason(admin_client: Client) -> None:
    invite(admin_client, "weak@defence.test", Role.COMMUNICATOR)
    path = invitation_link("weak@defence.test")
    response = Client().post(path, {"full_name": "W", "password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="weak@defence.test").exists()


def test_inviting_without_a_role_is_refused_with_a_message(admin_client: Client) -> None:
    response = invite(admin_client, "norole@defence.test")
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_points_to_role_change(
    admin_client: Client, defence_communicator
) -> None:
    response = invite(admin_client, defence_communicator.email, Role.CHARTER_EDITOR)
    assert "already a member" in response.content.decode()


def test_existing_account_accepts_after_signing_in(
    admin_client: Client, police_communicator
) -> None:
    invite(admin_client, police_communicator.email, Role.COMMUNICATOR)
    path = invitation_link(police_communicator.email)
    client = Client()
    assert "Sign in" in client.get(path).content.decode()
    client.force_login(police_communicator)
    assert client.post(path).status_code == 302
    assert client.get("/i/defence/").status_code == 200
    assert client.get("/i/federal-police/").status_code == 200


def test_a_revoked_invitation_no_longer_works(admin_client: Client, defence) -> None:
    invite(admin_client, "late@defence.test", Role.COMMUNICATOR)
    path = invitation_link("late@defence.test")
    invitation = Invitation.objects.get(email="late@defence.test")
    admin_client.post(
        reverse(
            "accounts:invitation-revoke",
            kwargs={"institution_slug": "defence", "invitation_id": invitation.public_id},
        )
    )
    assert Client().get(path).status_code == 404


def test_admin_changes_roles_and_history_records_who(
    admin_client: Client, defence, defence_admin, defence_communicator
) -> None:
    url = reverse(
        "accounts:member-edit",
        kwargs={"institution_slug": "defence", "user_id": defence_communicator.public_id},
    )
    response = admin_client.post(url, {"roles": [Role.CHARTER_EDITOR, Role.COMPLAINT_OFFICER]})
    assert response.status_code == 302
    roles = set(Membership.objects.filter(user=defence_communicator).values_list("role", flat=True))
    assert roles == {Role.CHARTER_EDITOR, Role.COMPLAINT_OFFICER}
    history = Membership.history.filter(user_id=defence_communicator.pk)
    assert {h.history_type for h in history} == {"+", "-"}
    assert history.filter(history_type="-").get().history_user == defence_admin


def test_the_last_admin_cannot_drop_their_admin_role(admin_client: Client, defence_admin) -> None:
    url = reverse(
        "accounts:member-edit",
        kwargs={"institution_slug": "defence", "user_id": defence_admin.public_id},
    )
    response = admin_client.post(url, {"roles": [Role.COMMUNICATOR]})
    assert response.status_code == 200
    assert "last administrator" in response.content.decode()
    assert Membership.objects.admins().filter(user=defence_admin).exists()


def test_the_last_admin_cannot_be_deactivated(defence, defence_admin) -> None:
    second = member(defence, Role.INSTITUTION_ADMIN)
    enrol_totp(second)
    member_services.member_deactivate(institution=defence, actor=second, user=defence_admin)
    with pytest.raises(Exception, match="last administrator"):
        member_services.member_deactivate(institution=defence, actor=defence_admin, user=second)
    assert Membership.objects.for_institution(defence).admins().count() == 1


def test_an_admin_cannot_deactivate_themselves(admin_client: Client, defence_admin) -> None:
    url = reverse(
        "accounts:member-deactivate",
        kwargs={"institution_slug": "defence", "user_id": defence_admin.public_id},
    )
    response = admin_client.post(url, follow=True)
    assert "cannot deactivate yourself" in response.content.decode()


def test_deactivation_locks_the_member_out_on_the_next_request(
    admin_client: Client, defence_communicator, django_capture_on_commit_callbacks
) -> None:
    session = Client()
    session.force_login(defence_communicator)
    assert session.get("/i/defence/").status_code == 200
    url = reverse(
        "accounts:member-deactivate",
        kwargs={"institution_slug": "defence", "user_id": defence_communicator.public_id},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url).status_code == 302
    defence_communicator.refresh_from_db()
    assert defence_communicator.is_active is True, "the account is the platform's to lock"
    response = session.get("/i/defence/")
    assert response.status_code == 302, "no membership left anywhere: signed out"
    again = Client()
    attempt = again.post(
        reverse("account_login"), {"login": defence_communicator.email, "password": TEST_PASSWORD}
    )
    assert attempt.url == reverse("account_inactive")
    assert "_auth_user_id" not in again.session


def test_deactivation_in_one_institution_keeps_the_other(
    defence, police, defence_admin, admin_client: Client
) -> None:
    both = member(defence, Role.COMMUNICATOR)
    Membership.objects.create(institution=police, user=both, role=Role.COMMUNICATOR)
    session = Client()
    session.force_login(both)
    admin_client.post(
        reverse(
            "accounts:member-deactivate",
            kwargs={"institution_slug": "defence", "user_id": both.public_id},
        )
    )
    assert session.get("/i/defence/").status_code == 404
    assert session.get("/i/federal-police/").status_code == 200


def test_reactivation_restores_access(admin_client: Client, defence_communicator) -> None:
    kwargs = {"institution_slug": "defence", "user_id": defence_communicator.public_id}
    admin_client.post(reverse("accounts:member-deactivate", kwargs=kwargs))
    admin_client.post(reverse("accounts:member-reactivate", kwargs=kwargs))
    session = Client()
    session.force_login(defence_communicator)
    assert session.get("/i/defence/").status_code == 200


def test_member_list_shows_only_this_institutions_people(
    admin_client: Client, defence_communicator, police_communicator
) -> None:
    page = admin_client.get(reverse("accounts:member-list", kwargs={"institution_slug": "defence"}))
    body = page.content.decode()
    assert defence_communicator.email in body
    assert police_communicator.email not in body
