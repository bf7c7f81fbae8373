"""The evidence access log (every download of a snapshot, an attachment or a bundle) and the
offline check of a downloaded bundle (``manage.py verify_bundle``), tampered copies included."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from complaints.models import EvidenceAccess, EvidenceAccessImmutableError, TimelineEvent
from complaints.services import cases
from complaints.services.evidence import attachment_add, evidence_preserve
from complaints.tests.factories import builtin
from govsocial.ledger.selectors import entry_for
from govsocial.ledger.verify import ledger_verify
from moderation.services.ingest import item_apply_event
from moderation.social_items import social_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_with_evidence(defence, defence_officer):
    channel = ChannelFactory(institution=defence)
    item = item_apply_event(
        channel=channel,
        event=ItemEvent(external_id="i-1", verb=Verb.CREATE, author_name="Troll", text="Insult"),
    )
    case = cases.case_open_from_item(
        item=social_item(item),
        actor=defence_officer,
        category=builtin("cyber_harassment"),
        subject="Insults",
    )
    snapshot = evidence_preserve(case=case, actor=defence_officer, item=social_item(item))
    attachment = attachment_add(
        case=case,
        actor=defence_officer,
        upload=SimpleUploadedFile("capture.txt", "Capture d'écran".encode()),
    )
    return case, item, snapshot, attachment


@pytest.fixture
def officer_client(client: Client, defence_officer) -> Client:
    client.force_login(defence_officer)
    return client


def download_bundle(client: Client, case, tmp_path: Path) -> Path:
    response = client.post(f"/i/defence/complaints/{case.reference}/evidence/")
    assert response.status_code == 200
    path = tmp_path / "bundle.zip"
    path.write_bytes(response.content)
    return path


def verify(path: Path, manifest_sha256: str = "") -> str:
    out = io.StringIO()
    call_command("verify_bundle", str(path), manifest_sha256=manifest_sha256, stdout=out)
    return out.getvalue()


def rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the bundle with ``change(name, data)`` applied (None drops the file)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for name in original.namelist():
            data = change(name, original.read(name))
            if data is not None:
                copy.writestr(name, data)
    return target


def test_every_download_is_in_the_access_log(
    officer_client: Client, case_with_evidence, defence_officer, tmp_path
) -> None:
    case, _item, _snapshot, attachment = case_with_evidence
    base = f"/i/defence/complaints/{case.reference}"
    served = officer_client.get(f"{base}/attachments/{attachment.pk}/").content
    bundle = download_bundle(officer_client, case, tmp_path).read_bytes()
    accesses = {access.kind: access for access in EvidenceAccess.objects.all()}
    assert accesses["attachment"].sha256 == hashlib.sha256(served).hexdigest()
    assert accesses["attachment"].object_id == attachment.pk
    assert accesses["attachment"].actor == defence_officer
    assert accesses["bundle"].sha256 == hashlib.sha256(bundle).hexdigest()
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        manifest = archive.read("manifest.json")
    assert accesses["bundle"].manifest_sha256 == hashlib.sha256(manifest).hexdigest()
    page = officer_client.get(f"{base}/").content.decode()
    assert accesses["bundle"].manifest_sha256 in page  # what verify_bundle is compared with
    with pytest.raises(EvidenceAccessImmutableError):
        accesses["bundle"].delete()


def test_a_snapshot_downloaded_from_the_item_page_is_logged(
    client: Client, case_with_evidence, defence_communicator
) -> None:
    _case, item, snapshot, _attachment = case_with_evidence
    client.force_login(defence_communicator)
    response = client.get(f"/i/defence/queue/items/{item.pk}/evidence/{snapshot.pk}/")
    access = EvidenceAccess.objects.get(kind="snapshot")
    assert access.sha256 == snapshot.sha256 == hashlib.sha256(response.content).hexdigest()
    assert access.item_id == item.pk
    assert access.actor == defence_communicator


def test_the_manifest_lists_each_piece(
    officer_client: Client, case_with_evidence, tmp_path
) -> None:
    case, _item, snapshot, attachment = case_with_evidence
    with zipfile.ZipFile(download_bundle(officer_client, case, tmp_path)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "govsocial-evidence-bundle/1"
    assert [
        entry.get("snapshot_id") or entry.get("attachment_id") for entry in manifest["files"]
    ] == [
        snapshot.pk,
        attachment.pk,
    ]


def test_verify_bundle_accepts_the_bundle_as_downloaded(
    officer_client: Client, case_with_evidence, tmp_path
) -> None:
    case = case_with_evidence[0]
    path = download_bundle(officer_client, case, tmp_path)
    recorded = EvidenceAccess.objects.get(kind="bundle").manifest_sha256
    output = verify(path, manifest_sha256=recorded)
    assert output.startswith(f"OK: {case.reference}, 2 files verified")
    assert recorded in output


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (lambda name, data: data + b"!" if name.startswith("evidence/") else data, "differs"),
        (lambda name, data: None if name.startswith("attachments/") else data, "missing"),
        (lambda name, data: None if name == "manifest.json" else data, "manifest.json: missing"),
        (lambda name, data: b"{not json" if name == "manifest.json" else data, "not valid JSON"),
    ],
    ids=["altered file", "missing file", "missing manifest", "broken manifest"],
)
def test_verify_bundle_names_the_first_problem_of_a_tampered_copy(
    officer_client: Client, case_with_evidence, tmp_path, tamper, problem
) -> None:
    original = download_bundle(officer_client, case_with_evidence[0], tmp_path)
    tampered = rewrite(original, tmp_path / "tampered.zip", tamper)
    with pytest.raises(CommandError, match=problem):
        verify(tampered)


def test_verify_bundle_refuses_an_extra_file(officer_client, case_with_evidence, tmp_path):
    original = download_bundle(officer_client, case_with_evidence[0], tmp_path)
    with zipfile.ZipFile(original, "a") as archive:
        archive.writestr("evidence/999-extra.json", b"{}")
    with pytest.raises(CommandError, match=r"extra\.json: in the zip but not in the manifest"):
        verify(original)


def test_a_rewritten_manifest_passes_the_file_checks_but_not_the_recorded_hash(
    officer_client: Client, case_with_evidence, tmp_path
) -> None:
    """Someone changes a file and recomputes the manifest: only the access log catches it."""
    original = download_bundle(officer_client, case_with_evidence[0], tmp_path)
    recorded = EvidenceAccess.objects.get(kind="bundle").manifest_sha256
    with zipfile.ZipFile(original) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    entry = next(e for e in manifest["files"] if e["kind"] == "attachment")
    forged = b"Something else"
    entry["sha256"] = entry["recorded_sha256"] = hashlib.sha256(forged).hexdigest()

    def forge(name: str, data: bytes) -> bytes:
        if name == entry["path"]:
            return forged
        return json.dumps(manifest).encode() if name == "manifest.json" else data

    tampered = rewrite(original, tmp_path / "forged.zip", forge)
    assert "OK" in verify(tampered)  # consistent with itself...
    with pytest.raises(CommandError, match=r"manifest\.json: SHA-256 .* differs from the recorded"):
        verify(tampered, manifest_sha256=recorded)  # ...but not with the access log


def test_verify_bundle_refuses_a_file_that_is_not_a_zip(tmp_path) -> None:
    path = tmp_path / "bundle.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="not a readable zip"):
        verify(path)
    with pytest.raises(CommandError, match="no such file"):
        verify(tmp_path / "absent.zip")


def test_every_download_is_chained_in_the_ledger(
    officer_client: Client, case_with_evidence, defence, tmp_path
) -> None:
    """Issue 15, point 5: the access log is recorded in the institution's hash chain, and the
    chain still verifies against the live rows."""
    case, _item, _snapshot, attachment = case_with_evidence
    officer_client.get(f"/i/defence/complaints/{case.reference}/attachments/{attachment.pk}/")
    download_bundle(officer_client, case, tmp_path)
    accesses = list(EvidenceAccess.objects.all())
    assert len(accesses) == 2
    for access in accesses:
        entry = entry_for(access)
        assert entry is not None
        assert entry.kind == "complaints.evidence_access"
    assert ledger_verify(defence.pk).broken is None


def test_each_piece_of_the_bundle_names_its_chain_entry(
    officer_client: Client, case_with_evidence, tmp_path
) -> None:
    """Issue 15, point 5: each piece carries the ledger entry of the timeline event that
    recorded it with its SHA-256 when it was preserved or attached."""
    case, _item, snapshot, attachment = case_with_evidence
    with zipfile.ZipFile(download_bundle(officer_client, case, tmp_path)) as archive:
        files = json.loads(archive.read("manifest.json"))["files"]
    by_piece = {
        ("snapshot", row["snapshot_id"])
        if "snapshot_id" in row
        else ("attachment", row["attachment_id"]): row
        for row in files
    }
    for (kind, pk), event_kind, key in (
        (("snapshot", snapshot.pk), "evidence_preserved", "snapshot_id"),
        (("attachment", attachment.pk), "attachment_added", "attachment_id"),
    ):
        event = TimelineEvent.objects.get(case=case, kind=event_kind, **{f"data__{key}": pk})
        entry = entry_for(event)
        assert entry is not None
        row = by_piece[(kind, pk)]
        assert (row["ledger_entry"], row["ledger_seq"]) == (entry.entry_hash, entry.seq)
        assert event.data["sha256"] == row["recorded_sha256"]
