"""The complainant's rights and the retention period: export, erasure, anonymisation.

Erasure blanks the complainant record, the case's free text (the complainant's own words may
name people), the letters sent and the internal notes, and deletes attachments and evidence;
category, source, dates, status and outcome stay, so statistics are unchanged.
Each export and erasure is in the timeline, without the data itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from complaints.models import Case, Complainant, Correspondence, EventKind, Note, Status
from complaints.services.evidence import evidence_erase
from complaints.services.timeline import timeline_record

ERASED_TEXT = "—"


def complainant_export(*, case: Case, actor: User) -> dict[str, Any]:
    """Everything we hold about the complainant of ``case`` (the access right), recorded."""
    with transaction.atomic():
        complainant = Complainant.objects.get(case=case)
        export = {
            "reference": case.reference,
            "institution": case.institution.name_in(case.language),
            "received_at": case.received_at.isoformat(),
            "source": case.source,
            "category": case.category.name_en,
            "subject": case.subject,
            "description": case.description,
            "status": case.status,
            "outcome": case.outcome,
            "complainant": {
                field: getattr(complainant, field) for field in Complainant.PERSONAL_FIELDS
            }
            | {"is_staff_member": complainant.is_staff_member},
            "erased_at": complainant.erased_at.isoformat() if complainant.erased_at else None,
            "exported_at": timezone.now().isoformat(),
        }
        timeline_record(case, actor, EventKind.PERSONAL_DATA_EXPORTED)
    return export


def complainant_erase(*, case: Case, actor: User, reason: str) -> bool:
    """An officer erases the data on request (erasure right); False if already erased."""
    if not reason.strip():
        raise ValueError(_("Say why the personal data is erased."))
    return _erase(case, actor, reason=reason.strip())


def _erase(case: Case, actor: User | None, **event_data: object) -> bool:
    with transaction.atomic():
        complainant = Complainant.objects.select_for_update().get(case=case)
        if complainant.erased_at is not None:
            return False
        for field in Complainant.PERSONAL_FIELDS:
            setattr(complainant, field, "")
        complainant.erased_at = timezone.now()
        complainant.save()
        Case.objects.filter(pk=case.pk).update(subject=ERASED_TEXT, description=ERASED_TEXT)
        Correspondence.objects.filter(case=case).update(subject=ERASED_TEXT, body=ERASED_TEXT)
        Note.objects.filter(case=case).update(text=ERASED_TEXT)
        evidence_erase(case)
        timeline_record(case, actor, EventKind.PERSONAL_DATA_ERASED, **event_data)
    return True


def cases_due_for_anonymisation(institution: Institution, now: datetime) -> list[Case]:
    cutoff = now - relativedelta(months=institution.complaint_retention_months)
    return list(
        Case.objects.for_institution(institution)
        .filter(status=Status.CLOSED, closed_at__lt=cutoff, complainant__erased_at__isnull=True)
        .select_related("institution")
    )


def anonymise_expired(now: datetime | None = None) -> int:
    """Erase the personal data of cases closed longer than their institution keeps it."""
    now = now or timezone.now()
    erased = 0
    for institution in Institution.objects.all():
        for case in cases_due_for_anonymisation(institution, now):
            erased += _erase(case, None, retention_months=institution.complaint_retention_months)
    return erased
