"""Recommendations to management: one save is one history row, naming what changed.

Invariants:
- a save (the fields and both lists, complaints and categories) writes exactly one history row,
  or none when nothing changed: simple_history alone writes a row for the save and one more per
  many-to-many change, three identical rows per edit;
- the row's change reason lists the fields that changed (``models.RECOMMENDATION_TRACKED``, shown
  translated by ``complaints.selectors.recommendation_history``); a new recommendation's row is a
  creation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from accounts.models import Institution, User
from complaints.models import (
    RECOMMENDATION_HISTORY,
    RECOMMENDATION_TRACKED,
    Case,
    Category,
    Recommendation,
)


def recommendation_save(
    *,
    institution: Institution,
    actor: User,
    recommendation: Recommendation,
    categories: Iterable[Category],
    cases: Iterable[Case],
) -> Recommendation:
    """Create or update ``recommendation`` (its fields already set) with its lists."""
    with transaction.atomic():
        created = recommendation.pk is None
        if created:
            recommendation.institution = institution
            recommendation.created_by = actor
        elif recommendation.institution_id != institution.pk:
            raise ValueError("The recommendation belongs to another institution.")
        before = None if created else _state(_locked(recommendation.pk))
        recommendation.skip_history_when_saving = True  # type: ignore[attr-defined]
        try:
            recommendation.save()
            recommendation.categories.set(categories)
            recommendation.cases.set(cases)
        finally:
            del recommendation.skip_history_when_saving  # type: ignore[attr-defined]
        after = _state(recommendation)
        changed = [
            key for key in RECOMMENDATION_TRACKED if before is None or before[key] != after[key]
        ]
        if created or changed:
            recommendation._history_user = actor  # type: ignore[attr-defined]
            recommendation._change_reason = "" if created else ",".join(changed)  # type: ignore[attr-defined]
            RECOMMENDATION_HISTORY.create_historical_record(recommendation, "+" if created else "~")
    return recommendation


def _locked(pk: int) -> Recommendation:
    return Recommendation.objects.select_for_update().get(pk=pk)


def _state(recommendation: Recommendation) -> dict[str, object]:
    return {
        "title": recommendation.title,
        "body": recommendation.body,
        "status": recommendation.status,
        "categories": set(recommendation.categories.values_list("pk", flat=True)),
        "cases": set(recommendation.cases.values_list("pk", flat=True)),
    }
