"""What moderation records in the ledger (registered in ``ModerationConfig.ready()``): decisions,
the results of platform actions and the outcomes of contests.

The field lists are frozen: they are in the hash of every entry already written (see
govsocial/ledger/registry.py). Every field of these append-only rows is recorded.
"""

from __future__ import annotations

from govsocial.ledger.registry import ledger_register

DECISION = "moderation.decision"
DECISION_FIELDS = (
    "institution",
    "item",
    "actor",
    "action",
    "created_at",
    "note",
    "rule",
    "reasons",
    "reply_text",
    "assignee",
    "case",
    "evidence",
    "advice",
    "referral_target",
    "referral_person",
    "proposed_by",
)
ACTION_RESULT = "moderation.platform_action_result"
ACTION_RESULT_FIELDS = (
    "institution",
    "action",
    "result",
    "at",
    "object_id",
    "url",
    "observed",
    "error",
    "actor",
)
CONTEST_OUTCOME = "moderation.contest_outcome"
CONTEST_OUTCOME_FIELDS = (
    "institution",
    "contest",
    "outcome",
    "reasons",
    "decided_by",
    "original_decider",
    "decided_at",
    "reinstatement",
)


def ledger_register_moderation() -> None:
    from moderation.models import ContestOutcome, Decision, PlatformActionResult

    ledger_register(Decision, DECISION, fields=DECISION_FIELDS, time_field="created_at")
    ledger_register(
        PlatformActionResult, ACTION_RESULT, fields=ACTION_RESULT_FIELDS, time_field="at"
    )
    # A table new with the ledger: every outcome is chained from the first.
    ledger_register(
        ContestOutcome, CONTEST_OUTCOME, fields=CONTEST_OUTCOME_FIELDS, time_field="decided_at"
    )
