"""``{% queue_rows items with_complaint %}`` and ``{% queue_row item with_complaint %}``: the
queue's rows, drawn in Python.

A queue page shows fifty rows. Through the template engine each row cost about 0.2 ms of server
time (some forty variable lookups and filters, two translations, a URL and a static path per
row): half of the page's CPU (issue 21). Here what is the same for every row (the translated
words, the item address up to its id, the icon sprite, the time) is computed and escaped once
per page, and a row is one string in which each of the item's values is escaped once.
The markup is the one the queue's CSS, scripts and tests rely on; the item page uses the same
tag for the row it sends back after a decision (an ``Item``; the queue's rows are
``moderation.selectors.QueueRow``s, which read the same).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from govsocial.deadlines.clock import time_left_text, urgency
from govsocial.templatetags.deadlines import BADGE_CLASSES
from moderation.models import Item, ItemStatus
from moderation.selectors import QueueRow

register = template.Library()

ICONS = "vendor/bootstrap-icons-1.13.2/bootstrap-icons.svg"
EXCERPT = 140  # characters of the text shown in the row


@dataclass(frozen=True)
class _Page:
    """What every row of one page shares."""

    item_path: str
    """The item page's address up to the id (``/i/defence/queue/items/``), escaped."""
    query: str
    """The ``queue`` parameter of the item links, escaped."""
    icons: str
    """The icon sprite's address, escaped."""
    now: datetime
    unknown_author: str
    no_text: str
    """Escaped."""
    select_item: str
    language: str
    """Escaped."""
    assigned_to: str
    unassigned: str
    complaint_badge: str
    """The badge of an item a complaint was opened from, markup."""
    second_look_badge: str
    """The badge of an item whose hide or removal waits for a second moderator, markup."""

    @classmethod
    def of(cls, context: template.Context, queue_query: str) -> _Page:
        slug = context["request"].institution.slug
        # The id is the address's last segment: reversed once with 0, cut before the 0.
        sample = reverse("moderation:item-detail", kwargs={"institution_slug": slug, "item_id": 0})
        return cls(
            item_path=escape(sample.rsplit("/0/", 1)[0] + "/"),
            query=escape(urlencode({"queue": queue_query})),
            icons=escape(static(ICONS)),
            now=timezone.now(),
            unknown_author=gettext("Unknown author"),
            no_text=escape(gettext("(no text)")),
            select_item=gettext("Select the item of %(author)s"),
            language=escape(gettext("Language")),
            assigned_to=gettext("assigned to %(who)s"),
            unassigned=gettext("unassigned"),
            complaint_badge=(
                f'<span class="badge text-bg-info">{escape(gettext("complaint opened"))}</span>'
            ),
            second_look_badge=(
                '<span class="badge text-bg-warning" data-second-look>'
                f"{escape(gettext('awaiting a second look'))}</span>"
            ),
        )


def _row(page: _Page, item: Item | QueueRow, with_complaint: Collection[int]) -> str:
    """One row's markup. Every value from the item goes through ``escape`` exactly once (the
    standard library's ``html.escape``, which Django's ``escape`` wraps): built as one string,
    the row costs a fifth of ``format_html`` with its lazy-text and safe-string checks per value.
    """
    author_name = item.author_name or item.author_handle or page.unknown_author
    author = escape(author_name)
    if item.status == ItemStatus.OPEN:
        level = urgency(page.now, warn_at=item.warn_at, due_at=item.due_at)
        state = (
            f'<span class="badge {BADGE_CLASSES[level]}" data-urgency="{level.value}">'
            f"{escape(time_left_text(page.now, item.due_at))}</span>"
        )
        handled = ""
    else:
        state = (
            '<span class="badge text-bg-secondary" data-status>'
            f"{escape(str(item.get_status_display()))}</span>"
        )
        handled = " is-handled"
    assigned = item.assigned_to
    assignee = escape(page.assigned_to % {"who": assigned} if assigned else page.unassigned)
    complaint = page.complaint_badge if item.pk in with_complaint else ""
    if item.removal_pending:  # four eyes: a hide or removal waits for a second moderator
        complaint += page.second_look_badge
    hits = "".join(
        f'<span class="badge {"text-bg-danger" if hit.get("urgent") else "text-bg-warning"}">'
        f"{escape(str(hit.get('term', '')))}</span>"
        for hit in item.keyword_hits or ()
    )
    excerpt = escape(Truncator(item.text).chars(EXCERPT)) if item.text else page.no_text
    channel = item.channel
    pk = item.pk
    return (
        f'<li class="queue-row{handled}" id="queue-row-{pk}" data-item data-item-id="{pk}">'
        '<label class="queue-row-select">'
        f'<input type="checkbox" class="form-check-input" name="items" value="{pk}" '
        'form="bulk-form"> <span class="visually-hidden">'
        f"{escape(page.select_item % {'author': author_name})}</span></label>"
        '<div class="queue-row-body"><div class="queue-row-head">'
        f'<span class="queue-row-author">{author}</span> '
        f'<span class="queue-row-state">{state}</span></div>'
        '<a class="queue-row-link stretched-link" data-item-link '
        f'href="{page.item_path}{pk}/?{page.query}">{excerpt}</a>'
        '<div class="queue-row-meta">'
        '<span><svg class="bi" width="16" height="16" aria-hidden="true">'
        f'<use href="{page.icons}#{escape(channel.icon)}"></use></svg> {escape(channel.name)}'
        "</span> "
        f'<span><span class="visually-hidden">{page.language}: </span>'
        f"<span data-language>{escape(item.language.upper())}</span></span> "
        f"<span data-assignee>{assignee}</span> {complaint} {hits}</div></div></li>"
    )


@register.simple_tag(takes_context=True)
def queue_rows(
    context: template.Context, items: Iterable[QueueRow], with_complaint: Collection[int]
) -> SafeString:
    page = _Page.of(context, str(context.get("queue_query") or ""))
    return mark_safe("".join(_row(page, item, with_complaint) for item in items))  # noqa: S308


@register.simple_tag(takes_context=True)
def queue_row(
    context: template.Context, item: Item, with_complaint: Collection[int], queue_query: Any = ""
) -> SafeString:
    return mark_safe(_row(_Page.of(context, str(queue_query or "")), item, with_complaint))  # noqa: S308
