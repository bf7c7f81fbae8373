"""Login, logout, password reset, rate limits and MFA (mandatory for platform staff, admins and
complaint officers), through allauth."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, OutgoingEmail, Role
from accounts.services.notifications import email_deliver
from accounts.tests.factories import TEST_PASSWORD, member
from conftest import DEMO_TOTP_SECRET, enrol_totp, totp_code

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")


def login(client: Client, email: str, password: str = TEST_PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def test_login_with_email_and_password_then_logout(client: Client, defence_communicator) -> None:
    response = login(client, defence_communicator.email)
    assert response.status_code == 302
    assert response.url == "/"
    assert int(client.session["_auth_user_id"]) == defence_communicator.pk
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_login_email_is_case_insensitive(client: Client, defence_communicator) -> None:
    assert login(client, defence_communicator.email.upper()).status_code == 302


def test_wrong_password_is_refused_with_a_message(client: Client, defence_communicator) -> None:
    response = login(client, defence_communicator.email, "not the password at all")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "not correct" in response.content.decode()


def test_sixth_failed_attempt_is_rate_limited(client: Client, defence_communicator) -> None:
    for _ in range(5):
        login(client, defence_communicator.email, "wrong-password-123")
    response = login(client, defence_communicator.email)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_django_admin_login_is_behind_allauth(client: Client) -> None:
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_public_sign_up_is_closed(client: Client) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "stranger@example.be", "password1": "a long passphrase 42", "password2": "x"},
    )
    assert "Sign Up Closed" in response.content.decode()
    from accounts.models import User

    assert not User.objects.filter(email="stranger@example.be").exists()


def test_password_reset_by_email_link(client: Client, defence_communicator) -> None:
    client.post(reverse("account_reset_password"), {"email": defence_communicator.email})
    outgoing = OutgoingEmail.objects.get(to_address=defence_communicator.email)
    assert email_deliver(outgoing.pk) is True
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body)
    assert link is not None
    path = link.group(0).split("testserver", 1)[-1].split("localhost", 1)[-1]
    form_page = client.get(path, follow=True)
    new_password = "a brand new passphrase 2026"
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    client.logout()
    assert login(client, defence_communicator.email, new_password).status_code == 302


def test_short_or_contextual_passwords_are_refused(client: Client, defence, defence_admin) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short", "govsocial2026", "Defensie123!"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("x" * 64)
    validate_password("correct horse battery staple " * 7)


class TestMandatoryMFA:
    PRODUCT_URLS = ("/", "/i/defence/", "/i/defence/members/", "/notifications/", "/profile/")

    def test_admin_without_mfa_is_sent_to_enrol_on_every_product_url(
        self, client: Client, defence
    ) -> None:
        admin = member(defence, Role.INSTITUTION_ADMIN)
        client.force_login(admin)
        for url in self.PRODUCT_URLS:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url == reverse("mfa_index"), url
        assert client.get(reverse("mfa_index")).status_code == 200
        assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)

    def test_superuser_without_mfa_is_sent_to_enrol(self, client: Client) -> None:
        from accounts.models import User

        root = User.objects.create_superuser("root@example.be", "a long passphrase 4242")
        client.force_login(root)
        assert client.get("/admin/").url == reverse("mfa_index")

    def test_complaint_officer_without_mfa_is_sent_to_enrol(self, client: Client, defence) -> None:
        """Complaint officers see complainants' personal data: held to MFA like admins."""
        officer = member(defence, Role.COMPLAINT_OFFICER)
        client.force_login(officer)
        for url in ("/", "/i/defence/", "/i/defence/complaints/"):
            assert client.get(url).url == reverse("mfa_index"), url
        enrol_totp(officer)
        assert client.get("/i/defence/complaints/").status_code == 200

    def test_staff_user_without_mfa_is_sent_to_enrol(self, client: Client, defence) -> None:
        staff = member(defence, Role.COMMUNICATOR, is_staff=True)
        client.force_login(staff)
        assert client.get("/i/defence/").url == reverse("mfa_index")

    def test_a_former_officer_is_no_longer_held_to_mfa(self, client: Client, defence) -> None:
        both = member(defence, Role.COMMUNICATOR, Role.COMPLAINT_OFFICER)
        Membership.objects.filter(user=both, role=Role.COMPLAINT_OFFICER).update(is_active=False)
        client.force_login(both)
        assert client.get("/i/defence/").status_code == 200

    def test_enrolled_admin_and_other_roles_are_not_redirected(
        self, client: Client, defence_admin, defence_communicator
    ) -> None:
        for user in (defence_admin, defence_communicator):
            client.force_login(user)
            assert client.get("/").status_code == 200

    def test_admin_signs_in_with_a_totp_code(self, client: Client, defence_admin) -> None:
        first = login(client, defence_admin.email)
        assert first.status_code == 302
        assert first.url == reverse("mfa_authenticate")
        assert "_auth_user_id" not in client.session
        second = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
        assert second.status_code == 302
        assert int(client.session["_auth_user_id"]) == defence_admin.pk

    def test_a_wrong_code_is_refused(self, client: Client, defence_admin) -> None:
        login(client, defence_admin.email)
        response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    def test_a_used_code_cannot_be_replayed(self, defence_admin) -> None:
        code = totp_code(DEMO_TOTP_SECRET)
        first, second = Client(), Client()
        login(first, defence_admin.email)
        assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
        login(second, defence_admin.email)
        replay = second.post(reverse("mfa_authenticate"), {"code": code})
        assert replay.status_code == 200
        assert "_auth_user_id" not in second.session

    def test_removing_the_second_factor_ends_other_sessions(self, defence) -> None:
        user = member(defence, Role.COMMUNICATOR)
        enrol_totp(user)
        other = Client()
        login(other, user.email)
        other.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
        assert other.get("/").status_code == 200
        actor = Client()
        actor.force_login(user)
        actor.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
        response = actor.post(reverse("mfa_deactivate_totp"))
        assert response.status_code == 302
        assert other.get("/").status_code == 302, "the other session was ended"
        assert actor.get("/").status_code == 200, "the current session stays"

    def test_trusting_a_browser_is_disabled(self, settings) -> None:
        assert settings.MFA_TRUST_ENABLED is False
        assert settings.MFA_TOTP_TOLERANCE == 0
