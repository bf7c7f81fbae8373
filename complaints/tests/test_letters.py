"""Acknowledgements and answers from templates, e-mail or printed letter; notes; templates."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from accounts.models import OutgoingEmail
from complaints.models import Complainant, Correspondence, LetterTemplate, Note
from complaints.services.letters import letter_render, placeholders_unknown
from complaints.services.personal_data import complainant_erase
from complaints.tests.factories import register

pytestmark = pytest.mark.django_db


def test_the_default_acknowledgement_in_the_case_language(defence) -> None:
    case = register(defence)  # French, Anne Dupont
    subject, body = letter_render(case, "acknowledgement")
    assert subject == f"Votre plainte {case.reference} : accusé de réception"
    assert body.startswith("Bonjour Anne Dupont,")
    assert case.due_at.astimezone(ZoneInfo("Europe/Brussels")).strftime("%d/%m/%Y") in body
    assert "{" not in body


def test_the_institutions_own_wording_wins(defence) -> None:
    LetterTemplate.objects.create(
        institution=defence,
        kind="acknowledgement",
        language="fr",
        subject="Réf. {reference}",
        body="Bonjour {name}, réponse au plus tard le {due_date}. {inconnu}",
    )
    case = register(defence)
    subject, body = letter_render(case, "acknowledgement")
    assert subject == f"Réf. {case.reference}"
    assert body.startswith("Bonjour Anne Dupont, réponse au plus tard le ")
    assert body.endswith("{inconnu}")  # not ours to fill: left as typed


def test_an_emailed_acknowledgement_is_sent_kept_and_recorded(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    url = f"/i/defence/complaints/{case.reference}/letters/acknowledgement/"
    form = client.get(url).content.decode()
    assert "anne@example.be" in form
    response = client.post(
        url, {"channel": "email", "subject": "Accusé de réception", "body": "Bonjour Anne"}
    )
    assert response.status_code == 302
    mail = OutgoingEmail.objects.get(to_address="anne@example.be")
    assert mail.body_text == "Bonjour Anne"
    case.refresh_from_db()
    assert case.status == "acknowledged"
    letter = Correspondence.objects.get(case=case)
    event = case.timeline.get(kind="acknowledged")
    assert event.data == {"channel": "email", "letter_id": letter.pk}


def test_a_printed_answer_opens_the_printable_letter(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence)
    Complainant.objects.filter(case=case).update(email="", postal_address="Rue Haute 5")
    client.force_login(defence_officer)
    url = f"/i/defence/complaints/{case.reference}/letters/answer/"
    refused = client.post(url, {"channel": "email", "subject": "Réponse", "body": "Texte"})
    assert "gave no e-mail address" in refused.content.decode()
    response = client.post(url, {"channel": "letter", "subject": "Réponse", "body": "Texte"})
    letter = Correspondence.objects.get(case=case)
    assert response.url.endswith(f"/letters/sent/{letter.pk}/")
    page = client.get(response.url).content.decode()
    assert "Rue Haute 5" in page
    assert "data-print" in page
    case.refresh_from_db()
    assert case.status == "answered"
    assert not OutgoingEmail.objects.exists()


def test_notes_are_recorded_and_erased_with_the_personal_data(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    client.post(f"/i/defence/complaints/{case.reference}/notes/", {"text": "Called Anne back"})
    note = Note.objects.get(case=case)
    assert case.timeline.get(kind="note_added").data == {"note_id": note.pk}
    page = client.get(f"/i/defence/complaints/{case.reference}/").content.decode()
    assert "Called Anne back" in page
    complainant_erase(case=case, actor=defence_officer, reason="request")
    note.refresh_from_db()
    assert note.text == "—"


@pytest.mark.parametrize(
    ("text", "unknown"),
    [("{reference} {name}", []), ("{nmae}", ["nmae"]), ("{reference", ["{"])],
)
def test_placeholder_check(text: str, unknown: list[str]) -> None:
    assert placeholders_unknown(text) == unknown


def test_editing_a_template(client: Client, defence, defence_officer) -> None:
    client.force_login(defence_officer)
    url = "/i/defence/complaints/templates/answer/nl/"
    prefilled = client.get(url).content.decode()
    assert "Uw klacht {reference}" in prefilled
    refused = client.post(url, {"subject": "Klacht {referentie}", "body": "Beste {name}"})
    assert "Unknown placeholder: referentie." in refused.content.decode()
    client.post(url, {"subject": "Klacht {reference}", "body": "Beste {name}"})
    template = LetterTemplate.objects.get(institution=defence, kind="answer", language="nl")
    assert template.body == "Beste {name}"
    listing = client.get("/i/defence/complaints/templates/").content.decode()
    assert "the institution's own" in listing
