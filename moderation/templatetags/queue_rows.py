"""``{% queue_rows items with_complaint %}`` and ``{% queue_row item with_complaint %}``: the
queue's rows, drawn in Python.

A queue page shows fifty rows. Through the template engine each row cost about 0.2 ms of server
time (some forty variable lookups and filters, two translations, a URL and a static path per
row): half of the page's CPU (issue 21). Here what is the same for every row (the translated
words, the item address up to its id, the icon sprite, the time) is computed once per page, and
a row is one ``format_html`` call with escaped values, as Django's admin draws its change list.
The markup is the one the queue's CSS, scripts and tests rely on; the item page uses the same
tag for the row it sends back after a decision.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext

from govsocial.templatetags.deadlines import deadline_badge
from moderation.models import Item, ItemStatus

register = template.Library()

ICONS = "vendor/bootstrap-icons-1.13.2/bootstrap-icons.svg"
EXCERPT = 140  # characters of the text shown in the row


@dataclass(frozen=True)
class _Page:
    """What every row of one page shares."""

    item_path: str
    """The item page's address up to the id (``/i/defence/queue/items/``)."""
    query: str
    icons: str
    now: datetime
    unknown_author: str
    no_text: str
    select_item: str
    language: str
    assigned_to: str
    unassigned: str
    complaint_opened: str
    awaiting_second_look: str

    @classmethod
    def of(cls, context: template.Context, queue_query: str) -> _Page:
        slug = context["request"].institution.slug
        # The id is the address's last segment: reversed once with 0, cut before the 0.
        sample = reverse("moderation:item-detail", kwargs={"institution_slug": slug, "item_id": 0})
        return cls(
            item_path=sample.rsplit("/0/", 1)[0] + "/",
            query=urlencode({"queue": queue_query}),
            icons=static(ICONS),
            now=timezone.now(),
            unknown_author=gettext("Unknown author"),
            no_text=gettext("(no text)"),
            select_item=gettext("Select the item of %(author)s"),
            language=gettext("Language"),
            assigned_to=gettext("assigned to %(who)s"),
            unassigned=gettext("unassigned"),
            complaint_opened=gettext("complaint opened"),
            awaiting_second_look=gettext("awaiting a second look"),
        )


def _row(page: _Page, item: Item, with_complaint: Collection[int]) -> SafeString:
    author = item.author_name or item.author_handle or page.unknown_author
    if item.status == ItemStatus.OPEN:
        state = deadline_badge(item.due_at, item.warn_at)
    else:
        state = format_html(
            '<span class="badge text-bg-secondary" data-status>{}</span>',
            item.get_status_display(),
        )
    assignee = page.assigned_to % {"who": item.assigned_to} if item.assigned_to else page.unassigned
    complaint = (
        format_html('<span class="badge text-bg-info">{}</span>', page.complaint_opened)
        if item.pk in with_complaint
        else ""
    )
    if item.removal_pending:  # four eyes: a hide or removal waits for a second moderator
        complaint = format_html(
            '{}<span class="badge text-bg-warning" data-second-look>{}</span>',
            complaint,
            page.awaiting_second_look,
        )
    hits = format_html_join(
        "",
        '<span class="badge {}">{}</span>',
        (
            ("text-bg-danger" if hit.get("urgent") else "text-bg-warning", hit.get("term", ""))
            for hit in item.keyword_hits or ()
        ),
    )
    return format_html(
        '<li class="queue-row{handled}" id="queue-row-{pk}" data-item data-item-id="{pk}">'
        '<label class="queue-row-select">'
        '<input type="checkbox" class="form-check-input" name="items" value="{pk}" '
        'form="bulk-form"> <span class="visually-hidden">{select}</span></label>'
        '<div class="queue-row-body"><div class="queue-row-head">'
        '<span class="queue-row-author">{author}</span> '
        '<span class="queue-row-state">{state}</span></div>'
        '<a class="queue-row-link stretched-link" data-item-link href="{path}{pk}/?{query}">'
        "{excerpt}</a>"
        '<div class="queue-row-meta">'
        '<span><svg class="bi" width="16" height="16" aria-hidden="true">'
        '<use href="{icons}#{icon}"></use></svg> {channel}</span> '
        '<span><span class="visually-hidden">{language_label}: </span>'
        "<span data-language>{language}</span></span> "
        "<span data-assignee>{assignee}</span> {complaint} {hits}</div></div></li>",
        handled="" if item.status == ItemStatus.OPEN else " is-handled",
        pk=item.pk,
        select=page.select_item % {"author": author},
        author=author,
        state=state,
        path=page.item_path,
        query=page.query,
        excerpt=Truncator(item.text).chars(EXCERPT) if item.text else page.no_text,
        icons=page.icons,
        icon=item.channel.icon,
        channel=item.channel.name,
        language_label=page.language,
        language=item.language.upper(),
        assignee=assignee,
        complaint=complaint,
        hits=hits,
    )


@register.simple_tag(takes_context=True)
def queue_rows(
    context: template.Context, items: Iterable[Item], with_complaint: Collection[int]
) -> SafeString:
    page = _Page.of(context, str(context.get("queue_query") or ""))
    return format_html_join("", "{}", ((_row(page, item, with_complaint),) for item in items))


@register.simple_tag(takes_context=True)
def queue_row(
    context: template.Context, item: Item, with_complaint: Collection[int], queue_query: Any = ""
) -> SafeString:
    return _row(_Page.of(context, str(queue_query or "")), item, with_complaint)
