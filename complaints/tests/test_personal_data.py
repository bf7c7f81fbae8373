"""Access and erasure rights, and anonymisation after the retention period."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Notification, OutgoingEmail, Role
from accounts.tests.factories import member
from complaints.models import Case, Complainant
from complaints.services import cases, letters, routing
from complaints.services.evidence import attachment_add
from complaints.services.personal_data import anonymise_expired, complainant_erase
from complaints.tests.factories import register

pytestmark = pytest.mark.django_db


def closed(institution, officer, *, days_ago: int) -> Case:
    case = register(institution, received_at=timezone.now() - timedelta(days=days_ago + 10))
    return cases.case_close(
        case=case,
        actor=officer,
        outcome="unfounded",
        at=timezone.now() - timedelta(days=days_ago),
    )


def test_retention_erases_only_what_is_due(defence, police, defence_officer) -> None:
    defence.complaint_retention_months = 24
    defence.save()
    old = closed(defence, defence_officer, days_ago=740)
    recent = closed(defence, defence_officer, days_ago=700)
    still_open = register(defence, received_at=timezone.now() - timedelta(days=900))
    police.complaint_retention_months = 1
    police.save()
    police_old = closed(police, None, days_ago=40)

    assert anonymise_expired() == 2
    assert anonymise_expired() == 0  # nothing twice

    def erased(case: Case) -> bool:
        return Complainant.objects.get(case=case).erased_at is not None

    assert erased(old)
    assert erased(police_old)
    assert not erased(recent)
    assert not erased(still_open)
    old.refresh_from_db()
    assert (old.subject, old.description) == ("—", "—")
    assert (old.category.code, old.source, old.outcome) == ("service_quality", "phone", "unfounded")
    assert Complainant.objects.get(case=old).name == ""
    event = old.timeline.get(kind="personal_data_erased")
    assert event.actor is None
    assert event.data == {"retention_months": 24}


def test_an_officer_exports_then_erases_on_request(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    base = f"/i/defence/complaints/{case.reference}/personal-data/"
    response = client.post(f"{base}export/")
    assert response["Content-Disposition"].endswith(f'{case.reference}-personal-data.zip"')
    export = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("personal-data.json"))
    assert export["complainant"]["name"] == "Anne Dupont"
    assert export["reference"] == case.reference

    refused = client.post(f"{base}erase/", {"reason": ""}, follow=True)
    assert "Say why the personal data is erased." in refused.content.decode()
    client.post(f"{base}erase/", {"reason": "Request by e-mail of 3 March"})
    page = client.get(f"/i/defence/complaints/{case.reference}/").content.decode()
    assert "Anne Dupont" not in page
    assert "Personal data erased." in page
    kinds = list(case.timeline.values_list("kind", flat=True))
    assert kinds[-2:] == ["personal_data_exported", "personal_data_erased"]
    for event in case.timeline.all():
        assert "Anne" not in json.dumps(event.data)


def traces(case: Case) -> list[str]:
    """Every outbox row and notification that still names the complainant or the subject."""
    found = []
    for mail in OutgoingEmail.objects.all():
        text = f"{mail.to_address} {mail.subject} {mail.body_text}"
        if "anne@example.be" in text or "Anne Dupont" in text or "Attente" in text:
            found.append(f"mail {mail.pk}")
    for notice in Notification.objects.all():
        if "Attente" in f"{notice.subject} {notice.body}":
            found.append(f"notification {notice.pk}")
    return found


def send_as_previewed(*, case: Case, actor, **letter) -> None:
    """Send a letter as the officer does: previewed first, then sent as previewed."""
    draft = letters.letter_prepare(case=case, **letter)
    letters.letter_send(case=case, actor=actor, previewed=draft.fingerprint, **letter)


def case_with_mail_and_notices(institution, officer) -> Case:
    """A case acknowledged by e-mail ("Dear Anne Dupont"), confirmed automatically to the
    complainant and assigned to another officer (notified, quoting the subject)."""
    case = register(institution)
    letters.receipt_confirm(case=case, address="anne@example.be")
    subject, body = letters.letter_render(case, "acknowledgement")
    send_as_previewed(
        case=case, actor=officer, kind="acknowledgement", channel="email", subject=subject,
        body=body,
    )  # fmt: skip
    colleague = member(institution, Role.COMPLAINT_OFFICER)
    routing.case_reroute(case=case, actor=officer, team=None, officer=colleague, reason="Leave")
    return case


def test_erasure_leaves_no_copy_in_the_outbox_or_the_inbox(defence, defence_officer) -> None:
    case = case_with_mail_and_notices(defence, defence_officer)
    other = case_with_mail_and_notices(defence, defence_officer)
    assert len(traces(case)) == 8  # 3 mails + 1 notice per case
    notice = Notification.objects.get(about=case.about_key)

    complainant_erase(case=case, actor=defence_officer, reason="Asked by e-mail")

    assert len(traces(other)) == 4  # only the other case's rows are left
    assert not OutgoingEmail.objects.filter(about=case.about_key).exists()
    notice.refresh_from_db()
    assert notice.body == ""
    assert case.reference in notice.subject  # the inbox still says what happened


def test_retention_anonymisation_leaves_no_copy_behind(defence, defence_officer) -> None:
    case = case_with_mail_and_notices(defence, defence_officer)
    cases.case_close(
        case=case, actor=defence_officer, outcome="unfounded",
        at=timezone.now() - timedelta(days=800),
    )  # fmt: skip
    assert anonymise_expired() == 1
    assert traces(case) == []


def test_the_access_export_holds_letters_notes_and_files(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence)
    send_as_previewed(
        case=case, actor=defence_officer, kind="acknowledgement", channel="letter",
        subject="Accusé de réception", body="Chère Madame Dupont",
    )  # fmt: skip
    letters.note_add(case=case, author=defence_officer, text="Rappelée le 3 mars")
    attachment_add(
        case=case, actor=defence_officer,
        upload=SimpleUploadedFile("lettre.txt", b"Ma lettre manuscrite"),
    )  # fmt: skip
    client.force_login(defence_officer)
    response = client.post(f"/i/defence/complaints/{case.reference}/personal-data/export/")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    export = json.loads(archive.read("personal-data.json"))
    assert export["correspondence"][0]["body"] == "Chère Madame Dupont"
    assert export["notes"][0]["text"] == "Rappelée le 3 mars"
    (attachment,) = export["attachments"]
    assert attachment["name"] == "lettre.txt"
    assert archive.read(attachment["file"]) == b"Ma lettre manuscrite"
