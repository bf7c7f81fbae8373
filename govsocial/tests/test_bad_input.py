"""Any input to any form answers with a page or a 4xx, never a 500 (NUL, bad UTF-8, huge text)."""

from __future__ import annotations

import itertools
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import OutgoingEmail, Role, User
from accounts.services.members import invitation_create

NASTY_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["\x00", "a\x00b", "‮RTL", "😀" * 50, "x" * 100_000, " ", ""]),
)
GOOD_PASSWORD = "a fine long passphrase 77"
INVITEES = itertools.count()
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def post_is_handled(client: Client, url: str, data: dict[str, object]) -> None:
    response = client.post(url, data)
    assert response.status_code < 500, (url, data)


@pytest.mark.django_db
@FUZZ
@given(email=NASTY_TEXT, name=NASTY_TEXT, roles=st.lists(NASTY_TEXT | st.sampled_from(Role.values)))
def test_invite_form(
    client: Client, defence_admin, email: str, name: str, roles: list[str]
) -> None:
    client.force_login(defence_admin)
    url = reverse("accounts:member-invite", kwargs={"institution_slug": "defence"})
    post_is_handled(client, url, {"email": email, "full_name": name, "roles": roles})


@pytest.mark.django_db
@FUZZ
@given(
    values=st.dictionaries(
        st.sampled_from(
            [
                "name_fr",
                "name_nl",
                "name_en",
                "time_zone",
                "default_language",
                "social_response_hours",
                "crisis_response_hours",
                "complaint_response_days",
                "warning_share_percent",
                "hold_suspends_complaint_clock",
                "item_retention_months",
            ]
        ),
        NASTY_TEXT | st.integers(-(10**12), 10**12).map(str),
    )
)
def test_institution_settings_form(client: Client, defence_admin, values: dict[str, str]) -> None:
    client.force_login(defence_admin)
    url = reverse("accounts:institution-settings", kwargs={"institution_slug": "defence"})
    post_is_handled(client, url, values)


@pytest.mark.django_db
@FUZZ
@given(name=NASTY_TEXT, language=NASTY_TEXT, spoken=st.lists(NASTY_TEXT))
def test_profile_and_language_forms(
    client: Client, defence_communicator, name: str, language: str, spoken: list[str]
) -> None:
    client.force_login(defence_communicator)
    post_is_handled(
        client,
        reverse("accounts:profile-edit"),
        {"full_name": name, "preferred_language": language, "spoken_languages": spoken},
    )
    post_is_handled(client, reverse("accounts:language-set"), {"language": language, "next": name})


@pytest.mark.django_db
@FUZZ
@given(token=st.text(min_size=1, max_size=200).filter(lambda t: "/" not in t), name=NASTY_TEXT)
def test_invitation_accept_with_a_wrong_token(
    client: Client, defence, token: str, name: str
) -> None:
    url = f"/invitations/{defence.slug}/{quote(token, safe='')}/"
    response = client.post(url, {"full_name": name, "password1": name, "password2": name})
    assert response.status_code == 404


@pytest.mark.django_db
@FUZZ
@given(
    name=NASTY_TEXT | st.just("Nora Janssens"),
    password=NASTY_TEXT | st.just(GOOD_PASSWORD),
    confirmation=NASTY_TEXT | st.just(GOOD_PASSWORD),
)
@example(name=" Nora Janssens ", password=GOOD_PASSWORD, confirmation=GOOD_PASSWORD)
@example(name="Nora", password=GOOD_PASSWORD, confirmation=GOOD_PASSWORD + "x")
def test_invitation_accept_form(
    client: Client, defence, defence_admin, name: str, password: str, confirmation: str
) -> None:
    """A valid invitation, so the form itself is fuzzed: a page with errors and nothing stored,
    or the newcomer joins with the name they typed."""
    email = f"invitee-{next(INVITEES)}@defence.test"
    invitation = invitation_create(
        institution=defence, actor=defence_admin, email=email, roles=[Role.COMMUNICATOR]
    )
    body = OutgoingEmail.objects.filter(to_address=email).latest("created_at").body_text
    url = re.search(r"/invitations/[^/\s]+/[^/\s]+/", body).group(0)
    client.logout()

    response = client.post(
        url, {"full_name": name, "password1": password, "password2": confirmation}
    )

    invitation.refresh_from_db()
    if response.status_code == 302:
        joined = User.objects.get(email=email)
        assert joined.full_name == name.strip()
        assert joined.check_password(password)
        assert invitation.accepted_at is not None
    else:
        assert response.status_code == 200, (name, password, confirmation)
        assert "is-invalid" in response.content.decode()
        assert not User.objects.filter(email=email).exists()
        assert invitation.accepted_at is None


@pytest.mark.django_db
def test_invalid_utf8_on_the_wire_is_not_a_500(client: Client, defence_admin) -> None:
    """A lone surrogate cannot be encoded by a client; its raw bytes can still arrive."""
    client.force_login(defence_admin)
    url = reverse("accounts:member-invite", kwargs={"institution_slug": "defence"})
    body = b"email=%ED%A0%80%FF&full_name=%C3%28&roles=communicator"
    response = client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500


@pytest.mark.django_db
@FUZZ
@given(
    title=NASTY_TEXT,
    body=NASTY_TEXT,
    number=NASTY_TEXT | st.integers(-5, 5000).map(str),
    order=NASTY_TEXT,
    slug=NASTY_TEXT,
    audience=NASTY_TEXT,
)
def test_charter_forms(
    client: Client,
    defence,
    defence_admin,
    title: str,
    body: str,
    number: str,
    order: str,
    slug: str,
    audience: str,
) -> None:
    from charter.models import Charter
    from charter.tests.factories import published_charter

    if not Charter.objects.filter(slug="house-rules").exists():
        published_charter(defence, defence_admin, draft=True)
    client.force_login(defence_admin)
    base = "/i/defence/charters/"
    post_is_handled(client, f"{base}new/", {"audience": audience, "title": title, "slug": slug})
    post_is_handled(
        client,
        f"{base}house-rules/draft/",
        {
            "action": "save",
            "title_fr": title,
            "body_fr": body,
            "rules-TOTAL_FORMS": "1",
            "rules-INITIAL_FORMS": "0",
            "rules-0-number": number,
            "rules-0-ORDER": order,
            "rules-0-title_fr": title,
            "rules-0-text_fr": body,
        },
    )
    post_is_handled(client, f"{base}house-rules/draft/publish/", {"change_summary": body})
    post_is_handled(client, f"{base}preview/", {"field": slug, slug: body})
    assert (
        client.get(
            f"/charters/defence/house-rules/?v={quote_param(number)}&lang={order[:5]}"
        ).status_code
        < 500
    )


def quote_param(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


COMPLAINT_FIELDS = (
    "name", "email", "postal_address", "phone", "category", "subject", "description",
    "language", "website", "started", "source", "received_at", "is_staff_member",
)  # fmt: skip


@pytest.mark.django_db
@FUZZ
@given(values=st.dictionaries(st.sampled_from(COMPLAINT_FIELDS), NASTY_TEXT))
def test_complaint_forms(client: Client, defence, defence_officer, values: dict[str, str]) -> None:
    from complaints.tests.factories import register

    post_is_handled(Client(), "/complaints/defence/new/", values)
    client.force_login(defence_officer)
    post_is_handled(client, "/i/defence/complaints/new/", values)
    case = register(defence)
    for action in ("hold", "close", "reopen", "answer"):
        post_is_handled(
            client,
            f"/i/defence/complaints/{case.reference}/{action}/",
            {"reason": values.get("subject", ""), "outcome": values.get("name", "")},
        )
    assert client.get("/i/defence/complaints/", {"q": values.get("subject", "")}).status_code == 200
