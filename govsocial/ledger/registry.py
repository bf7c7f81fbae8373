"""Which models the ledger records: filled by each app in its ``AppConfig.ready()``.

The kernel knows nothing of the apps above it; an app registers an append-only model with one
line::

    ledger_register(Decision, "moderation.decision", fields=FIELDS, time_field="created_at")

``fields`` names the model fields whose values form the record (a foreign key by its name: its
id is recorded). The list is explicit and frozen: a field added to the model later is not in
past entries, so adding it to the list would break them (a new kind name would not). Fields a
lawful erasure rewrites must stay out of it, or verification fails after the erasure.

A registered model must be an ``AppendOnlyModel`` with an ``institution`` foreign key: its
``save()`` and its queryset's ``bulk_create()`` then append the entry in the same transaction
(govsocial/append_only.py), and its rows can never change, so the live row always
recomputes to the hash stored when it was written. ``time_field`` orders the backfill of rows
written before the model was registered (``govsocial/ledger/backfill.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Recorded:
    kind: str
    model: type[models.Model]
    fields: tuple[str, ...]
    attnames: tuple[str, ...]
    """The fields' columns: ``item_id`` for the foreign key ``item``."""
    time_field: str
    """When a row was written: orders the backfill of existing rows."""

    def record(self, row: models.Model) -> dict[str, Any]:
        """The row's recorded fields (a foreign key by its id), read from the live row."""
        return {
            name: getattr(row, attname)
            for name, attname in zip(self.fields, self.attnames, strict=True)
        }


_BY_MODEL: dict[type[models.Model], Recorded] = {}
_BY_KIND: dict[str, Recorded] = {}


def ledger_register(
    model: type[models.Model], kind: str, *, fields: Sequence[str], time_field: str
) -> None:
    """Record every row of ``model`` under ``kind`` (stable: it is in every entry's hash)."""
    from govsocial.append_only import AppendOnlyModel

    if not issubclass(model, AppendOnlyModel):
        raise TypeError(f"{model.__name__} must be append-only to be recorded in the ledger.")
    names = {field.name for field in model._meta.get_fields()}
    missing = {"institution", time_field, *fields} - names
    if missing:
        raise ValueError(f"{model.__name__} has no field {', '.join(sorted(missing))}.")
    attnames = []
    for name in fields:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise ValueError(f"{model.__name__}.{name} is not a column of the model.")
        attnames.append(field.attname)
    known = _BY_KIND.get(kind)
    if known is not None and known.model is not model:
        raise ValueError(f"The ledger kind {kind!r} already records {known.model.__name__}.")
    recorded = Recorded(kind, model, tuple(fields), tuple(attnames), time_field)
    _BY_MODEL[model] = recorded
    _BY_KIND[kind] = recorded


def recorded_model(model: type[models.Model]) -> Recorded | None:
    return _BY_MODEL.get(model)


def recorded_kind(kind: str) -> Recorded | None:
    return _BY_KIND.get(kind)


def recorded_kinds() -> list[Recorded]:
    return sorted(_BY_KIND.values(), key=lambda recorded: recorded.kind)
