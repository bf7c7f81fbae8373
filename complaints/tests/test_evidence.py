"""Attachments (type, content, size), evidence snapshots and bundle, advice and referrals."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InternalError, transaction
from django.test import Client

from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from complaints.models import Attachment, EvidenceSnapshot
from complaints.services import cases
from complaints.services.personal_data import complainant_erase
from complaints.tests.factories import builtin, register
from moderation.services.ingest import item_apply_event
from moderation.social_items import social_item

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def harassment(defence, defence_officer):
    channel = ChannelFactory(institution=defence, name="Belgian Defence")
    item = item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id="insult-1",
            verb=Verb.CREATE,
            author_name="Troll 42",
            text="Tu ne mérites pas ton uniforme.",
            language="fr",
        ),
    )
    case = cases.case_open_from_item(
        item=social_item(item),
        actor=defence_officer,
        category=builtin("cyber_harassment"),
        subject="Insultes répétées",
    )
    return case, item


def upload(client: Client, case, name: str, content: bytes):
    return client.post(
        f"/i/defence/complaints/{case.reference}/attachments/",
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ", "Files of this type cannot be attached"),
        ("fake.pdf", b"<html>", "does not match its type"),
        ("fake.png", b"%PDF-1.7", "does not match its type"),
        ("notes.txt", b"\xff\xfe\x00", "does not match its type"),
    ],
)
def test_refused_files(client: Client, defence, defence_officer, name, content, message) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    assert message in upload(client, case, name, content).content.decode()
    assert not Attachment.objects.exists()


def test_too_large_a_file(client: Client, defence, defence_officer, monkeypatch) -> None:
    monkeypatch.setattr("complaints.services.evidence.MAX_ATTACHMENT_BYTES", 10)
    case = register(defence)
    client.force_login(defence_officer)
    assert "larger than 10 MB" in upload(client, case, "a.png", PNG).content.decode()


def test_an_attachment_is_stored_under_a_random_name_and_served_to_officers_only(
    client: Client, defence, defence_officer, defence_communicator
) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    upload(client, case, "Capture écran Anne.png", PNG)
    attachment = Attachment.objects.get()
    assert "Anne" not in attachment.file.name
    assert attachment.file.name.endswith(".png")
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    url = f"/i/defence/complaints/{case.reference}/attachments/{attachment.pk}/"
    response = client.get(url)
    assert response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment;" in response["Content-Disposition"]
    event = case.timeline.get(kind="attachment_added")
    assert "Anne" not in json.dumps(event.data)
    other = Client()
    other.force_login(defence_communicator)
    assert other.get(url).status_code == 403


def test_evidence_bundle_with_verifiable_hashes(
    client: Client, defence_officer, harassment
) -> None:
    case, item = harassment
    client.force_login(defence_officer)
    base = f"/i/defence/complaints/{case.reference}/"
    page = client.get(base).content.decode()
    assert "Advice to the victim" in page
    client.post(f"{base}evidence/{item.pk}/")
    upload(client, case, "screenshot.png", PNG)
    snapshot = EvidenceSnapshot.objects.get()
    assert snapshot.content["text"] == "Tu ne mérites pas ton uniforme."
    response = client.post(f"{base}evidence/")
    bundle = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["case"] == case.reference
    assert len(manifest["files"]) == 2
    for entry in manifest["files"]:
        data = bundle.read(entry["path"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] == entry["recorded_sha256"]
    assert case.timeline.filter(kind="evidence_downloaded").count() == 1


def test_a_snapshot_cannot_be_changed_in_the_database(defence_officer, harassment) -> None:
    from complaints.services.evidence import evidence_preserve

    case, item = harassment
    snapshot = evidence_preserve(case=case, actor=defence_officer, item=social_item(item))
    with pytest.raises(InternalError, match="evidence_immutable"), transaction.atomic():
        EvidenceSnapshot.objects.filter(pk=snapshot.pk).update(sha256="0" * 64)


def test_advice_and_referral_are_recorded(client: Client, defence_officer, harassment) -> None:
    case, _ = harassment
    client.force_login(defence_officer)
    base = f"/i/defence/complaints/{case.reference}/"
    client.post(f"{base}advice/", {"step": "do_not_respond"})
    client.post(f"{base}advice/", {"step": "nonsense"})
    client.post(f"{base}referral/", {"target": "mediator", "person": "M. Janssens"})
    refused = client.post(f"{base}referral/", {"target": "mediator", "person": ""}, follow=True)
    assert "Say to whom" in refused.content.decode()
    kinds = list(case.timeline.values_list("kind", "data"))
    assert ("advice_given", {"step": "do_not_respond"}) in kinds
    assert ("referred", {"target": "mediator", "person": "M. Janssens"}) in kinds
    page = client.get(base).content.decode()
    assert "Mediator: M. Janssens" in page


def test_erasure_removes_attachments_and_evidence(
    client: Client, defence_officer, harassment
) -> None:
    case, item = harassment
    client.force_login(defence_officer)
    client.post(f"/i/defence/complaints/{case.reference}/evidence/{item.pk}/")
    upload(client, case, "screenshot.png", PNG)
    stored = Attachment.objects.get().file
    storage, name = stored.storage, stored.name
    complainant_erase(case=case, actor=defence_officer, reason="request")
    assert not Attachment.objects.exists()
    assert not EvidenceSnapshot.objects.exists()
    assert not storage.exists(name)
