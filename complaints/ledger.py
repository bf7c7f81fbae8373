"""What complaints record in the ledger (registered in ``ComplaintsConfig.ready()``): timeline
events, legal holds and their lifting, and the evidence access log.

Timeline events hold facts, never the complainant's personal data (that lives in
``Complainant`` and the case's free text, which erasure rewrites): the record below is
therefore untouched by a lawful erasure, and the chain still verifies after one. The list is
frozen (govsocial/ledger/registry.py).
"""

from __future__ import annotations

from govsocial.ledger.registry import ledger_register

TIMELINE_EVENT = "complaints.timeline_event"
TIMELINE_EVENT_FIELDS = ("institution", "case", "at", "actor", "kind", "data")
LEGAL_HOLD = "complaints.legal_hold"
LEGAL_HOLD_FIELDS = ("institution", "case", "item", "reason", "placed_by", "placed_at")
LEGAL_HOLD_LIFT = "complaints.legal_hold_lift"
LEGAL_HOLD_LIFT_FIELDS = ("institution", "hold", "reason", "lifted_by", "lifted_at")
EVIDENCE_ACCESS = "complaints.evidence_access"
EVIDENCE_ACCESS_FIELDS = (
    "institution", "case", "item", "kind", "object_id", "sha256", "manifest_sha256", "actor", "at",
)  # fmt: skip


def ledger_register_complaints() -> None:
    from complaints.models import EvidenceAccess, LegalHold, LegalHoldLift, TimelineEvent

    ledger_register(TimelineEvent, TIMELINE_EVENT, fields=TIMELINE_EVENT_FIELDS, time_field="at")
    # Legal holds, their lifting and every download of evidence (issue 15, point 5): tables new
    # with the ledger, so every row is chained from its first.
    ledger_register(LegalHold, LEGAL_HOLD, fields=LEGAL_HOLD_FIELDS, time_field="placed_at")
    ledger_register(
        LegalHoldLift, LEGAL_HOLD_LIFT, fields=LEGAL_HOLD_LIFT_FIELDS, time_field="lifted_at"
    )
    ledger_register(EvidenceAccess, EVIDENCE_ACCESS, fields=EVIDENCE_ACCESS_FIELDS, time_field="at")
