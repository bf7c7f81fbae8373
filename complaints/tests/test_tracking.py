"""The complainant's private tracking link: issued with the acknowledgement, rotated on request,
closed by erasure, showing the progress and letters and nothing about officers."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import OutgoingEmail
from complaints.models import EventKind, TimelineEvent, TrackingLink
from complaints.services import cases, letters
from complaints.services.personal_data import anonymise_expired, complainant_erase
from complaints.services.tracking import (
    TrackingError,
    Via,
    token_hash,
    tracking_find,
    tracking_issue,
    tracking_send,
)
from complaints.tests.factories import register

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^\s]+/complaints/defence/track/([^/\s]+)/([^/\s]+)/")


def acknowledge_by_email(case, officer) -> str:
    """Send the default acknowledgement by e-mail; returns the link the complainant received."""
    subject, body = letters.letter_render(case, "acknowledgement")
    draft = letters.letter_prepare(
        case=case, kind="acknowledgement", channel="email", subject=subject, body=body
    )
    letters.letter_send(
        case=case,
        actor=officer,
        kind="acknowledgement",
        channel="email",
        subject=subject,
        body=body,
        previewed=draft.fingerprint,
    )
    mail = OutgoingEmail.objects.filter(to_address="anne@example.be").latest("pk")
    match = LINK.search(mail.body_text)
    assert match is not None, mail.body_text
    return match.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_default_acknowledgement_carries_the_link_and_the_preview_shows_where(
    defence, defence_officer
) -> None:
    case = register(defence)
    _subject, body = letters.letter_render(case, "acknowledgement")
    assert "{tracking_link}" in body  # the preview shows where the link goes
    assert body.startswith("Bonjour Anne Dupont,")  # the existing translation still applies
    assert letters.placeholders_left(body) == []
    url = acknowledge_by_email(case, defence_officer)
    assert f"/track/{case.reference}/" in url
    link = TrackingLink.objects.get(case=case)
    token = LINK.search(url).group(2)
    assert link.token_hash == token_hash(token)
    assert token not in str(list(TimelineEvent.objects.values_list("data", flat=True)))
    kept = case.correspondence.get()
    assert "{tracking_link}" in kept.body
    assert token not in kept.body


def test_the_tracking_page_shows_progress_holds_and_letters_but_no_officer(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence, actor=defence_officer)
    url = acknowledge_by_email(case, defence_officer)
    cases.case_start(case=case, actor=defence_officer)
    cases.case_hold(case=case, actor=defence_officer, reason="Nous attendons votre facture")
    letters.note_add(case=case, author=defence_officer, text="Secret interne")
    response = client.get(path_of(url))
    assert response.status_code == 200
    page = response.content.decode()
    assert case.reference in page
    assert "Nous attendons votre facture" in page  # the hold and its reason
    assert "Votre plainte" in page  # the acknowledgement's subject, in French
    assert "{tracking_link}" not in page  # the letter says where the link was
    assert str(defence_officer) not in page
    assert defence_officer.email not in page
    assert "Secret interne" not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert '<html lang="fr"' in page


def test_the_visitors_own_language_choice_wins(client: Client, defence, defence_officer) -> None:
    from django.conf import settings

    case = register(defence)  # in French
    url = acknowledge_by_email(case, defence_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    page = client.get(path_of(url)).content.decode()
    assert '<html lang="nl"' in page


def test_wrong_token_wrong_reference_other_institution_and_no_link_all_give_the_same_404(
    client: Client, defence, police, defence_officer
) -> None:
    case = register(defence)
    other = register(defence)
    url = acknowledge_by_email(case, defence_officer)
    reference, token = LINK.search(url).groups()
    for path in (
        f"/complaints/defence/track/{reference}/{token[:-1]}x/",
        f"/complaints/defence/track/{other.reference}/{token}/",
        f"/complaints/defence/track/NOPE-2026-00001/{token}/",
        f"/complaints/{police.slug}/track/{reference}/{token}/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert [t.name for t in response.templates][:1] == ["404.html"]


def test_the_complainant_rotates_the_link_the_old_one_dies_and_the_new_one_is_emailed(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence)
    old = acknowledge_by_email(case, defence_officer)
    response = client.post(path_of(old) + "new-link/")
    assert response.status_code == 200
    assert client.get(path_of(old)).status_code == 404
    mail = OutgoingEmail.objects.filter(to_address="anne@example.be").latest("pk")
    new = LINK.search(mail.body_text).group(0)
    assert new != old
    assert mail.about == case.about_key  # erasure deletes it with the others
    assert client.get(path_of(new)).status_code == 200
    issued = TimelineEvent.objects.filter(case=case, kind=EventKind.TRACKING_LINK_ISSUED)
    assert [event.data["via"] for event in issued] == [Via.LETTER, Via.COMPLAINANT]
    assert issued.last().actor is None


def test_renewals_are_limited_per_case(client: Client, defence, defence_officer) -> None:
    case = register(defence)
    url = acknowledge_by_email(case, defence_officer)
    for _ in range(3):
        client.post(path_of(url) + "new-link/")
        url = LINK.search(OutgoingEmail.objects.latest("pk").body_text).group(0)
    response = client.post(path_of(url) + "new-link/")
    assert response.status_code == 429
    assert client.get(path_of(url)).status_code == 200  # refused: the link still works


def test_lookups_are_rate_limited_per_address(client: Client, defence, defence_officer) -> None:
    case = register(defence)
    url = acknowledge_by_email(case, defence_officer)
    for _ in range(60):
        client.get(f"/complaints/defence/track/{case.reference}/guess/")
    response = client.get(path_of(url))
    assert response.status_code == 429
    assert "Too many" in response.content.decode()
    assert "Letters we sent you" not in response.content.decode()


def test_without_an_email_address_the_complainant_cannot_ask_but_an_officer_gets_the_link(
    defence, defence_officer
) -> None:
    case = register(defence)
    case.complainant.email = ""
    case.complainant.save()
    with pytest.raises(TrackingError):
        tracking_send(case=case, actor=None, via=Via.COMPLAINANT)
    issued = tracking_send(case=case, actor=defence_officer, via=Via.OFFICER)
    assert issued.emailed_to == ""
    reference, token = LINK.search(issued.url).groups()
    assert tracking_find(institution=defence, reference=reference, token=token) == case


def test_an_officer_rotates_from_the_case_page(client: Client, defence, defence_officer) -> None:
    case = register(defence)
    old = acknowledge_by_email(case, defence_officer)
    client.force_login(defence_officer)
    response = client.post(f"/i/defence/complaints/{case.reference}/tracking-link/", follow=True)
    assert "anne@example.be" in response.content.decode()
    assert Client().get(path_of(old)).status_code == 404
    event = TimelineEvent.objects.filter(kind=EventKind.TRACKING_LINK_ISSUED).last()
    assert event.actor == defence_officer
    assert event.data["via"] == Via.OFFICER


def test_a_printed_acknowledgement_shows_the_link_once_on_its_print_page(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    subject, body = letters.letter_render(case, "acknowledgement")
    compose = f"/i/defence/complaints/{case.reference}/letters/acknowledgement/"
    data = {"subject": subject, "body": body, "channel": "letter"}
    preview = client.post(compose, data)
    assert "becomes the complainant" in preview.content.decode()
    previewed = preview.context["draft"].fingerprint
    printed = client.post(compose, data | {"send": "1", "previewed": previewed}, follow=True)
    match = LINK.search(printed.content.decode())
    assert match is not None
    assert Client().get(path_of(match.group(0))).status_code == 200
    other_session = Client()
    other_session.force_login(defence_officer)
    later = other_session.get(printed.redirect_chain[-1][0])
    assert LINK.search(later.content.decode()) is None  # not kept: a reprint cannot show it
    assert "not kept" in later.content.decode()


def test_the_subject_cannot_carry_the_link(defence) -> None:
    case = register(defence)
    with pytest.raises(letters.LetterError):
        letters.letter_prepare(
            case=case, kind="answer", channel="email", subject="{tracking_link}", body="Text"
        )


def test_erasure_closes_the_link_for_good(client: Client, defence, defence_officer) -> None:
    case = register(defence)
    url = acknowledge_by_email(case, defence_officer)
    complainant_erase(case=case, actor=defence_officer, reason="Request of 3 March")
    assert client.get(path_of(url)).status_code == 404
    link = TrackingLink.objects.get(case=case)
    assert link.token_hash == ""
    assert link.closed_at is not None
    assert TimelineEvent.objects.filter(case=case, kind=EventKind.TRACKING_LINK_CLOSED).exists()
    with pytest.raises(TrackingError):
        tracking_issue(case=case, actor=defence_officer, via=Via.OFFICER)


def test_anonymisation_after_retention_closes_the_link(client: Client, defence, defence_officer):
    import datetime

    from django.utils import timezone

    case = register(defence, received_at=timezone.now() - datetime.timedelta(days=900))
    url = acknowledge_by_email(case, defence_officer)
    cases.case_close(
        case=case,
        actor=defence_officer,
        outcome="founded",
        at=timezone.now() - datetime.timedelta(days=800),
    )
    assert anonymise_expired() == 1
    assert client.get(path_of(url)).status_code == 404
