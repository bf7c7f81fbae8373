"""Complaint cases, the complainant's personal data kept apart, and the append-only timeline.

Personal data lives only in ``Complainant`` (one row per case, erasable on its own); the case and
its timeline hold none, so statistics and history survive erasure and anonymisation.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Institution, SpokenLanguage
from complaints.querysets import CaseQuerySet, CategoryQuerySet
from govsocial.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from govsocial.tenancy import TenantQuerySet


class Source(models.TextChoices):
    SOCIAL_MEDIA = "social_media", _("Social media")
    PHONE = "phone", _("Phone")
    WEB_FORM = "web_form", _("Web form")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")


class Status(models.TextChoices):
    # Contexts: in French the labels agree with "plainte" (a column "Received" does not).
    RECEIVED = "received", pgettext_lazy("complaint status", "Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    ANSWERED = "answered", pgettext_lazy("complaint status", "Answered")
    CLOSED = "closed", _("Closed")


CLOCK_RUNNING = ("received", "acknowledged", "in_progress", "on_hold")
"""Statuses in which the 30-day answer is still owed (on hold: unless the institution suspends
the clock while waiting for the complainant; see ``CaseQuerySet.answer_owed``)."""


class Outcome(models.TextChoices):
    FOUNDED = "founded", _("Founded")
    PARTLY_FOUNDED = "partly_founded", _("Partly founded")
    UNFOUNDED = "unfounded", _("Unfounded")
    NOT_ADMISSIBLE = "not_admissible", _("Not admissible")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Category(models.Model):
    """A complaint category: built in (no institution) or an institution's own."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.SlugField(max_length=50)
    name_fr = models.CharField(_("name in French"), max_length=200)
    name_nl = models.CharField(_("name in Dutch"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ("code",)
        constraints = (
            models.UniqueConstraint(
                fields=("code",), condition=Q(institution__isnull=True), name="category_builtin"
            ),
            models.UniqueConstraint(
                fields=("institution", "code"), name="category_per_institution"
            ),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        from django.utils import translation

        language = (translation.get_language() or "en")[:2]
        return {"fr": self.name_fr, "nl": self.name_nl}.get(language) or self.name_en


class ReferenceCounter(models.Model):
    """The last reference number given per institution and year (see services.references)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("institution", "year"), name="reference_counter_once"),
        )

    def __str__(self) -> str:
        return f"{self.institution_id}/{self.year}: {self.last_number}"


class Case(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=32)
    source = models.CharField(_("source"), max_length=20, choices=Source)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"))
    language = models.CharField(_("language"), max_length=2, choices=SpokenLanguage)
    received_at = models.DateTimeField(_("received"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    due_at = models.DateTimeField(_("answer due"))
    warn_at = models.DateTimeField()
    warned_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline check sent (or superseded) the warning."
    )
    breached_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline check notified the missed deadline."
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.RECEIVED)
    on_hold_since = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, blank=True)
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("officer"),
    )
    assigned_team = models.ForeignKey(
        "complaints.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("team"),
    )
    channel = models.ForeignKey(
        "channels.Channel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("channel"),
    )
    items = models.ManyToManyField(
        "moderation.Item", blank=True, related_name="complaint_cases", verbose_name=_("items")
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ("due_at",)
        constraints = (
            models.UniqueConstraint(fields=("institution", "reference"), name="case_reference"),
            models.CheckConstraint(
                condition=Q(status="closed") | Q(outcome=""), name="case_outcome_only_when_closed"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""), name="case_closed_has_outcome"
            ),
        )
        indexes = (
            # officers' lists and the deadline engine: open cases by due date.
            models.Index(
                fields=("institution", "due_at"),
                condition=~Q(status="closed"),
                name="case_open_by_due",
            ),
            # reports: complaints received per month.
            models.Index(fields=("institution", "received_at"), name="case_received"),
            # the deadline check: only cases still to warn or to breach (see deadlines/engine.py).
            models.Index(
                fields=("warn_at",),
                condition=Q(status__in=CLOCK_RUNNING, warned_at__isnull=True),
                name="case_to_warn",
            ),
            models.Index(
                fields=("due_at",),
                condition=Q(status__in=CLOCK_RUNNING, breached_at__isnull=True),
                name="case_to_breach",
            ),
        )

    def __str__(self) -> str:
        return self.reference

    @property
    def about_key(self) -> str:
        """Names this case on notifications and e-mails about it, so erasure finds them."""
        return f"complaints.case:{self.pk}"

    @property
    def answer_is_owed(self) -> bool:
        """Whether the page shows the time left (the same rule as ``CaseQuerySet.answer_owed``,
        holds aside: a held case shows its deadline)."""
        return self.status in CLOCK_RUNNING and self.answered_at is None


class Complainant(models.Model):
    """The complainant's personal data: seen only by the institution's complaint officers.

    Erasure blanks every field and records when; the row stays so the case shows "erased".
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="complainant")
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    social_account = models.CharField(_("social media account"), max_length=1000, blank=True)
    is_staff_member = models.BooleanField(_("member of staff"), default=False)
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("complainant")
        verbose_name_plural = _("complainants")

    def __str__(self) -> str:
        return f"complainant of case {self.case_id}"

    PERSONAL_FIELDS = ("name", "email", "phone", "postal_address", "social_account")


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledgement sent")
    STATUS = "status", _("Status changed")
    HELD = "held", _("Put on hold")
    RESUMED = "resumed", _("Resumed")
    ANSWERED = "answered", _("Answer sent")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    ASSIGNED = "assigned", _("Assigned")
    ITEM_LINKED = "item_linked", _("Social media item linked")
    REROUTED = "rerouted", _("Rerouted")
    NOTE_ADDED = "note_added", _("Internal note")
    ATTACHMENT_ADDED = "attachment_added", _("File attached")
    EVIDENCE_PRESERVED = "evidence_preserved", _("Evidence preserved")
    EVIDENCE_DOWNLOADED = "evidence_downloaded", _("Evidence bundle downloaded")
    ADVICE_GIVEN = "advice_given", _("Advice given")
    REFERRED = "referred", _("Referred")
    PERSONAL_DATA_EXPORTED = "personal_data_exported", _("Personal data exported")
    PERSONAL_DATA_ERASED = "personal_data_erased", _("Personal data erased")
    TRACKING_LINK_ISSUED = "tracking_link_issued", _("Tracking link sent")
    TRACKING_LINK_CLOSED = "tracking_link_closed", _("Tracking link closed")
    LEGAL_HOLD_PLACED = "legal_hold_placed", _("Legal hold placed")
    LEGAL_HOLD_LIFTED = "legal_hold_lifted", _("Legal hold lifted")


class TimelineImmutableError(AppendOnlyError):
    message = "The complaint timeline is append-only."


class TimelineEvent(AppendOnlyModel):
    """One thing that happened to a case. Append-only (database triggers and model guards).

    ``data`` holds facts (states, dates, reasons typed by officers, ids), never personal data of
    the complainant: that lives in ``Complainant``.
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=EventKind)
    data = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()
    immutable_error = TimelineImmutableError

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ("at", "pk")
        triggers = (
            pgtrigger.Protect(
                name="timeline_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        )

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def outcome_label(self) -> str:
        value = self.data.get("outcome", "")
        return str(Outcome(value).label) if value in Outcome.values else ""

    @property
    def dates(self) -> dict[str, datetime]:
        """The event's recorded dates (stored as ISO strings) as datetimes, for display."""
        return {
            key: datetime.fromisoformat(value)
            for key, value in self.data.items()
            if key.endswith(("_at", "_since", "_before")) and isinstance(value, str)
        }


class Team(models.Model):
    """A group of complaint officers cases can be routed to."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="complaint_teams",
        verbose_name=_("members"),
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ("name",)
        constraints = (models.UniqueConstraint(fields=("institution", "name"), name="team_name"),)

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """If a new case matches every condition given (empty = any), it goes to the target.

    Rules are tried by ``position``; the institution's default rule (no conditions) comes last.
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("name"), max_length=200)
    is_default = models.BooleanField(_("default route"), default=False)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="+", verbose_name=_("categories")
    )
    sources = models.JSONField(_("sources"), default=list, blank=True)
    channels = models.ManyToManyField(
        "channels.Channel", blank=True, related_name="+", verbose_name=_("channels")
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    keywords = models.CharField(
        _("keywords"),
        max_length=1000,
        blank=True,
        help_text=_(
            "Comma-separated; any of them in the subject or text (case and accents ignored)."
        ),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ("is_default", "position", "pk")
        constraints = (
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(officer__isnull=False),
                name="routing_rule_has_target",
            ),
            models.UniqueConstraint(
                fields=("institution",), condition=Q(is_default=True), name="routing_one_default"
            ),
        )

    def __str__(self) -> str:
        return self.name


class LetterKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of receipt")
    ANSWER = "answer", _("Answer")


class LetterTemplate(models.Model):
    """An institution's wording of a letter kind in one language (placeholders in braces)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=LetterKind)
    language = models.CharField(_("language"), max_length=2, choices=SpokenLanguage)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        constraints = (
            models.UniqueConstraint(
                fields=("institution", "kind", "language"), name="letter_template_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} ({self.language})"


class Correspondence(models.Model):
    """A letter or e-mail sent to the complainant: personal data, erased with the complainant's."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Printed letter")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="correspondence")
    kind = models.CharField(max_length=20, choices=LetterKind)
    channel = models.CharField(max_length=10, choices=Channel)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = TenantQuerySet.as_manager()

    tracking_url = ""
    """Set by ``letter_send`` on the letter it returns when the text carried a new tracking
    link (the printed letter shows it once); never stored: the body keeps the placeholder."""

    class Meta:
        ordering = ("sent_at", "pk")

    def __str__(self) -> str:
        return f"{self.kind} to case {self.case_id} ({self.channel})"


class Note(models.Model):
    """An internal note on a case, for officers only; erased with the complainant's data."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"note {self.pk} on case {self.case_id}"


RECOMMENDATION_HISTORY = HistoricalRecords(m2m_fields=["categories", "cases"])
"""Kept by name: ``services.recommendations`` writes one row per save itself."""

RECOMMENDATION_TRACKED = ("title", "body", "status", "categories", "cases")
"""The fields a history row names when they change (``services.recommendations``, shown
translated by ``selectors.recommendation_history``)."""


class Recommendation(models.Model):
    """A recommendation to management, with the cases and categories that support it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent to management")
        ACCEPTED = "accepted", _("Accepted")
        IMPLEMENTED = "implemented", _("Implemented")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("recommendation"))
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="recommendations", verbose_name=_("categories")
    )
    cases = models.ManyToManyField(
        Case, blank=True, related_name="recommendations", verbose_name=_("complaints")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()
    history = RECOMMENDATION_HISTORY

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.title


def attachment_path(instance: Attachment, filename: str) -> str:
    """A storage name that reveals nothing and collides with nothing; the extension is kept."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"complaints/{instance.institution_id}/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    """A file joined to a case (a letter, a screenshot...): served only to the case's officers."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ("uploaded_at", "pk")

    def __str__(self) -> str:
        return self.original_name


class EvidenceSnapshot(models.Model):
    """A social media item as it stood when preserved, with the SHA-256 of that content.

    Taken for a complaint (``case``) or when a moderator marks an item as harassment (no case).
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    item = models.ForeignKey(
        "moderation.Item", on_delete=models.PROTECT, related_name="evidence_snapshots"
    )
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)
    captured_at = models.DateTimeField(default=timezone.now)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ("captured_at", "pk")
        triggers = (pgtrigger.Protect(name="evidence_immutable", operation=pgtrigger.Update),)

    def __str__(self) -> str:
        return f"evidence {self.sha256[:12]} of item {self.item_id}"


class TrackingLink(models.Model):
    """The complainant's private link to follow their case: only the token's SHA-256 is kept.

    One per case. Issuing a new token (rotation) replaces the hash, so the old link stops
    working; closing it (erasure of the personal data) blanks the hash for good. Each issue and
    the closing are in the case's timeline, without the token.
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="tracking_link")
    token_hash = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(token_hash=""),
                name="tracking_link_closed_has_no_token",
            ),
        )

    def __str__(self) -> str:
        return f"tracking link of case {self.case_id}"


class LegalHoldImmutableError(AppendOnlyError):
    message = "Legal holds and their lifting are append-only."


class LegalHold(AppendOnlyModel):
    """A case or a social media item put under legal hold: erasure and retention leave it (and
    its evidence) alone until the hold is lifted. Append-only: the lifting is a row of its own
    (``LegalHoldLift``), so both acts can be chained as they are (the ledger).

    The item is named by string: complaints never import moderation.
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds"
    )
    item = models.ForeignKey(
        "moderation.Item",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_holds",
    )
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()
    immutable_error = LegalHoldImmutableError

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ("-placed_at", "-pk")
        constraints = (
            models.CheckConstraint(
                condition=Q(case__isnull=False, item__isnull=True)
                | Q(case__isnull=True, item__isnull=False),
                name="legal_hold_one_target",
            ),
        )
        triggers = (
            pgtrigger.Protect(
                name="legal_hold_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        )

    def __str__(self) -> str:
        target = f"case {self.case_id}" if self.case_id else f"item {self.item_id}"
        return f"legal hold on {target}"


class LegalHoldLift(AppendOnlyModel):
    """The end of a legal hold: who lifted it, when and why. At most one per hold."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    hold = models.OneToOneField(LegalHold, on_delete=models.PROTECT, related_name="lift")
    reason = models.TextField(_("reason"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()
    immutable_error = LegalHoldImmutableError

    class Meta:
        triggers = (
            pgtrigger.Protect(
                name="legal_hold_lift_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        )

    def __str__(self) -> str:
        return f"lift of legal hold {self.hold_id}"


class EvidenceAccessImmutableError(AppendOnlyError):
    message = "The evidence access log is append-only."


class EvidenceAccess(AppendOnlyModel):
    """One download of evidence (a snapshot), an attachment or an evidence bundle: who, when,
    what, and the SHA-256 of the bytes served (for a bundle, also of its manifest). Append-only.

    ``case`` or ``item`` says where it was downloaded from; ``object_id`` names the snapshot or
    attachment (none for a bundle). Rows outlive erasure: they hold hashes and ids, no content.
    """

    class Kind(models.TextChoices):
        SNAPSHOT = "snapshot", _("Evidence snapshot")
        ATTACHMENT = "attachment", _("Attachment")
        BUNDLE = "bundle", _("Evidence bundle")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence_accesses"
    )
    item = models.ForeignKey(
        "moderation.Item",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence_accesses",
    )
    kind = models.CharField(max_length=20, choices=Kind)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()
    immutable_error = EvidenceAccessImmutableError

    class Meta:
        ordering = ("-at", "-pk")
        constraints = (
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(item__isnull=False),
                name="evidence_access_has_origin",
            ),
        )
        triggers = (
            pgtrigger.Protect(
                name="evidence_access_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id or ''} by {self.actor_id} at {self.at:%Y-%m-%d %H:%M}"
