"""The public complaint form: submission, confirmation, honeypot, time trap, rate limits."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.test import Client

from accounts.models import OutgoingEmail
from complaints.models import Case, Complainant
from complaints.public_form import SALT
from complaints.tests.factories import builtin

pytestmark = pytest.mark.django_db
URL = "/complaints/defence/new/"


def started(seconds_ago: float = 30) -> str:
    return signing.dumps(time.time() - seconds_ago, salt=SALT)


def form(**overrides: object) -> dict[str, object]:
    data = {
        "name": "Marie Lambert",
        "email": "marie@example.be",
        "postal_address": "",
        "phone": "",
        "category": builtin("information_error").pk,
        "subject": "Mauvaise date sur le site",
        "description": "La date limite d'inscription affichée est fausse.",
        "language": "fr",
        "website": "",
        "started": started(),
    }
    return {**data, **overrides}


def test_the_form_speaks_the_visitors_language(client: Client, defence) -> None:
    page = client.get(URL, headers={"Accept-Language": "nl"}).content.decode()
    assert 'lang="nl"' in page
    assert "Defensie" in page
    assert 'name="started"' in page
    assert 'name="website"' in page


def test_a_complaint_is_registered_confirmed_and_shown_to_officers(
    client: Client, defence, defence_officer
) -> None:
    response = client.post(URL, form())
    assert response.status_code == 302
    assert response.url == "/complaints/defence/sent/"
    case = Case.objects.get()
    assert (case.source, case.language) == ("web_form", "fr")
    assert case.timeline.get().actor is None
    assert Complainant.objects.get(case=case).email == "marie@example.be"
    sent = client.get(response.url).content.decode()
    assert case.reference in sent
    mail = OutgoingEmail.objects.get()
    assert mail.to_address == "marie@example.be"
    assert case.reference in mail.subject
    assert "Votre plainte" in mail.subject
    officer = Client()
    officer.force_login(defence_officer)
    assert case.reference in officer.get("/i/defence/complaints/").content.decode()


def test_an_answer_by_letter_needs_no_email(client: Client, defence) -> None:
    response = client.post(URL, form(email="", postal_address="Rue de la Loi 1, 1000 Bruxelles"))
    assert response.status_code == 302
    assert not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "", "postal_address": ""}, "Give an e-mail address or a postal address"),
        ({"website": "http://spam.example"}, "Please check your complaint"),
        ({"started": lambda: started(seconds_ago=0)}, "Please check your complaint"),
        ({"started": "forged"}, "This form has expired"),
        ({"started": started(seconds_ago=3 * 24 * 3600)}, "This form has expired"),
        ({"description": "", "subject": ""}, "This field is required."),
        ({"category": "999999"}, "Select a valid choice"),
    ],
)
def test_refusals_explain_and_store_nothing(client: Client, defence, overrides, message) -> None:
    # Time stamps are made when the test runs, not when it is collected.
    values = {key: value() if callable(value) else value for key, value in overrides.items()}
    response = client.post(URL, form(**values))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_a_refused_form_comes_back_with_a_fresh_time_stamp(client: Client, defence) -> None:
    response = client.post(URL, form(started="forged", subject=""))
    assert 'value="forged"' not in response.content.decode()
    assert "Mauvaise date" not in response.content.decode()  # subject was blanked on purpose
    assert "La date limite" in response.content.decode()  # the rest of the text is kept


def test_too_many_complaints_from_one_address(client: Client, defence) -> None:
    for n in range(5):
        assert client.post(URL, form(subject=f"Plainte {n}")).status_code == 302
    response = client.post(URL, form(subject="Plainte 6"))
    assert response.status_code == 429
    assert "Too many complaints" in response.content.decode()
    assert Case.objects.count() == 5
    other_address = Client(REMOTE_ADDR="192.0.2.7")
    assert other_address.post(URL, form(subject="Ailleurs")).status_code == 302


def test_the_sent_page_without_a_complaint_goes_back_to_the_form(client: Client, defence) -> None:
    response = client.get("/complaints/defence/sent/")
    assert response.status_code == 302
    assert response.url == URL


def test_an_unknown_institution_is_404(client: Client) -> None:
    assert client.get("/complaints/nowhere/new/").status_code == 404


def test_refused_posts_do_not_close_the_form_for_everyone(
    client: Client, defence, monkeypatch: pytest.MonkeyPatch
) -> None:
    from complaints.views import public

    monkeypatch.setattr(public, "PER_INSTITUTION", (2, 3600))
    for n in range(8):  # blocked by the address limit after five
        client.post(URL, form(subject="", description=f"invalid {n}"))
    robot = Client(REMOTE_ADDR="192.0.2.8")
    for _n in range(4):
        robot.post(URL, form(website="http://spam.example"))
    honest = Client(REMOTE_ADDR="192.0.2.9")
    assert honest.post(URL, form(subject="Première")).status_code == 302
    assert honest.post(URL, form(subject="Deuxième")).status_code == 302
    assert Case.objects.count() == 2


def test_accepted_complaints_fill_the_institution_bucket(
    defence, monkeypatch: pytest.MonkeyPatch
) -> None:
    from complaints.views import public

    monkeypatch.setattr(public, "PER_INSTITUTION", (2, 3600))
    for n in range(2):
        assert Client(REMOTE_ADDR=f"192.0.2.{n + 10}").post(URL, form()).status_code == 302
    response = Client(REMOTE_ADDR="192.0.2.20").post(URL, form(subject="Trop"))
    assert response.status_code == 429
    assert "unusual number of complaints" in response.content.decode()
    assert "Trop" in response.content.decode()  # the text is kept to send later
    assert Case.objects.count() == 2


def test_the_automatic_acknowledgement_repeats_nothing_typed_in_the_form(
    client: Client, defence
) -> None:
    # Anyone may type anyone's address: the mail must carry nothing of the sender's choosing.
    spam = "Gagnez 1000 EUR sur http://arnaque.example"
    response = client.post(
        URL, form(name=spam, subject=spam, description=spam, email="victim@example.be")
    )
    assert response.status_code == 302
    case = Case.objects.get()
    mail = OutgoingEmail.objects.get()
    assert mail.to_address == "victim@example.be"
    assert "arnaque" not in f"{mail.subject} {mail.body_text}"
    assert "Gagnez" not in f"{mail.subject} {mail.body_text}"
    assert case.reference in mail.subject
    assert case.reference in mail.body_text
    assert case.due_at.astimezone(defence.zone).strftime("%d/%m/%Y") in mail.body_text
