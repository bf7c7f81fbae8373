"""An institution's channels, their connector secrets, and the raw deliveries they receive."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Institution, validate_spoken_languages
from channels.keywords import Watch
from channels.querysets import ChannelQuerySet, ImportJobQuerySet, InboundDeliveryQuerySet
from govsocial.secrets import decrypt_secret, encrypt_secret
from govsocial.tenancy import TenantQuerySet


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X (Twitter)"
    YOUTUBE = "youtube", "YouTube"
    LINKEDIN = "linkedin", "LinkedIn"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    VIVA_ENGAGE = "viva_engage", "Viva Engage (Yammer)"
    VIMEO = "vimeo", "Vimeo"
    FLICKR = "flickr", "Flickr"
    WEBSITE = "website", _("Website")
    OTHER = "other", _("Other")


PLATFORM_ICONS = {
    Platform.FACEBOOK: "facebook", Platform.INSTAGRAM: "instagram", Platform.X: "twitter-x",
    Platform.YOUTUBE: "youtube", Platform.LINKEDIN: "linkedin", Platform.MASTODON: "mastodon",
    Platform.BLUESKY: "bluesky", Platform.VIVA_ENGAGE: "microsoft-teams", Platform.VIMEO: "vimeo",
    Platform.FLICKR: "camera", Platform.WEBSITE: "globe", Platform.OTHER: "chat-dots",
}  # fmt: skip
"""Bootstrap Icons symbol per platform (the sprite in static/vendor)."""


class ChannelAudience(models.TextChoices):
    PUBLIC = "public", _("Public")
    STAFF = "staff", _("Staff only")
    PRESS = "press", _("Press")


def platform_icon(platform: str) -> str:
    """The Bootstrap icon of a platform (a generic one for the others)."""
    return PLATFORM_ICONS.get(Platform(platform), "chat-dots")


class Channel(models.Model):
    """A page or account an institution runs, and how its content reaches GovSocial.

    ``webhook_id`` is random and appears in webhook URLs; it identifies, it does not
    authenticate: every delivery is verified with the channel's signing secret.
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="channels")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform)
    name = models.CharField(_("name"), max_length=200)
    handle = models.CharField(_("handle or page id"), max_length=200, blank=True)
    url = models.URLField(_("address"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=10, choices=ChannelAudience, default=ChannelAudience.PUBLIC
    )
    target_groups = models.CharField(_("target groups"), max_length=500, blank=True)
    languages = models.JSONField(
        _("languages"),
        default=list,
        validators=[validate_spoken_languages],
        help_text=_("The first one is assumed for items that arrive without a language."),
    )
    purpose = models.TextField(_("purpose"), blank=True)
    response_hours = models.PositiveSmallIntegerField(
        _("response time (hours)"), validators=[MinValueValidator(1), MaxValueValidator(168)]
    )
    crisis_mode = models.BooleanField(_("crisis mode"), default=False)
    crisis_response_hours = models.PositiveSmallIntegerField(
        _("crisis response time (hours)"), validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="moderated_channels",
        verbose_name=_("moderation team"),
    )
    webhook_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    signing_secret_encrypted = models.TextField(blank=True)
    verify_token_encrypted = models.TextField(blank=True)
    access_token_encrypted = models.TextField(blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # What the platform said of the access token at the last check (channels.services.tokens).
    token_checked_at = models.DateTimeField(null=True, blank=True)
    token_valid = models.BooleanField(
        null=True, blank=True, help_text="None: never checked, or the last check could not run."
    )
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_missing_scopes = models.JSONField(default=list, blank=True)
    token_error = models.TextField(
        blank=True, help_text="Why the token is invalid, or why the check could not run."
    )

    objects = ChannelQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=[
            "signing_secret_encrypted",
            "verify_token_encrypted",
            "access_token_encrypted",
            # observations of the daily check, not changes anybody made; the warnings they
            # cause are notifications.
            "token_checked_at",
            "token_valid",
            "token_expires_at",
            "token_missing_scopes",
            "token_error",
        ]
    )

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ("platform", "name")
        constraints = (
            models.CheckConstraint(
                condition=Q(response_hours__gte=1, response_hours__lte=168),
                name="channel_response_hours_range",
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    @property
    def signing_secret(self) -> str:
        """Meta's app secret, or the generic webhook's HMAC key."""
        return decrypt_secret(self.signing_secret_encrypted)

    @signing_secret.setter
    def signing_secret(self, value: str) -> None:
        self.signing_secret_encrypted = encrypt_secret(value)

    @property
    def verify_token(self) -> str:
        """The token Meta echoes in its subscription handshake."""
        return decrypt_secret(self.verify_token_encrypted)

    @verify_token.setter
    def verify_token(self, value: str) -> None:
        self.verify_token_encrypted = encrypt_secret(value)

    @property
    def access_token(self) -> str:
        """The API token a polling connector (Mastodon) reads the channel with."""
        return decrypt_secret(self.access_token_encrypted)

    @access_token.setter
    def access_token(self, value: str) -> None:
        self.access_token_encrypted = encrypt_secret(value)

    @property
    def icon(self) -> str:
        return platform_icon(self.platform)

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else self.institution.default_language


class WatchTerm(models.Model):
    """A term or phrase the institution watches for ("veille") in everything that arrives."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    term = models.CharField(_("term or phrase"), max_length=200)
    match_prefix = models.BooleanField(
        _("also match longer words"),
        default=False,
        help_text=_("“police” then also matches “policier”."),
    )
    exclusions = models.CharField(
        _("exclusions"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated phrases that cancel a match, e.g. “police d'assurance”."),
    )
    language = models.CharField(
        _("only in this language"),
        max_length=2,
        blank=True,
        choices=[("fr", "Français"), ("nl", "Nederlands"), ("de", "Deutsch"), ("en", "English")],
    )
    urgent = models.BooleanField(
        _("urgent"),
        default=False,
        help_text=_("Notify the channel's team at once."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("watch term")
        verbose_name_plural = _("watch terms")
        ordering = ("term",)

    def __str__(self) -> str:
        return self.term

    def as_watch(self) -> Watch:
        exclusions = tuple(part.strip() for part in self.exclusions.split(",") if part.strip())
        return Watch(self.pk, self.term, self.match_prefix, exclusions, self.language, self.urgent)


class KeywordHit(models.Model):
    """A watch term found in an item: the basis of the counts per term over time."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    term = models.ForeignKey(WatchTerm, on_delete=models.CASCADE, related_name="hits")
    item = models.ForeignKey("moderation.Item", on_delete=models.CASCADE, related_name="+")
    matched_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("keyword hit")
        verbose_name_plural = _("keyword hits")
        constraints = (models.UniqueConstraint(fields=("term", "item"), name="keyword_hit_once"),)
        indexes = (
            # counts per term per week on the watch page.
            models.Index(fields=("institution", "matched_at"), name="keyword_hit_by_time"),
        )

    def __str__(self) -> str:
        return f"{self.term} → {self.item_id}"


class InboundDelivery(models.Model):
    """One webhook request, stored as raw bytes before the platform gets its 200.

    Bytes, because PostgreSQL refuses NUL in text and jsonb and Meta signs the exact bytes it
    sent. Unique per (channel, body hash): a platform's retry of the same body stores nothing new.
    """

    class Source(models.TextChoices):
        META = "meta", "Meta"
        GENERIC = "generic", _("Generic webhook")
        MASTODON = "mastodon", _("Mastodon polling")
        YOUTUBE = "youtube", _("YouTube polling")
        X = "x", _("X (polling and webhook)")
        LINKEDIN = "linkedin", _("LinkedIn polling")

    class Status(models.TextChoices):
        # Context: in French the labels agree with "livraison" (a column "Received" does not).
        RECEIVED = "received", pgettext_lazy("webhook delivery status", "Received")
        PROCESSED = "processed", pgettext_lazy("webhook delivery status", "Processed")
        FAILED = "failed", _("Failed")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="deliveries")
    source = models.CharField(max_length=10, choices=Source)
    body = models.BinaryField()
    body_sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status, default=Status.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    times_received = models.PositiveIntegerField(default=1)

    objects = InboundDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbound delivery")
        verbose_name_plural = _("inbound deliveries")
        constraints = (
            models.UniqueConstraint(fields=("channel", "body_sha256"), name="delivery_once"),
        )
        indexes = (
            # delivery sweeper: deliveries still waiting, oldest first.
            models.Index(
                fields=("received_at",), condition=Q(status="received"), name="delivery_waiting"
            ),
            # drains: a channel's waiting deliveries, oldest first.
            models.Index(
                fields=("channel", "received_at"),
                condition=Q(status="received"),
                name="delivery_waiting_by_channel",
            ),
            # the admin page of failed deliveries per institution.
            models.Index(
                fields=("institution", "status", "-received_at"), name="delivery_by_status"
            ),
        )

    def __str__(self) -> str:
        return f"{self.source} delivery {self.pk} ({self.status})"


class PollState(models.Model):
    """Where a polling connector stands for one channel: cursor, schedule, last outcome.

    ``lease_until`` keeps two workers from polling the same channel at once; it expires by
    itself, so a worker killed mid-poll blocks the channel for minutes, not forever.
    """

    channel = models.OneToOneField(
        Channel, on_delete=models.CASCADE, primary_key=True, related_name="poll_state"
    )
    cursor = models.CharField(max_length=255, blank=True)
    next_poll_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    items_fetched = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("polling state")
        verbose_name_plural = _("polling states")

    def __str__(self) -> str:
        return f"poll state of channel {self.channel_id}"


class ImportJob(models.Model):
    """A file of items a communicator uploaded for a channel, and how far its import has got.

    The file's bytes are kept: the job can resume after a worker dies (it continues from
    ``processed_rows``), and the original stays available for as long as the job exists.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Could not be read")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=4, choices=(("csv", "CSV"), ("json", "JSON")))
    historic = models.BooleanField(
        default=False,
        help_text="The rows were already handled elsewhere: new items get no answer deadline.",
    )
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    """``[{"row": n, "reason": "..."}]``, the first ``MAX_REPORTED_ERRORS`` of them."""
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ("-created_at",)
        indexes = (
            # the resume sweeper: unfinished jobs nobody touched lately.
            models.Index(
                fields=("updated_at",),
                condition=Q(status__in=("queued", "running")),
                name="import_unfinished",
            ),
        )

    def __str__(self) -> str:
        return f"{self.file_name} → {self.channel_id} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else int(100 * self.processed_rows / self.total_rows)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
