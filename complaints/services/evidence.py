"""Attachments, harassment evidence, the victim-advice checklist and referrals.

- Attachments: a short list of types, checked by extension *and* by content (magic bytes), at
  most ``MAX_ATTACHMENT_BYTES``; stored under a random name; SHA-256 recorded.
- Evidence snapshot: a linked social media item as it stands now, as canonical JSON; its SHA-256
  is computed over exactly the bytes later put in the bundle, so anyone can verify it.
- The bundle: a zip with every snapshot, every attachment and ``manifest.json`` listing them with
  their SHA-256; each download is in the timeline. ``manage.py verify_bundle`` checks a
  downloaded bundle offline (``complaints.bundle_check``).
- The access log: every download of a snapshot, an attachment or a bundle writes an append-only
  ``EvidenceAccess`` row (who, when, what, the SHA-256 of the bytes served; for a bundle also
  the SHA-256 of its manifest, which ``verify_bundle --manifest-sha256`` compares), in the same
  function that reads the bytes, so no download escapes it.
The timeline records these acts with hashes and ids, never file names or contents.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from complaints.items import SocialItem
from complaints.ledger import TIMELINE_EVENT
from complaints.models import (
    Attachment,
    Case,
    EventKind,
    EvidenceAccess,
    EvidenceSnapshot,
    TimelineEvent,
)
from complaints.services.holds import held_item_ids
from complaints.services.timeline import timeline_record
from govsocial.ledger.models import LedgerEntry

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (ZIP_MAGIC,),
    ),
    "odt": ("application/vnd.oasis.opendocument.text", (ZIP_MAGIC,)),
    "txt": ("text/plain", ()),
    "eml": ("message/rfc822", ()),
}
ADVICE_STEPS = {
    "do_not_respond": gettext_lazy("Do not respond to the harasser"),
    "trusted_person": gettext_lazy("Talk to a trusted person or a mediator"),
    "document": gettext_lazy("Document and keep everything (screenshots, links, dates)"),
    "report_elements": gettext_lazy("Report the contents to the platform"),
    "police_complaint": gettext_lazy("File a complaint with the police"),
}
REFERRAL_TARGETS = {
    "trusted_person": gettext_lazy("Trusted person"),
    "mediator": gettext_lazy("Mediator"),
}


class EvidenceError(ValueError):
    """Refused, with the reason for the officer."""


def attachment_add(*, case: Case, actor: User, upload: UploadedFile) -> Attachment:
    name = upload.name or "file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise EvidenceError(
            _("Files of this type cannot be attached. Allowed: %(types)s.")
            % {"types": ", ".join(sorted(ALLOWED))}
        )
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        raise EvidenceError(_("The file is larger than 10 MB."))
    content = upload.read()
    content_type, magics = ALLOWED[extension]
    if not _content_matches(content, magics, textual=not magics):
        raise EvidenceError(_("The file's content does not match its type."))
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        attachment = Attachment(
            institution_id=case.institution_id,
            case=case,
            original_name=get_valid_filename(name)[:255] or "file",
            content_type=content_type,
            size=len(content),
            sha256=digest,
            uploaded_by=actor,
        )
        attachment.file.save(name, ContentFile(content), save=False)
        attachment.save()
        timeline_record(
            case,
            actor,
            EventKind.ATTACHMENT_ADDED,
            attachment_id=attachment.pk,
            sha256=digest,
            size=len(content),
        )
    return attachment


def _content_matches(content: bytes, magics: tuple[bytes, ...], *, textual: bool) -> bool:
    if textual:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\x00" not in content
    return any(content.startswith(magic) for magic in magics)


def snapshot_bytes(content: dict[str, Any]) -> bytes:
    """The canonical JSON both hashed and bundled: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def evidence_preserve(*, case: Case, actor: User, item: SocialItem) -> EvidenceSnapshot:
    if not case.items.filter(pk=item.item_id).exists():
        raise EvidenceError(_("Only items linked to this complaint can be preserved."))
    with transaction.atomic():
        snapshot = snapshot_take(item=item, actor=actor, case=case)
        timeline_record(
            case,
            actor,
            EventKind.EVIDENCE_PRESERVED,
            snapshot_id=snapshot.pk,
            item_id=item.item_id,
            sha256=snapshot.sha256,
        )
    return snapshot


def snapshot_take(*, item: SocialItem, actor: User, case: Case | None = None) -> EvidenceSnapshot:
    """The item as it stands now (text, author, permalink, raw payload, capture time), as
    canonical JSON with its SHA-256. ``item``: its data as moderation handed it over."""
    content = {
        "platform": item.platform,
        "channel": item.channel_name,
        "external_id": item.external_id,
        "kind": item.kind,
        "author_name": item.author_name,
        "author_handle": item.author_handle,
        "author_url": item.author_url,
        "text": item.text,
        "language": item.language,
        "permalink": item.permalink,
        "posted_at": _iso(item.posted_at),
        "received_at": item.received_at.isoformat(),
        "deleted_on_platform_at": _iso(item.deleted_on_platform_at),
        "hidden_on_platform_at": _iso(item.hidden_on_platform_at),
        "raw_payload": item.raw_payload,
        "captured_at": timezone.now().isoformat(),
    }
    return EvidenceSnapshot.objects.create(
        institution_id=item.institution_id,
        case=case,
        item_id=item.item_id,
        content=content,
        sha256=hashlib.sha256(snapshot_bytes(content)).hexdigest(),
        captured_by=actor,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


BUNDLE_FORMAT = "govsocial-evidence-bundle/1"
MANIFEST = "manifest.json"


def attachment_download(*, attachment: Attachment, actor: User) -> bytes:
    """The attached file's bytes, the download recorded in the access log."""
    with attachment.file.open("rb") as handle:
        data = handle.read()
    _access(
        institution_id=attachment.institution_id,
        actor=actor,
        kind=EvidenceAccess.Kind.ATTACHMENT,
        data=data,
        case=attachment.case,
        object_id=attachment.pk,
    )
    return data


def snapshot_download(*, snapshot: EvidenceSnapshot, actor: User) -> bytes:
    """The snapshot exactly as hashed (``sha256sum`` of it equals the recorded SHA-256), the
    download recorded in the access log."""
    data = snapshot_bytes(snapshot.content)
    _access(
        institution_id=snapshot.institution_id,
        actor=actor,
        kind=EvidenceAccess.Kind.SNAPSHOT,
        data=data,
        case=snapshot.case,
        item_id=snapshot.item_id,
        object_id=snapshot.pk,
    )
    return data


def _access(
    *,
    institution_id: int,
    actor: User,
    kind: str,
    data: bytes,
    case: Case | None = None,
    item_id: int | None = None,
    object_id: int | None = None,
    manifest_sha256: str = "",
) -> EvidenceAccess:
    return EvidenceAccess.objects.create(
        institution_id=institution_id,
        case=case,
        item_id=item_id,
        kind=kind,
        object_id=object_id,
        sha256=hashlib.sha256(data).hexdigest(),
        manifest_sha256=manifest_sha256,
        actor=actor,
    )


def evidence_bundle(*, case: Case, actor: User) -> bytes:
    """A zip of the case's evidence and attachments with a manifest of their SHA-256; the
    download is in the timeline and the access log (with the manifest's SHA-256).

    Each file's entry also carries ``ledger_entry`` and ``ledger_seq``: the chain entry of the
    timeline event that recorded the piece with its SHA-256 when it was preserved or attached
    (``piece_entries``), which anyone can find in the day's published list."""
    buffer = io.BytesIO()
    manifest: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "institution": case.institution.slug,
        "case": case.reference,
        "generated_at": timezone.now().isoformat(),
        "generated_by": str(actor),
        "files": [],
    }
    entries = piece_entries(case)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for number, snapshot in enumerate(case.evidence.select_related("captured_by"), start=1):
            data = snapshot_bytes(snapshot.content)
            path = f"evidence/{number:03d}-{snapshot.sha256[:16]}.json"
            bundle.writestr(path, data)
            manifest["files"].append(
                {
                    "path": path,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "recorded_sha256": snapshot.sha256,
                    "captured_at": snapshot.captured_at.isoformat(),
                    "captured_by": str(snapshot.captured_by),
                    "kind": "social media item snapshot",
                    "snapshot_id": snapshot.pk,
                    **entries.get(("snapshot", snapshot.pk), {}),
                }
            )
        for number, attachment in enumerate(case.attachments.all(), start=1):
            with attachment.file.open("rb") as handle:
                data = handle.read()
            path = f"attachments/{number:03d}-{attachment.original_name}"
            bundle.writestr(path, data)
            manifest["files"].append(
                {
                    "path": path,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "recorded_sha256": attachment.sha256,
                    "uploaded_at": attachment.uploaded_at.isoformat(),
                    "kind": "attachment",
                    "attachment_id": attachment.pk,
                    **entries.get(("attachment", attachment.pk), {}),
                }
            )
        manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
        bundle.writestr(MANIFEST, manifest_bytes)
    data = buffer.getvalue()
    manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
    with transaction.atomic():
        timeline_record(
            case,
            actor,
            EventKind.EVIDENCE_DOWNLOADED,
            files=len(manifest["files"]),
            manifest_sha256=manifest_sha256,
        )
        _access(
            institution_id=case.institution_id,
            actor=actor,
            kind=EvidenceAccess.Kind.BUNDLE,
            data=data,
            case=case,
            manifest_sha256=manifest_sha256,
        )
    return data


def piece_entries(case: Case) -> dict[tuple[str, int], dict[str, object]]:
    """For each piece of ``case`` (``("snapshot", id)``, ``("attachment", id)``), the ledger
    entry of the timeline event that recorded it: ``{"ledger_entry": hash, "ledger_seq": n}``.
    A piece without such an event (none is known today) gets nothing rather than a guess."""
    events = TimelineEvent.objects.filter(
        case=case, kind__in=(EventKind.EVIDENCE_PRESERVED, EventKind.ATTACHMENT_ADDED)
    )
    pieces: dict[str, tuple[str, int]] = {}
    for event in events:
        if event.kind == EventKind.EVIDENCE_PRESERVED and "snapshot_id" in event.data:
            pieces[str(event.pk)] = ("snapshot", int(event.data["snapshot_id"]))
        elif event.kind == EventKind.ATTACHMENT_ADDED and "attachment_id" in event.data:
            pieces[str(event.pk)] = ("attachment", int(event.data["attachment_id"]))
    found = LedgerEntry.objects.filter(
        institution_id=case.institution_id, kind=TIMELINE_EVENT, object_id__in=list(pieces)
    ).values_list("object_id", "entry_hash", "seq")
    return {
        pieces[event_id]: {"ledger_entry": entry_hash, "ledger_seq": seq}
        for event_id, entry_hash, seq in found
    }


def advice_record(*, case: Case, actor: User, step: str) -> None:
    if step not in ADVICE_STEPS:
        raise EvidenceError(_("Unknown advice."))
    timeline_record(case, actor, EventKind.ADVICE_GIVEN, step=step)


def advice_given(case: Case) -> set[str]:
    steps = case.timeline.filter(kind=EventKind.ADVICE_GIVEN).values_list("data__step", flat=True)
    return {str(step) for step in steps}


def referral_record(*, case: Case, actor: User, target: str, person: str) -> None:
    """The victim was referred to a trusted person or a mediator (a staff member, named)."""
    if target not in REFERRAL_TARGETS:
        raise EvidenceError(_("Choose a trusted person or a mediator."))
    if not person.strip():
        raise EvidenceError(_("Say to whom the victim was referred."))
    timeline_record(case, actor, EventKind.REFERRED, target=target, person=person.strip()[:200])


def evidence_erase(case: Case) -> None:
    """Part of erasing the complainant's data: files removed from storage, rows deleted.

    Snapshots of an item under legal hold stay (the caller refuses a held case outright)."""
    for attachment in case.attachments.all():
        attachment.file.delete(save=False)
    case.attachments.all().delete()
    held = held_item_ids(list(case.evidence.values_list("item_id", flat=True)))
    case.evidence.exclude(item_id__in=held).delete()
