"""Which charter rules other records cite: a seam, so that charter never imports moderation.

Moderation sits above charter in the layers, and its decisions cite rules (a hide or a removal
names the rule of the house rules in force). Charter needs to know which rules are cited before
it publishes a version without them, so moderation registers a counter here in its
``AppConfig.ready()``. Charter asks plain questions (rule ids in, counts out) and never learns
what a decision is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping

CitationCounter = Callable[[Collection[int]], Mapping[int, int]]
"""Rule ids -> how many records cite each of them (rules nobody cites may be left out)."""

_counters: list[CitationCounter] = []


def register_citation_counter(counter: CitationCounter) -> None:
    """Called once per citing app from its ``AppConfig.ready()`` (idempotent)."""
    if counter not in _counters:
        _counters.append(counter)


def citation_counts(rule_ids: Collection[int]) -> dict[int, int]:
    """How many records of every registered app cite each rule; uncited rules are absent."""
    if not rule_ids:
        return {}
    counts: Counter[int] = Counter()
    for counter in _counters:
        counts.update(counter(rule_ids))
    return {rule_id: n for rule_id, n in counts.items() if n}
