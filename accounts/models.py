"""Users, institutions, memberships with roles, invitations, and the notification inbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.managers import UserManager
from accounts.public_details import InstitutionPublicDetails
from accounts.querysets import (
    InstitutionQuerySet,
    InvitationQuerySet,
    MembershipQuerySet,
    NotificationQuerySet,
    OutgoingEmailQuerySet,
)


class Role(models.TextChoices):
    COMMUNICATOR = "communicator", _("Communicator")
    SPOKESPERSON = "spokesperson", _("Spokesperson")
    COMPLAINT_OFFICER = "complaint_officer", _("Complaint officer")
    CHARTER_EDITOR = "charter_editor", _("Charter editor")
    INSTITUTION_ADMIN = "institution_admin", _("Institution admin")


# A role that includes the rights of other roles (DESIGN.md: a spokesperson may do everything a
# communicator may). Checks expand held roles through this table, never the other way round.
ROLE_INCLUDES: dict[str, frozenset[str]] = {Role.SPOKESPERSON: frozenset({Role.COMMUNICATOR})}

MODERATOR_ROLES = (Role.COMMUNICATOR, Role.SPOKESPERSON)
"""The roles that work the moderation queue (channel teams, duty, item assignment)."""

MFA_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.COMPLAINT_OFFICER})
"""Roles that must sign in with a second factor: admins, and complaint officers, who see
complainants' personal data."""


class UILanguage(models.TextChoices):
    FRENCH = "fr", "Français"
    DUTCH = "nl", "Nederlands"
    ENGLISH = "en", "English"


class SpokenLanguage(models.TextChoices):
    FRENCH = "fr", _("French")
    DUTCH = "nl", _("Dutch")
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")


def validate_spoken_languages(value: object) -> None:
    allowed = set(SpokenLanguage.values)
    if not isinstance(value, list) or not set(value) <= allowed:
        raise ValidationError(
            _("Choose languages among: %(choices)s."), params={"choices": ", ".join(allowed)}
        )


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class DeadlineEmail(models.TextChoices):
    IMMEDIATE = "immediate", _("One e-mail per warning or missed deadline")
    DIGEST = "digest", _("One summary a day, at 08:00")


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The e-mail address is the login; it is stored lower-cased so it is unique."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("interface language"), max_length=2, choices=UILanguage, default=UILanguage.FRENCH
    )
    spoken_languages = models.JSONField(
        _("languages spoken"),
        default=list,
        blank=True,
        validators=[validate_spoken_languages],
        help_text=_("Used to route items and complaints to someone who reads their language."),
    )
    deadline_email = models.CharField(
        _("deadline e-mails"),
        max_length=10,
        choices=DeadlineEmail,
        default=DeadlineEmail.IMMEDIATE,
        help_text=_("Warnings and missed deadlines are always in your GovSocial inbox."),
    )
    push_quiet_start = models.TimeField(
        _("quiet hours from"),
        null=True,
        blank=True,
        help_text=_("No phone notifications from this time (your institution's time)."),
    )
    push_quiet_end = models.TimeField(
        _("quiet hours until"),
        null=True,
        blank=True,
        help_text=_("Phone notifications resume at this time."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Institution(InstitutionPublicDetails):
    """A public body using GovSocial: the tenant. SLA settings feed the deadline clock; the
    details its public pages show are in ``InstitutionPublicDetails``."""

    slug = models.SlugField(_("short name in URLs"), max_length=50, unique=True)
    name_fr = models.CharField(_("name in French"), max_length=200)
    name_nl = models.CharField(_("name in Dutch"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Brussels", validators=[validate_time_zone]
    )
    default_language = models.CharField(
        _("default language"), max_length=2, choices=UILanguage, default=UILanguage.FRENCH
    )
    social_response_hours = models.PositiveSmallIntegerField(
        _("social media response time (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_("Elapsed hours, evenings and weekends included."),
    )
    complaint_response_days = models.PositiveSmallIntegerField(
        _("complaint response time (calendar days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    warning_share_percent = models.PositiveSmallIntegerField(
        _("warn when this share of the time has elapsed (%)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    hold_suspends_complaint_clock = models.BooleanField(
        _("“on hold” suspends the complaint clock"), default=True
    )
    contest_days = models.PositiveSmallIntegerField(
        _("time to decide on a contested moderation decision (calendar days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Counted from the day the person contests, to the end of the last day."),
    )
    crisis_response_hours = models.PositiveSmallIntegerField(
        _("crisis mode response time (hours)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    complaint_prefix = models.CharField(
        _("complaint reference prefix"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^[A-Z0-9]*$", _("Capital letters and digits only."))],
        help_text=_("E.g. DEF gives DEF-2026-00042. Empty: the first letters of the short name."),
    )
    complaint_retention_months = models.PositiveSmallIntegerField(
        _("keep complainants' personal data after closing (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    item_retention_months = models.PositiveSmallIntegerField(
        _("keep social media items after receipt (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Then their text and author are erased; figures, decisions and items kept as "
            "evidence or linked to a complaint stay."
        ),
    )
    sensitive_removal_needs_spokesperson = models.BooleanField(
        _("a spokesperson approves sensitive removals"),
        default=False,
        help_text=_(
            "A hide or removal of an account on the sensitive accounts list, or concerning "
            "criticism of the institution, is carried out once a second moderator approves it; "
            "ticked, that second person must be a spokesperson."
        ),
    )
    sensitive_removal_hours = models.PositiveSmallIntegerField(
        _("approve sensitive removals within (hours)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_(
            "Elapsed hours. The item's own response time keeps running while a removal waits."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstitutionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ("slug",)
        constraints = (
            models.CheckConstraint(
                condition=Q(social_response_hours__gte=1, social_response_hours__lte=168),
                name="institution_social_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(complaint_response_days__gte=1, complaint_response_days__lte=90),
                name="institution_complaint_days_range",
            ),
            models.CheckConstraint(
                condition=Q(warning_share_percent__gte=1, warning_share_percent__lte=99),
                name="institution_warning_share_range",
            ),
            models.CheckConstraint(
                condition=Q(contest_days__gte=1, contest_days__lte=90),
                name="institution_contest_days_range",
            ),
            models.CheckConstraint(
                condition=Q(crisis_response_hours__gte=1, crisis_response_hours__lte=24),
                name="institution_crisis_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(sensitive_removal_hours__gte=1, sensitive_removal_hours__lte=24),
                name="institution_sensitive_removal_hours_range",
            ),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, falling back to the institution's default language."""
        language = translation.get_language() or self.default_language
        return self.name_in(language)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def reference_prefix(self) -> str:
        return self.complaint_prefix or "".join(c for c in self.slug.upper() if c.isalnum())[:3]

    def name_in(self, language: str) -> str:
        names = {"fr": self.name_fr, "nl": self.name_nl, "en": self.name_en}
        return names.get(language[:2]) or names[self.default_language] or self.slug


class Membership(models.Model):
    """One role held by one user in one institution. A user may hold several (one row each)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = (
            models.UniqueConstraint(
                fields=("institution", "user", "role"), name="membership_unique_role"
            ),
        )
        indexes = (
            # resolve_institution(): the user's active memberships, on every tenant request.
            models.Index(fields=("user", "is_active"), name="membership_user_active"),
        )

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.institution.slug}"


class Invitation(models.Model):
    """An e-mailed, single-use link that lets someone join an institution with given roles.

    Only the SHA-256 of the token is stored; the link itself exists only in the e-mail.
    """

    VALIDITY_DAYS = 7

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    roles = models.JSONField(_("roles"), default=list)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.email} → {self.institution.slug}"

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now

    def get_roles_display(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles if role in Role.values]


class NotificationEmail(models.TextChoices):
    """Where a notification's e-mail stands, for producers that e-mail in a second phase."""

    PENDING = "pending", _("E-mail to write")
    QUEUED = "queued", _("E-mail in the outbox")
    DIGEST = "digest", _("Waiting for the daily summary")
    DIGESTED = "digested", _("Sent in a daily summary")


class Notification(models.Model):
    """An in-app message in one user's inbox, rendered in that user's language when created.

    ``dedupe_key`` lets a producer (the deadline engine) make "notify once" a database fact: a
    second insert with the same key for the same recipient violates the unique constraint.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=64)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    about = models.CharField(
        max_length=100,
        blank=True,
        help_text="What the notice is about (e.g. complaints.case:42), so that erasing it "
        "can find the notice; see accounts.services.notifications.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=10,
        choices=NotificationEmail,
        blank=True,
        help_text="Deadline notices: their e-mail is written by a second phase (outbox).",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("recipient", "dedupe_key"),
                condition=~Q(dedupe_key=""),
                name="notification_once_per_key",
            ),
        )
        indexes = (
            # The navigation bar's unread count, on every page.
            models.Index(
                fields=("recipient", "created_at"),
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # The inbox page, newest first.
            models.Index(fields=("recipient", "-created_at"), name="notification_inbox"),
            # The deadline e-mail phase and the daily summaries.
            models.Index(
                fields=("email_status", "recipient"),
                condition=Q(email_status__in=("pending", "digest")),
                name="notification_email_waiting",
            ),
            # Erasure of what a notice is about (notifications_forget).
            models.Index(fields=("about",), condition=~Q(about=""), name="notification_about"),
        )

    def __str__(self) -> str:
        return self.subject


class OutgoingEmail(models.Model):
    """The e-mail outbox: a row is written in the same transaction as what caused the mail.

    Delivery is at-least-once: a crash between the SMTP server's acceptance and the status update
    can send a mail twice. The stable Message-ID lets mail clients collapse such duplicates.
    Sent and failed mails are deleted ``EMAIL_RETENTION_DAYS`` after they were written, and with
    what they are ``about`` when that is erased: the outbox is no archive of personal data.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    MAX_ATTEMPTS = 5

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_address = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    message_id = models.CharField(max_length=200, unique=True)
    about = models.CharField(
        max_length=100,
        blank=True,
        help_text="What the mail is about (e.g. complaints.case:42), so that erasing it can "
        "find the mail; see accounts.services.notifications.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = (
            # email_outbox_sweep(): pending mails whose next attempt is due.
            models.Index(
                fields=("next_attempt_at",),
                condition=Q(status="pending"),
                name="outgoing_email_due",
            ),
            # Erasure of what a mail is about (emails_forget).
            models.Index(fields=("about",), condition=~Q(about=""), name="outgoing_email_about"),
            # The outbox's retention (email_outbox_purge): finished mails by age.
            models.Index(
                fields=("created_at",),
                condition=Q(status__in=("sent", "failed")),
                name="outgoing_email_finished",
            ),
        )

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"


class PushSubscription(models.Model):
    """One browser or phone that accepted Web Push notifications for a person (RFC 8030).

    ``endpoint`` is the push service's address for that device (chosen by the browser's vendor);
    ``p256dh`` and ``auth`` are the device's public key and authentication secret, base64url,
    with which each message is encrypted (RFC 8291) so the push service cannot read it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    label = models.CharField(_("device"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phone notification device")
        verbose_name_plural = _("phone notification devices")
        ordering = ("created_at", "id")
        # The person's devices page and the fan-out read by user: the FK's own index serves.

    def __str__(self) -> str:
        return self.label or self.endpoint[:60]


class PushDelivery(models.Model):
    """One message to one device: the record that it was (or could not be) pushed.

    Unique per (notification, device), so a notice is pushed to a device once however often
    the fan-out runs. A test message has no notification. The text is not copied here: it is
    read from the notification when sending, so erasing a notification erases the push too.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("To send")
        SENT = "sent", _("Sent")
        GONE = "gone", _("Device gone")
        FAILED = "failed", _("Failed")

    MAX_ATTEMPTS = 5

    subscription = models.ForeignKey(
        PushSubscription,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        help_text="Empty once the device is gone (removed, or refused by its push service).",
    )
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phone notification")
        verbose_name_plural = _("phone notifications")
        constraints = (
            models.UniqueConstraint(
                fields=("notification", "subscription"),
                condition=Q(notification__isnull=False),
                name="push_once_per_device",
            ),
        )
        indexes = (
            # push_deliveries_purge(): finished deliveries by age.
            models.Index(fields=("created_at",), name="push_delivery_created"),
        )

    def __str__(self) -> str:
        return f"{self.notification_id or 'test'} → {self.subscription_id}: {self.status}"
