"""Coverage of the queue round the clock: the escalation ladder of warnings and breaches, the
duty officer of the week, and handovers of items between shifts (docs/coverage.md).

The ladder's steps are configured per institution and threshold (``LadderStep``); each step
sent for an item is one ``LadderAlert`` row, unique per item, threshold, threshold instant and
step, so that two workers can never send a step twice (a database fact).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Institution
from govsocial.tenancy import TenantQuerySet
from moderation.models.items import Item


class LadderThreshold(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Missed deadline")


class LadderAudience(models.TextChoices):
    """Who a step alerts, in the order the steps of equal delay are sent."""

    FIRST_LINE = (
        "first_line",
        _("The assignee if on duty, else the on-duty members speaking the item's language"),
    )
    SPEAKERS = "speakers", _("The on-duty members of the channel's team speaking the language")
    DUTY_OFFICER = "duty_officer", _("The duty officer of the week")
    ADMINS = "admins", _("The institution's admins")


AUDIENCE_ORDER = {audience: index for index, audience in enumerate(LadderAudience.values)}


class LadderStep(models.Model):
    """One step of an institution's ladder: ``audience`` is alerted ``delay_minutes`` after
    the threshold was crossed, unless someone acted on the item first. An institution with
    no step for a threshold uses ``DEFAULT_LADDER`` (moderation.services.ladder)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    threshold = models.CharField(max_length=10, choices=LadderThreshold)
    audience = models.CharField(max_length=20, choices=LadderAudience)
    delay_minutes = models.PositiveIntegerField(_("minutes after the threshold"), default=0)
    """Counted from when the check claimed the threshold (not the threshold's own instant: a
    catch-up after an outage does not fire every step at once)."""

    objects = TenantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = (
            models.UniqueConstraint(
                fields=("institution", "threshold", "audience"), name="ladder_step_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.threshold} +{self.delay_minutes} min: {self.audience}"


class LadderAlert(models.Model):
    """A step of the ladder sent for an item: who was alerted (``recipient_ids``, empty when
    nobody could be: the next step then follows at once). Written once: the unique constraint
    is what makes a step exactly-once under concurrent workers."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="ladder_alerts")
    threshold = models.CharField(max_length=10, choices=LadderThreshold)
    threshold_at = models.DateTimeField(help_text="The threshold's instant (warn_at or due_at).")
    audience = models.CharField(max_length=20, choices=LadderAudience)
    recipient_ids = models.JSONField(default=list, blank=True)
    recipient_names = models.JSONField(
        default=list, blank=True, help_text="Names as they were when alerted (the item page)."
    )
    sent_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation alert")
        verbose_name_plural = _("escalation alerts")
        ordering = ("sent_at", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("item", "threshold", "threshold_at", "audience"), name="ladder_alert_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.item_id} {self.threshold} {self.audience}"


class DutyOfficer(models.Model):
    """The duty officer of a week: the member the ladder alerts when the team did not act.
    ``week_start`` is the Monday of the week in the institution's time zone."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField(_("week starting"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duty officer of the week")
        verbose_name_plural = _("duty officers of the week")
        ordering = ("week_start",)
        constraints = (
            models.UniqueConstraint(fields=("institution", "week_start"), name="duty_officer_once"),
        )

    def __str__(self) -> str:
        return f"{self.week_start}: {self.user_id}"


class Handover(models.Model):
    """An open item handed from someone going off duty to someone on duty (``to_user``), or,
    when nobody on duty could take it, flagged (``to_user`` empty, ``resolved_at`` empty until
    a later handover or an answer settles it)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="handovers")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    by_hand = models.BooleanField(
        default=False, help_text="Handed over by its assignee (“hand over now”), not at shift end."
    )
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ("created_at", "pk")
        indexes = (
            # the queue's "handed over to you" notice and filter: one person's unseen handovers.
            models.Index(
                fields=("to_user", "institution"),
                condition=Q(seen_at__isnull=True, to_user__isnull=False),
                name="handover_unseen",
            ),
            # the handover sweep retries flagged items: the few nobody could take.
            models.Index(
                fields=("institution",),
                condition=Q(to_user__isnull=True, resolved_at__isnull=True),
                name="handover_flagged",
            ),
        )

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_user_id} -> {self.to_user_id}"


class OnDutySeen(models.Model):
    """Who was on duty at the last handover sweep: someone here and no longer on duty has just
    gone off duty, and their open items are handed over (moderation.services.handover). Items
    someone takes while off duty are never taken from them."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("institution", "user"), name="on_duty_seen_once"),
        )

    def __str__(self) -> str:
        return f"{self.user_id}@{self.institution_id}"
