"""Hides and removals as statements of reasons in the shape of the EU Digital Services Act
transparency database (see docs/transparency.md for the schema).

No personal data: no author, no item text, no moderator; the statement of reasons is the text
moderators write for the person concerned, and the hide/remove forms say it is published.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from accounts.models import Institution
from charter.selectors import rule_label
from moderation.models import Decision
from reports.periods import Month

VISIBILITY = {
    "hide": "DECISION_VISIBILITY_CONTENT_DISABLED",
    "remove": "DECISION_VISIBILITY_CONTENT_REMOVED",
}


def statements(institution: Institution, month: Month) -> Iterator[dict[str, object]]:
    decisions = (
        Decision.objects.for_institution(institution)
        .filter(action__in=VISIBILITY, created_at__gte=month.start, created_at__lt=month.end)
        .select_related("item__channel", "rule")
        .prefetch_related("rule__texts")
        .order_by("created_at", "pk")
    )
    for decision in decisions.iterator(chunk_size=500):
        item = decision.item
        decided = decision.created_at.astimezone(institution.zone).date().isoformat()
        posted = item.posted_at or item.received_at
        if decision.rule is None:  # impossible: a database check requires it for these actions
            continue
        ground = rule_label(decision.rule, "en")
        yield {
            "puid": f"govsocial:{institution.slug}:decision:{decision.pk}",
            "platform_name": institution.name_in("en"),
            "platform_channel": item.channel.platform,
            "decision_visibility": [VISIBILITY[decision.action]],
            "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
            "incompatible_content_ground": ground,
            "incompatible_content_explanation": decision.reasons,
            "incompatible_content_illegal": "No",
            "decision_facts": decision.reasons,
            "automated_detection": "Yes" if item.keyword_hits else "No",
            "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
            "content_type": ["CONTENT_TYPE_TEXT"],
            "content_language": (item.language or "").upper(),
            "content_date": posted.astimezone(institution.zone).date().isoformat(),
            "decision_date": decided,
            "application_date": decided,
            "source_type": "SOURCE_VOLUNTARY",
        }


def as_json_lines(rows: Iterator[dict[str, object]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"
