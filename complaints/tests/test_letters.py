"""Acknowledgements and answers from templates, e-mail or printed letter; notes; templates."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation

from accounts.models import OutgoingEmail
from complaints.models import Complainant, Correspondence, LetterTemplate, Note
from complaints.services.letters import (
    LetterError,
    letter_prepare,
    letter_render,
    letter_send,
    placeholders_left,
    placeholders_unknown,
)
from complaints.services.personal_data import complainant_erase
from complaints.tests.factories import register

pytestmark = pytest.mark.django_db


def preview_and_send(client: Client, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """Post the letter for its preview, then press Send on the preview with its fingerprint."""
    preview = client.post(url, data)
    assert preview.status_code == 200
    html = preview.content.decode()
    found = re.search(r'name="previewed" value="([0-9a-f]{64})"', html)
    assert found, html
    return client.post(url, data | {"send": "", "previewed": found.group(1)})


def test_the_default_acknowledgement_in_the_case_language(defence) -> None:
    case = register(defence)  # French, Anne Dupont
    subject, body = letter_render(case, "acknowledgement")
    assert subject == f"Votre plainte {case.reference} : accusé de réception"
    assert body.startswith("Bonjour Anne Dupont,")
    assert case.due_at.astimezone(ZoneInfo("Europe/Brussels")).strftime("%d/%m/%Y") in body
    assert "{" not in body.replace("{tracking_link}", "")  # filled when sent (test_tracking)


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
    response = preview_and_send(
        client, url, {"channel": "email", "subject": "Accusé de réception", "body": "Bonjour Anne"}
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
    response = preview_and_send(
        client, url, {"channel": "letter", "subject": "Réponse", "body": "Texte"}
    )
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


ANSWER_URL = "/i/defence/complaints/{reference}/letters/answer/"


@pytest.mark.parametrize("channel", ["email", "letter"])
@pytest.mark.parametrize("kind", ["answer", "acknowledgement"])
def test_a_letter_with_placeholder_text_left_is_never_sent(
    client: Client, defence, defence_officer, channel: str, kind: str
) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    url = f"/i/defence/complaints/{case.reference}/letters/{kind}/"
    with translation.override("fr"):
        subject, body = letter_render(case, "answer")  # the default answer, still to be written
    data = {"channel": channel, "subject": subject, "body": body}
    refused = client.post(url, data).content.decode()
    assert "Replace the template&#x27;s placeholder text before sending" in refused
    assert "[Nos constatations et ce que nous allons faire.]" in refused
    sent = client.post(url, data | {"send": "", "previewed": "0" * 64}).content.decode()
    assert "Replace the template&#x27;s placeholder text" in sent
    assert not Correspondence.objects.exists()
    assert not OutgoingEmail.objects.exists()
    case.refresh_from_db()
    assert case.status == "received"


def test_the_refusal_is_in_the_officers_language(client: Client, defence, defence_officer) -> None:
    defence_officer.preferred_language = "nl"
    defence_officer.save()
    case = register(defence)
    client.force_login(defence_officer)
    page = client.post(
        ANSWER_URL.format(reference=case.reference),
        {"channel": "email", "subject": "Antwoord", "body": "Beste, [Onze bevindingen.]"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    with translation.override("nl"):
        expected = translation.gettext(
            "Replace the template's placeholder text before sending: %(placeholders)s"
        ) % {"placeholders": "[Onze bevindingen.]"}
    assert expected.replace("'", "&#x27;") in page.content.decode()


def test_the_preview_shows_the_exact_e_mail_and_send_sends_exactly_it(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    url = ANSWER_URL.format(reference=case.reference)
    data = {
        "channel": "email",
        "subject": "  Votre plainte   {ref}  ".replace("{ref}", case.reference),
        "body": "Bonjour Anne,\r\n\r\nNous vous présentons nos excuses.\r\n",
    }
    preview = client.post(url, data)
    html = preview.content.decode()
    assert 'data-letter-preview="email"' in html
    assert "anne@example.be" in html
    assert f"Votre plainte {case.reference}<" in html
    assert "Bonjour Anne,\n\nNous vous présentons nos excuses.<" in html
    assert not OutgoingEmail.objects.exists()  # a preview sends nothing
    response = preview_and_send(client, url, data)
    assert response.status_code == 302
    mail = OutgoingEmail.objects.get()
    assert (mail.to_address, mail.subject, mail.body_text) == (
        "anne@example.be",
        f"Votre plainte {case.reference}",
        "Bonjour Anne,\n\nNous vous présentons nos excuses.",
    )
    assert Correspondence.objects.get().body == mail.body_text


def test_a_printed_letter_is_previewed_in_its_printed_layout(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence)
    Complainant.objects.filter(case=case).update(postal_address="Rue Haute 5")
    client.force_login(defence_officer)
    html = client.post(
        ANSWER_URL.format(reference=case.reference),
        {"channel": "letter", "subject": "Réponse", "body": "Texte de la réponse"},
    ).content.decode()
    assert 'data-letter-preview="letter"' in html
    assert "Rue Haute 5" in html
    assert "<p>Texte de la réponse</p>" in html
    assert not Correspondence.objects.exists()


def test_a_letter_changed_after_its_preview_is_not_sent(defence, defence_officer) -> None:
    case = register(defence)
    letter = {"kind": "answer", "channel": "email", "subject": "Réponse", "body": "Texte"}
    previewed = letter_prepare(case=case, **letter).fingerprint
    with pytest.raises(LetterError, match="changed since its preview"):
        letter_send(
            case=case, actor=defence_officer, previewed=previewed, **letter | {"body": "Autre"}
        )
    letter_send(case=case, actor=defence_officer, previewed=previewed, **letter)
    assert OutgoingEmail.objects.get().body_text == "Texte"


def test_the_edit_button_goes_back_to_the_text(client: Client, defence, defence_officer) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    page = client.post(
        ANSWER_URL.format(reference=case.reference),
        {"channel": "email", "subject": "Réponse", "body": "Mon texte", "edit": ""},
    ).content.decode()
    assert "Mon texte</textarea>" in page
    assert "Preview the letter" in page


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("Bonjour Anne, voici notre réponse.", []),
        ("[Our findings and what we will do.]", ["[Our findings and what we will do.]"]),
        ("Dear {name}, see [attachment] and []", ["{name}", "[attachment]"]),
        ("{nmae} and [ ]", []),
    ],
)
def test_placeholders_left(text: str, left: list[str]) -> None:
    assert placeholders_left(text) == left
