"""Published charter versions can never change: guarded in PostgreSQL and in the application.

The database guard (pgtrigger triggers, installed by migrations) is the one that matters: it
also stops raw SQL and other programs. The application guard raises ``PublishedVersionError``
before a query is sent, so SQLite demo installs (where pgtrigger installs nothing) are protected
too and users get a clear message instead of a database error.
"""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.db import models

PUBLISHED = "published"

IMMUTABLE_MESSAGE = "A published charter version cannot be changed; start a new draft."


class PublishedVersionError(Exception):
    """Raised when code tries to change a published version, its texts or its rules."""

    def __init__(self) -> None:
        super().__init__(IMMUTABLE_MESSAGE)


def protect_published_version() -> pgtrigger.Protect:
    """On the version table: no UPDATE or DELETE once a row's status is published."""
    return pgtrigger.Protect(
        name="published_version_immutable",
        operation=pgtrigger.Update | pgtrigger.Delete,
        condition=pgtrigger.Q(old__status=PUBLISHED),
    )


def protect_children_of_published_version() -> pgtrigger.Trigger:
    """On texts and rules: nothing inserted into, changed in or removed from a published version."""
    return pgtrigger.Trigger(
        name="published_version_children_immutable",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        func="""
            IF (TG_OP <> 'INSERT' AND EXISTS (
                    SELECT 1 FROM charter_charterversion v
                    WHERE v.id = OLD.version_id AND v.status = 'published'))
               OR (TG_OP <> 'DELETE' AND EXISTS (
                    SELECT 1 FROM charter_charterversion v
                    WHERE v.id = NEW.version_id AND v.status = 'published')) THEN
                RAISE EXCEPTION 'GovSocial: % refused on a published charter version', TG_OP;
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        """,
    )


class VersionChildQuerySet(models.QuerySet):
    """Bulk writes on texts and rules refuse rows of published versions."""

    def update(self, **kwargs: Any) -> int:
        self._refuse_published()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse_published()
        return super().delete()

    def _refuse_published(self) -> None:
        if self.filter(version__status=PUBLISHED).exists():
            raise PublishedVersionError


class VersionChildMixin(models.Model):
    """Per-row guard for models that belong to a version (``version`` foreign key)."""

    version: Any  # the CharterVersion foreign key, declared by each concrete model

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.version.status == PUBLISHED:
            raise PublishedVersionError
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.version.status == PUBLISHED:
            raise PublishedVersionError
        return super().delete(*args, **kwargs)
