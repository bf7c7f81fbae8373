"""What a decision service answers: its outcome, or a refusal the moderator reads."""

from __future__ import annotations

from dataclasses import dataclass

from moderation.models import Decision, Item, RemovalProposal


class DecisionRefused(ValueError):
    """The decision cannot be taken; the message says why (shown to the moderator)."""


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    item: Item
    proposal: RemovalProposal | None = None
    """Set when a hide or removal was proposed for a second look instead of taken."""
