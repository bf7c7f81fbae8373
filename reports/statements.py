"""Hides and removals as statements of reasons in the shape of the EU Digital Services Act
transparency database (see docs/transparency.md for the schema).

A statement says the content was disabled or removed only when the platform confirmed it
(``reports.execution``); a decision not (yet) carried out says so with the database's own
``DECISION_VISIBILITY_OTHER`` and ``decision_visibility_other``, and has no ``application_date``
(the restriction has not started).

No personal data: no author, no item text, no moderator; the statement of reasons is the text
moderators write for the person concerned, and the hide/remove forms say it is published.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch

from accounts.models import Institution
from charter.links import rule_applied_url
from charter.selectors import rule_label
from moderation.models import Decision, PlatformAction
from reports.execution import Execution, carried_out_at, decisive_action, visibility_actions
from reports.periods import Month

VISIBILITY = {
    "hide": "DECISION_VISIBILITY_CONTENT_DISABLED",
    "remove": "DECISION_VISIBILITY_CONTENT_REMOVED",
}
"""What each decision asks for (the decisions exported)."""
DONE = {
    PlatformAction.Kind.HIDE: "DECISION_VISIBILITY_CONTENT_DISABLED",
    PlatformAction.Kind.DELETE: "DECISION_VISIBILITY_CONTENT_REMOVED",
}
"""What the platform confirmed, by the kind of action carried out (a removal a platform could
only hide is a disabling)."""
NOT_DONE = "DECISION_VISIBILITY_OTHER"
DECIDED = {"hide": "Hiding", "remove": "Removal"}
WHY_NOT = {
    Execution.AWAITING_VERIFICATION: "carried out on the platform on {done}, not yet confirmed "
    "by reading it back",
    Execution.WAITING: "not carried out on the platform yet (waiting to be sent)",
    Execution.TO_DO_BY_HAND: "not carried out on the platform: to be done there by hand",
    Execution.CHANGED_BACK: "carried out on the platform on {done}, then found changed back there",
    Execution.NOT_STARTED: "not carried out on the platform",
}


def statements(institution: Institution, month: Month) -> Iterator[dict[str, object]]:
    decisions = (
        Decision.objects.for_institution(institution)
        .filter(action__in=VISIBILITY, created_at__gte=month.start, created_at__lt=month.end)
        .select_related("item__channel", "rule__version__charter", "contest__outcome")
        .prefetch_related(
            "rule__texts",
            Prefetch("platform_actions", visibility_actions(), to_attr="visibility_actions"),
        )
        .order_by("created_at", "pk")
    )
    for decision in decisions.iterator(chunk_size=500):
        item = decision.item
        decided = _day(decision.created_at, institution)
        posted = item.posted_at or item.received_at
        if decision.rule is None:  # impossible: a database check requires it for these actions
            continue
        ground = rule_label(decision.rule, "en")
        yield {
            "puid": f"govsocial:{institution.slug}:decision:{decision.pk}",
            "platform_name": institution.name_in("en"),
            "platform_channel": item.channel.platform,
            **_execution(decision, item.channel.platform, institution),
            "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
            "incompatible_content_ground": ground,
            "decision_ground_reference_url": settings.SITE_URL
            + rule_applied_url(institution.slug, decision.rule),
            "incompatible_content_explanation": decision.reasons,
            "incompatible_content_illegal": "No",
            "decision_facts": decision.reasons,
            "automated_detection": "Yes" if item.keyword_hits else "No",
            "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
            "content_type": ["CONTENT_TYPE_TEXT"],
            "content_language": (item.language or "").upper(),
            "content_date": posted.astimezone(institution.zone).date().isoformat(),
            "decision_date": decided,
            "source_type": "SOURCE_VOLUNTARY",
            **_contest(decision, institution),
        }


def _contest(decision: Decision, institution: Institution) -> dict[str, object]:
    """GovSocial's own columns: the person's contest of the decision and its outcome."""
    contest = getattr(decision, "contest", None)
    if contest is None:
        return {"contest_state": None, "contest_date": None, "contest_outcome_date": None}
    outcome = getattr(contest, "outcome", None)
    return {
        "contest_state": contest.status,
        "contest_date": _day(contest.received_at, institution),
        "contest_outcome_date": _day(outcome.decided_at, institution) if outcome else None,
    }


def _execution(decision: Decision, platform: str, institution: Institution) -> dict[str, object]:
    """The fields saying what was decided and what the platform confirmed."""
    action, execution = decisive_action(decision.visibility_actions, platform)  # type: ignore[attr-defined]
    done = carried_out_at(action) if action is not None else None
    done_day = _day(done, institution) if done else None
    if action is not None and execution.carried_out:
        return {
            "decision_visibility": [DONE[PlatformAction.Kind(action.kind)]],
            "decision_visibility_other": None,
            "execution_state": execution.value,
            "application_date": done_day,
        }
    decided = _day(decision.created_at, institution)
    why = WHY_NOT[execution].format(done=done_day or "?")
    return {
        "decision_visibility": [NOT_DONE],
        "decision_visibility_other": f"{DECIDED[decision.action]} decided on {decided}, {why}.",
        "execution_state": execution.value,
        "application_date": None,
    }


def _day(moment: datetime, institution: Institution) -> str:
    return moment.astimezone(institution.zone).date().isoformat()


def as_json_lines(rows: Iterator[dict[str, object]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"
