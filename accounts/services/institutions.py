"""Institution settings (SLA parameters). Changes are recorded in the history table."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import Institution, User

EDITABLE_FIELDS = (
    "name_fr",
    "name_nl",
    "name_en",
    "time_zone",
    "default_language",
    "social_response_hours",
    "complaint_response_days",
    "warning_share_percent",
    "hold_suspends_complaint_clock",
    "crisis_response_hours",
    "item_retention_months",
)


def institution_update_settings(
    *, institution: Institution, actor: User, **changes: Any
) -> Institution:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable here: {sorted(unknown)}")
    with transaction.atomic():
        for field, value in changes.items():
            setattr(institution, field, value)
        institution.full_clean()
        institution._history_user = actor  # type: ignore[attr-defined]
        institution.save()
    return institution
