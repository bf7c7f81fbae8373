"""The complainant's rights and the retention period: export, erasure, anonymisation.

Erasure blanks the complainant record, the case's free text (the complainant's own words may
name people), the letters sent and the internal notes, and deletes attachments and evidence;
it also deletes the outbox's e-mails about the case (acknowledgements, letters: they hold the
address, the name and the subject) and blanks the body of notifications about it ("assigned to
you" quotes the subject); those rows carry ``Case.about_key``. Category, source, dates, status
and outcome stay, so statistics are unchanged. Erasure also closes the complainant's tracking
link for good. A case under legal hold is never erased: on request the officer is told since
when and why it is held; the retention job skips it (``services.holds``).
The export (access right) is a zip: everything above as JSON, and the attached files.
Each export and erasure is in the timeline, without the data itself.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from accounts.services.notifications import emails_forget, notifications_forget
from complaints.models import Attachment, Case, Complainant, Correspondence, EventKind, Note, Status
from complaints.services.evidence import evidence_erase
from complaints.services.holds import LegalHoldError, hold_message, hold_of
from complaints.services.timeline import timeline_record
from complaints.services.tracking import tracking_close
from govsocial.retention import without_holds

ERASED_TEXT = "—"


def complainant_export(*, case: Case, actor: User) -> bytes:
    """Everything we hold about the complainant of ``case`` (the access right), recorded: a zip
    of ``personal-data.json`` and the attached files it lists."""
    buffer = io.BytesIO()
    with transaction.atomic(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        attachments = list(case.attachments.order_by("uploaded_at", "pk"))
        for number, attachment in enumerate(attachments, start=1):
            with attachment.file.open("rb") as handle:
                archive.writestr(_archive_path(number, attachment), handle.read())
        export = _export_data(case, attachments)
        archive.writestr("personal-data.json", json.dumps(export, ensure_ascii=False, indent=2))
        timeline_record(case, actor, EventKind.PERSONAL_DATA_EXPORTED)
    return buffer.getvalue()


def _archive_path(number: int, attachment: Attachment) -> str:
    return f"attachments/{number:03d}-{attachment.original_name}"


def _export_data(case: Case, attachments: list[Attachment]) -> dict[str, Any]:
    complainant = Complainant.objects.get(case=case)
    return {
        "reference": case.reference,
        "institution": case.institution.name_in(case.language),
        "received_at": case.received_at.isoformat(),
        "source": case.source,
        "category": case.category.name_en,
        "subject": case.subject,
        "description": case.description,
        "status": case.status,
        "outcome": case.outcome,
        "complainant": {field: getattr(complainant, field) for field in Complainant.PERSONAL_FIELDS}
        | {"is_staff_member": complainant.is_staff_member},
        "erased_at": complainant.erased_at.isoformat() if complainant.erased_at else None,
        "correspondence": [
            {
                "kind": letter.kind,
                "channel": letter.channel,
                "sent_at": letter.sent_at.isoformat(),
                "subject": letter.subject,
                "body": letter.body,
            }
            for letter in case.correspondence.order_by("sent_at", "pk")
        ],
        "notes": [
            {"created_at": note.created_at.isoformat(), "text": note.text}
            for note in case.notes.order_by("created_at", "pk")
        ],
        "attachments": [
            {
                "file": _archive_path(number, attachment),
                "name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "uploaded_at": attachment.uploaded_at.isoformat(),
            }
            for number, attachment in enumerate(attachments, start=1)
        ],
        "exported_at": timezone.now().isoformat(),
    }


def complainant_erase(*, case: Case, actor: User, reason: str) -> bool:
    """An officer erases the data on request (erasure right); False if already erased.
    Refused (``LegalHoldError``, a ``ValueError``) while the case is under legal hold."""
    if not reason.strip():
        raise ValueError(_("Say why the personal data is erased."))
    return _erase(case, actor, reason=reason.strip())


def _erase(case: Case, actor: User | None, **event_data: object) -> bool:
    with transaction.atomic():
        complainant = Complainant.objects.select_for_update().get(case=case)
        if complainant.erased_at is not None:
            return False
        hold = hold_of(case=case)
        if hold is not None:
            raise LegalHoldError(hold_message(hold))
        for field in Complainant.PERSONAL_FIELDS:
            setattr(complainant, field, "")
        complainant.erased_at = timezone.now()
        complainant.save()
        Case.objects.filter(pk=case.pk).update(subject=ERASED_TEXT, description=ERASED_TEXT)
        Correspondence.objects.filter(case=case).update(subject=ERASED_TEXT, body=ERASED_TEXT)
        Note.objects.filter(case=case).update(text=ERASED_TEXT)
        evidence_erase(case)
        emails_forget(case.about_key)
        notifications_forget(case.about_key)
        tracking_close(case, actor)
        timeline_record(case, actor, EventKind.PERSONAL_DATA_ERASED, **event_data)
    return True


def cases_due_for_anonymisation(institution: Institution, now: datetime) -> list[Case]:
    cutoff = now - relativedelta(months=institution.complaint_retention_months)
    due = Case.objects.for_institution(institution).filter(
        status=Status.CLOSED, closed_at__lt=cutoff, complainant__erased_at__isnull=True
    )
    return list(without_holds(due).select_related("institution"))


def anonymise_expired(now: datetime | None = None) -> int:
    """Erase the personal data of cases closed longer than their institution keeps it."""
    now = now or timezone.now()
    erased = 0
    for institution in Institution.objects.all():
        for case in cases_due_for_anonymisation(institution, now):
            try:
                erased += _erase(
                    case, None, retention_months=institution.complaint_retention_months
                )
            except LegalHoldError:  # held since it was selected: kept, as the hold says
                continue
    return erased
