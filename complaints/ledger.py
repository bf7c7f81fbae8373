"""What complaints record in the ledger (registered in ``ComplaintsConfig.ready()``).

Timeline events hold facts, never the complainant's personal data (that lives in
``Complainant`` and the case's free text, which erasure rewrites): the record below is
therefore untouched by a lawful erasure, and the chain still verifies after one. The list is
frozen (govsocial/ledger/registry.py).
"""

from __future__ import annotations

from govsocial.ledger.registry import ledger_register

TIMELINE_EVENT = "complaints.timeline_event"
TIMELINE_EVENT_FIELDS = ("institution", "case", "at", "actor", "kind", "data")


def ledger_register_complaints() -> None:
    from complaints.models import TimelineEvent

    ledger_register(TimelineEvent, TIMELINE_EVENT, fields=TIMELINE_EVENT_FIELDS, time_field="at")
