"""Application guards for append-only tables (the database guard is a pgtrigger ``Protect``).

A model inherits ``AppendOnlyModel`` and names its ``immutable_error``; its manager comes from
``AppendOnlyQuerySet``. Saving an existing row, deleting one, and bulk ``update()``/``delete()``
raise that error before any query is sent, so SQLite demo installs (no triggers) are guarded
too and callers get a clear message instead of a database error.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

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
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise self.immutable_error()
