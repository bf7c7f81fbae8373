"""``{% deadline_badge due_at warn_at %}``: time left as words, coloured by urgency;
``{{ span|duration }}``: a duration for people ("3 h 12 min"), "—" when there is none.

The words carry the meaning ("overdue by 3 h"); the colour only repeats it (WCAG 1.4.1).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from govsocial.deadlines.clock import Urgency, duration_text, time_left_text, urgency

register = template.Library()

BADGE_CLASSES = {
    Urgency.OK: "text-bg-success",
    Urgency.SOON: "text-bg-warning",
    Urgency.OVERDUE: "text-bg-danger",
}


@register.simple_tag
def deadline_badge(due_at: datetime, warn_at: datetime) -> SafeString:
    now = timezone.now()
    level = urgency(now, warn_at=warn_at, due_at=due_at)
    return format_html(
        '<span class="badge {}" data-urgency="{}">{}</span>',
        BADGE_CLASSES[level],
        level.value,
        time_left_text(now, due_at),
    )


@register.filter
def duration(span: timedelta | None) -> str:
    return duration_text(span) if isinstance(span, timedelta) else "—"
