"""Application guards for append-only tables (the database guard is a pgtrigger ``Protect``).

A model inherits ``AppendOnlyModel`` and names its ``immutable_error``; its manager comes from
``AppendOnlyQuerySet``. Saving an existing row, deleting one, and bulk ``update()``/``delete()``
raise that error before any query is sent, so SQLite demo installs (no triggers) are guarded
too and callers get a clear message instead of a database error.

A model registered with the ledger (govsocial/ledger/registry.py) is also recorded there by
``save()`` and ``bulk_create()``, in the same transaction as the row (``savepoint=False``: no
extra statements inside the caller's transaction).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.db import models, transaction

from govsocial.ledger.registry import recorded_model
from govsocial.tenancy import TenantQuerySet


class AppendOnlyError(Exception):
    message = "This record can never be changed or deleted."

    def __init__(self) -> None:
        super().__init__(self.message)


class AppendOnlyQuerySet(TenantQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise self._error()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self._error()

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        if recorded_model(self.model) is None:
            return super().bulk_create(objs, *args, **kwargs)
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise ValueError("Rows recorded in the ledger cannot be inserted on conflict.")
        from govsocial.ledger.append import ledger_append_many

        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            ledger_append_many(created)
        return created

    def _error(self) -> AppendOnlyError:
        error: type[AppendOnlyError] = getattr(self.model, "immutable_error", AppendOnlyError)
        return error()


class AppendOnlyModel(models.Model):
    immutable_error: ClassVar[type[AppendOnlyError]] = AppendOnlyError

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise self.immutable_error()
        if recorded_model(type(self)) is None:
            super().save(*args, **kwargs)
            return
        from govsocial.ledger.append import ledger_append

        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            ledger_append(self)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise self.immutable_error()
