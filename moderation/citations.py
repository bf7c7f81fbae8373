"""Moderation's answer to charter's question "which rules do decisions cite?".

Registered in ``ModerationConfig.ready()`` (see ``charter.citations``): charter warns before a
new version of the house rules leaves out a rule that decisions cite.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Count

from moderation.models import Decision


def decisions_citing(rule_ids: Collection[int]) -> dict[int, int]:
    """Rule id -> number of decisions (hides and removals) citing it; uses the rule_id index."""
    rows = (
        Decision.objects.filter(rule_id__in=list(rule_ids))
        .values("rule_id")
        .annotate(n=Count("pk"))
        .values_list("rule_id", "n")
    )
    return dict(rows)
