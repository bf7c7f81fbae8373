"""What an institution publishes about itself on its public pages: contact details, the
accessibility statement's facts and the data protection officer (docs/public-pages.md).

An abstract model that ``Institution`` inherits, so the settings stay on the institution row
(recorded by its history like every other setting) while this module keeps them together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CONTACT_FIELDS = (
    "contact_email",
    "contact_phone",
    "contact_postal_address",
    "contact_url",
    "dpo_email",
)
ACCESSIBILITY_FIELDS = (
    "accessibility_status",
    "accessibility_prepared_on",
    "accessibility_reviewed_on",
    "accessibility_email",
    "accessibility_phone",
    "accessibility_url",
    "accessibility_known_issues",
    "accessibility_ombudsman",
    "accessibility_ombudsman_other",
)
PUBLIC_DETAILS = (*CONTACT_FIELDS, *ACCESSIBILITY_FIELDS)
"""The settings of this module, editable on the institution settings page (in this order)."""

validate_phone = RegexValidator(
    r"^\+?[0-9][0-9 ./()-]{5,28}$",
    _("Enter a phone number: digits, spaces and + . / ( ) - only."),
)


class AccessibilityStatus(models.TextChoices):
    """The three statuses of the model statement (Implementing Decision (EU) 2018/1523)."""

    FULL = "full", _("fully compliant")
    PARTIAL = "partial", _("partially compliant")
    NONE = "none", _("not compliant")


class Ombudsman(models.TextChoices):
    """The last step of the enforcement procedure: the ombudsman competent for the body that
    supervises the site (accessibility.belgium.be, "Quels contacts mentionner sur la
    déclaration d'accessibilité"). Only the bodies whose details we checked are offered;
    any other one is described in the free text."""

    FEDERAL = "federal", _("the Federal Ombudsman (federal public bodies)")
    BRUSSELS = "brussels", _("the Brussels Ombudsman (Brussels-Capital Region bodies)")
    OTHER = "other", _("another ombudsman, described below")


class InstitutionPublicDetails(models.Model):
    contact_email = models.EmailField(_("contact e-mail address"), blank=True)
    contact_phone = models.CharField(
        _("contact phone number"), max_length=30, blank=True, validators=[validate_phone]
    )
    contact_postal_address = models.TextField(_("postal address"), max_length=300, blank=True)
    contact_url = models.URLField(
        _("website"), blank=True, help_text=_("The institution's own website, if any.")
    )
    dpo_email = models.EmailField(
        _("data protection officer's e-mail address"),
        blank=True,
        help_text=_("Shown in the privacy notice. Empty: the contact e-mail address is shown."),
    )
    accessibility_status = models.CharField(
        _("compliance with WCAG 2.1 level AA"),
        max_length=10,
        choices=AccessibilityStatus,
        default=AccessibilityStatus.PARTIAL,
        help_text=_(
            "“Partially compliant” is the honest status for GovSocial's own pages: see the "
            "known limitations listed in the statement."
        ),
    )
    accessibility_prepared_on = models.DateField(
        _("accessibility statement prepared on"), default=timezone.localdate
    )
    accessibility_reviewed_on = models.DateField(
        _("accessibility statement last reviewed on"),
        null=True,
        blank=True,
        help_text=_("Review the statement at least once a year."),
    )
    accessibility_email = models.EmailField(
        _("accessibility contact e-mail address"),
        blank=True,
        help_text=_("Empty: the contact e-mail address is shown."),
    )
    accessibility_phone = models.CharField(
        _("accessibility contact phone number"),
        max_length=30,
        blank=True,
        validators=[validate_phone],
    )
    accessibility_url = models.URLField(_("accessibility feedback form (web address)"), blank=True)
    accessibility_known_issues = models.TextField(
        _("other content known not to be accessible"),
        max_length=2000,
        blank=True,
        help_text=_("Listed after GovSocial's own known limitations, as written here."),
    )
    accessibility_ombudsman = models.CharField(
        _("ombudsman for accessibility complaints"),
        max_length=10,
        choices=Ombudsman,
        default=Ombudsman.FEDERAL,
    )
    accessibility_ombudsman_other = models.TextField(
        _("other ombudsman: name and contact details"),
        max_length=1000,
        blank=True,
        help_text=_("Only with “another ombudsman”."),
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        errors: dict[str, StrOrPromise] = {}
        today = timezone.localdate()
        prepared, reviewed = self.accessibility_prepared_on, self.accessibility_reviewed_on
        if prepared and prepared > today:
            errors["accessibility_prepared_on"] = _("This date is in the future.")
        if reviewed and reviewed > today:
            errors["accessibility_reviewed_on"] = _("This date is in the future.")
        elif reviewed and prepared and reviewed < prepared:
            errors["accessibility_reviewed_on"] = _(
                "The review cannot come before the statement was prepared."
            )
        other = self.accessibility_ombudsman == Ombudsman.OTHER
        if other and not self.accessibility_ombudsman_other.strip():
            errors["accessibility_ombudsman_other"] = _("Name the ombudsman and how to reach them.")
        if errors:
            raise ValidationError(errors)

    @property
    def accessibility_contact_email(self) -> str:
        return self.accessibility_email or self.contact_email

    @property
    def data_protection_email(self) -> str:
        return self.dpo_email or self.contact_email
