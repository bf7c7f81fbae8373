"""Appending to a case's timeline: the one way every complaint service records what it did."""

from __future__ import annotations

from accounts.models import User
from complaints.models import Case, TimelineEvent


def timeline_record(case: Case, actor: User | None, kind: str, **data: object) -> TimelineEvent:
    """Append an event. ``data`` holds facts, never the complainant's personal data."""
    return TimelineEvent.objects.create(
        institution_id=case.institution_id, case=case, actor=actor, kind=kind, data=data
    )
