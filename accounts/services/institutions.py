"""Institution settings (SLA parameters). Changes are recorded in the history table.

Invariants:
- the complaint response time and the warning share apply to what is received from now on;
- the social media and crisis response times are the defaults of new channels; applied to
  existing channels only when the admin asks, and then only to the channels that used the
  institution's previous times (a channel with a time of its own keeps it). The channels app
  does that step (a hook registered in its ``AppConfig.ready``: accounts never imports it),
  in the same transaction, recorded in each channel's history; deadlines already set never move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from accounts.public_details import PUBLIC_DETAILS

EDITABLE_FIELDS = (
    "name_fr",
    "name_nl",
    "name_en",
    "time_zone",
    "default_language",
    "social_response_hours",
    "complaint_response_days",
    "warning_share_percent",
    "hold_suspends_complaint_clock",
    "contest_days",
    "crisis_response_hours",
    "item_retention_months",
    "sensitive_removal_needs_spokesperson",
    "sensitive_removal_hours",
    *PUBLIC_DETAILS,
)


@dataclass(frozen=True)
class ResponseTimes:
    social_hours: int
    crisis_hours: int


ResponseTimesHook = Callable[..., int]
"""``hook(institution=, actor=, previous=ResponseTimes) -> number of channels changed``."""

RESPONSE_TIMES_HOOKS: list[ResponseTimesHook] = []


def institution_update_settings(
    *, institution: Institution, actor: User, apply_to_channels: bool = False, **changes: Any
) -> int:
    """Save the settings; returns how many channels took the new response times (only with
    ``apply_to_channels``)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable here: {sorted(unknown)}")
    with transaction.atomic():
        # From the database: a ModelForm has already copied the new values onto the instance.
        previous = ResponseTimes(
            *Institution.objects.select_for_update()
            .filter(pk=institution.pk)
            .values_list("social_response_hours", "crisis_response_hours")
            .get()
        )
        for field, value in changes.items():
            setattr(institution, field, value)
        institution.full_clean()
        channels = 0
        if apply_to_channels:
            for hook in RESPONSE_TIMES_HOOKS:
                channels += hook(institution=institution, actor=actor, previous=previous)
        if channels:
            institution._change_reason = _(  # type: ignore[attr-defined]
                "Response times applied to %(count)s existing channels."
            ) % {"count": channels}
        institution._history_user = actor  # type: ignore[attr-defined]
        institution.save()
    return channels
