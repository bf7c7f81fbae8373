"""Charters, their immutable published versions, per-language texts and numbered rules.

A charter (staff charter or public house rules) has numbered versions. Exactly one version can
be a draft at a time; publishing freezes it and its texts and rules for good (see
``charter.immutability``). Moderation decisions point at ``CharterRule`` rows, so an old decision
keeps the exact wording it cited after newer versions are published.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Institution
from charter.immutability import (
    PUBLISHED,
    PublishedVersionError,
    VersionChildMixin,
    VersionChildQuerySet,
    protect_children_of_published_version,
    protect_published_version,
)
from charter.querysets import CharterQuerySet, CharterVersionQuerySet
from govsocial.tenancy import TenantQuerySet


class Audience(models.TextChoices):
    STAFF = "staff", _("Staff charter")
    PUBLIC = "public", _("Public charter")


class CharterLanguage(models.TextChoices):
    FRENCH = "fr", "Français"
    DUTCH = "nl", "Nederlands"
    ENGLISH = "en", "English"


class Charter(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="charters")
    audience = models.CharField(_("audience"), max_length=10, choices=Audience)
    slug = models.SlugField(_("short name in URLs"), max_length=60)
    title = models.CharField(_("internal title"), max_length=200)
    is_house_rules = models.BooleanField(
        _("house rules"),
        default=False,
        help_text=_(
            "The public charter whose rules moderators cite when they hide or remove a comment "
            "(one per institution)."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CharterQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("charter")
        verbose_name_plural = _("charters")
        ordering = ("audience", "title")
        constraints = (
            models.UniqueConstraint(fields=("institution", "slug"), name="charter_unique_slug"),
            models.UniqueConstraint(
                fields=("institution",),
                condition=Q(is_house_rules=True),
                name="charter_one_house_rules",
                violation_error_message=_(
                    "This institution already has its house rules: only one charter can be the "
                    "house rules."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_house_rules=False) | Q(audience="public"),
                name="charter_house_rules_are_public",
                violation_error_message=_("Only a public charter can be the house rules."),
            ),
        )

    def __str__(self) -> str:
        return self.title

    def latest_published(self) -> CharterVersion | None:
        """From prefetched ``versions`` when available (list pages), else one query."""
        published = [v for v in self.versions.all() if v.is_published]
        return max(published, key=lambda v: v.number, default=None)

    def current_draft(self) -> CharterVersion | None:
        return next((v for v in self.versions.all() if not v.is_published), None)


class CharterVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = PUBLISHED, _("Published")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    charter = models.ForeignKey(Charter, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    change_summary = models.TextField(_("summary of changes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CharterVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("charter version")
        verbose_name_plural = _("charter versions")
        ordering = ("charter", "-number")
        constraints = (
            models.UniqueConstraint(fields=("charter", "number"), name="charter_version_number"),
            models.UniqueConstraint(
                fields=("charter",), condition=Q(status="draft"), name="charter_one_draft"
            ),
        )
        indexes = (
            # in_force(): the latest published version of a charter at a moment.
            models.Index(fields=("charter", "status", "-published_at"), name="charter_in_force"),
        )
        triggers = (protect_published_version(),)

    def __str__(self) -> str:
        return f"{self.charter} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_stored_status", None) == PUBLISHED:
            raise PublishedVersionError
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if getattr(self, "_stored_status", None) == PUBLISHED:
            raise PublishedVersionError
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, *args: Any, **kwargs: Any) -> Any:
        """Remember the stored status: a row loaded as published refuses save() and delete()."""
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        instance._stored_status = instance.status
        return instance

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED


class CharterText(VersionChildMixin):
    """A version's text in one language: Markdown source, and the sanitised HTML of publication."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="texts")
    language = models.CharField(max_length=2, choices=CharterLanguage)
    title = models.CharField(_("title"), max_length=200)
    body_markdown = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(blank=True)

    objects = VersionChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("charter text")
        verbose_name_plural = _("charter texts")
        constraints = (
            models.UniqueConstraint(fields=("version", "language"), name="charter_text_language"),
        )
        triggers = (protect_children_of_published_version(),)

    def __str__(self) -> str:
        return f"{self.version} [{self.language}]"


class CharterRule(VersionChildMixin):
    """Rule Rn of a version, and which moderation actions it can justify."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="rules")
    number = models.PositiveSmallIntegerField(
        _("number"), validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    position = models.PositiveSmallIntegerField(default=0)
    justifies_hide = models.BooleanField(_("can justify hiding"), default=True)
    justifies_remove = models.BooleanField(_("can justify removal"), default=True)

    objects = VersionChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("charter rule")
        verbose_name_plural = _("charter rules")
        ordering = ("version", "position", "number")
        constraints = (
            models.UniqueConstraint(fields=("version", "number"), name="charter_rule_number"),
        )
        triggers = (protect_children_of_published_version(),)

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """The rule's stable label and anchor, e.g. ``R3``."""
        return f"R{self.number}"


class CharterRuleText(VersionChildMixin):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(CharterRule, on_delete=models.PROTECT, related_name="texts")
    language = models.CharField(max_length=2, choices=CharterLanguage)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))

    objects = VersionChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("charter rule text")
        verbose_name_plural = _("charter rule texts")
        constraints = (
            models.UniqueConstraint(fields=("rule", "language"), name="charter_rule_text_language"),
        )
        triggers = (protect_children_of_published_version(),)

    def __str__(self) -> str:
        return f"{self.rule} [{self.language}]"


class Acknowledgement(models.Model):
    """A member read and accepted a published staff charter version."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        CharterVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = (
            models.UniqueConstraint(fields=("version", "user"), name="acknowledgement_once"),
        )

    def __str__(self) -> str:
        return f"{self.user} ✓ {self.version}"
