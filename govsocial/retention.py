"""Retention holds: what retention jobs must keep, however old it is.

A retention job (the anonymisation of closed complaints, of old social media items) asks
``without_holds(queryset)`` for the rows it may erase. Apps register holds in their
``AppConfig.ready()``: a ``Q`` over the model that selects the rows to keep. The rows a job
touches are then ``queryset.exclude(hold)`` for every hold of that model, in one query.

Today's holds (see docs/moderation.md, *Retention*): an item linked to a complaint, or kept as
harassment evidence, and the legal hold (docs/accountability.md): a case or an item under an
open ``complaints.LegalHold`` (``complaints.services.holds.case_hold_q``/``item_hold_q``,
registered by complaints and moderation). Erasure on request refuses a held case itself.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q, QuerySet

_holds: dict[type[models.Model], list[Q]] = {}


def hold_register(model: type[models.Model], hold: Q) -> None:
    """Rows of ``model`` matching ``hold`` are never erased by retention (idempotent)."""
    holds = _holds.setdefault(model, [])
    if hold not in holds:
        holds.append(hold)


def without_holds[M: models.Model](queryset: QuerySet[M]) -> QuerySet[M]:
    """``queryset`` without the rows any registered hold keeps."""
    for hold in _holds.get(queryset.model, []):
        queryset = queryset.exclude(hold)
    return queryset
