"""What the deadline check needs from an app whose rows carry a deadline.

Moderation items and complaint cases each provide one ``DeadlineSource`` (``moderation/
deadlines.py``, ``complaints/deadlines.py``), listed in ``settings.DEADLINE_SOURCES``. The
engine (``engine.py``) and the missed-deadlines page (``views.py``) know nothing else about them:
this app sits below the apps whose rows it watches and never imports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.db.models import QuerySet
from django.utils.functional import Promise

if TYPE_CHECKING:
    from accounts.models import Institution, User


class Threshold(StrEnum):
    WARNING = "warning"
    BREACH = "breach"


@dataclass(frozen=True)
class Texts:
    """Lazy translatable texts of a notice; placeholders: %(label)s, %(due)s, %(crossed)s,
    %(left)s (warning) and %(late)s (breach)."""

    warning_subject: Promise
    warning_body: Promise
    breach_subject: Promise
    breach_body: Promise


@dataclass(frozen=True)
class Subject:
    """One row that crossed a threshold, as the notices describe it (no personal data of
    complainants: cases are named by their reference)."""

    pk: int
    institution: Institution
    label: str
    url: str
    warn_at: datetime
    due_at: datetime
    recipients: list[User]
    about: str = ""
    """The row's key on its notices (e.g. ``moderation.item:7``): erasing the row finds them."""
    plan: Any = None
    """Source-specific: what ``RecordsNotices.notified`` records about the notices sent."""


class DeadlineSource(Protocol):
    name: str
    """Short and stable: part of every notice's dedupe key ("item", "case")."""

    texts: Texts

    missed_template: str
    """The missed-deadlines page's section for these rows (gets ``rows``, ``count``, ``shown``)."""

    def to_warn(self, now: datetime) -> QuerySet[Any]:
        """Rows whose warning is due and not yet claimed, served by a partial index."""
        ...

    def to_breach(self, now: datetime) -> QuerySet[Any]:
        """Rows whose deadline has passed and whose breach is not yet claimed."""
        ...

    def subjects(self, ids: list[int], threshold: Threshold) -> list[Subject]:
        """The claimed rows with the people to notify: for a warning the assignee (or the
        team when unassigned), for a breach also the institution's admins."""
        ...

    def missed(self, institution: Institution, now: datetime) -> QuerySet[Any]:
        """The institution's rows past their deadline, oldest first, ready for
        ``missed_template``."""
        ...


@runtime_checkable
class RecordsNotices(Protocol):
    """A source that records what was sent about its claimed rows (moderation's items record
    each step of their escalation ladder). ``notified`` runs in the claim's transaction, after
    the notices are written: the record and the claim commit or roll back together."""

    def notified(self, subjects: list[Subject], threshold: Threshold, now: datetime) -> None: ...
