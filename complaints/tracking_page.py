"""What the complainant's tracking page shows, and nothing more.

Status, dates, the deadline (as moved by holds), the holds with the reasons officers gave, and
the letters sent. Never an officer's name, a team, internal notes, attachments, evidence,
routing or legal holds: only facts about the complaint's progress and what was written to the
complainant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from complaints.models import Case, Correspondence, EventKind, Outcome, Status
from complaints.services.tracking import PLACEHOLDER


@dataclass
class Hold:
    since: datetime
    reason: str
    resumed_at: datetime | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None

    @property
    def moved_deadline(self) -> bool:
        return self.due_before is not None and self.due_before != self.due_after


@dataclass(frozen=True)
class Letter:
    kind_label: str
    sent_at: datetime
    channel_label: str
    subject: str
    body: str


@dataclass(frozen=True)
class TrackingPage:
    case: Case
    status_label: str
    outcome_label: str
    due_at: datetime | None
    holds: list[Hold] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)


def tracking_page(case: Case, link_text: str) -> TrackingPage:
    """``link_text`` stands where a letter carried the tracking link (the token is not kept)."""
    return TrackingPage(
        case=case,
        status_label=str(Status(case.status).label),
        outcome_label=str(Outcome(case.outcome).label) if case.outcome else "",
        due_at=case.due_at if case.answer_is_owed else None,
        holds=_holds(case),
        letters=[
            Letter(
                kind_label=letter.get_kind_display(),
                sent_at=letter.sent_at,
                channel_label=letter.get_channel_display(),
                subject=letter.subject,
                body=letter.body.replace(PLACEHOLDER, link_text),
            )
            for letter in Correspondence.objects.filter(case=case).order_by("sent_at", "pk")
        ],
    )


def _holds(case: Case) -> list[Hold]:
    """Each "put on hold" with its reason, and when it ended (resumed, or closed while held)."""
    holds: list[Hold] = []
    events = case.timeline.filter(kind__in=(EventKind.HELD, EventKind.RESUMED)).order_by("at", "pk")
    for event in events:
        if event.kind == EventKind.HELD:
            holds.append(Hold(since=event.at, reason=str(event.data.get("reason", ""))))
        elif holds and holds[-1].resumed_at is None:
            dates = event.dates
            holds[-1].resumed_at = event.at
            holds[-1].due_before = dates.get("due_at_before")
            holds[-1].due_after = dates.get("due_at")
    return holds
