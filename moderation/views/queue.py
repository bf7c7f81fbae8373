"""The moderation queue: an institution's items by deadline band, then priority, then
earliest deadline (moderation.selectors), filtered in the URL.

Keyset pagination: the next page starts after the last row shown, so the cost of a page does
not grow with the number of items and no COUNT runs on the hot path.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.middleware import background_request
from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from govsocial.generations import digest
from govsocial.polling import conditional_poll, poll_etag
from moderation.models import Item
from moderation.selectors import (
    DEFAULT_QUEUE,
    Cursor,
    new_items_count,
    queue_items,
    queue_params,
)
from moderation.services import decisions
from moderation.services.handover import unseen_count
from moderation.views import workspace

PAGE_SIZE = 50
MODERATORS = Role.COMMUNICATOR  # spokespersons hold the communicator's rights too


@requires_role(MODERATORS)
def queue(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    data = request.GET.copy() if request.GET else QueryDict(DEFAULT_QUEUE)
    found = queue_items(request.institution, request.user, data)
    filters, channels = found.filters, found.channels
    cursor = Cursor.decode(request.GET.get("after", ""))
    page = found.rows(now=timezone.now(), cursor=cursor, size=PAGE_SIZE)
    rows = page.rows
    next_url = ""
    if page.next_cursor is not None:
        params = data.copy()
        params["after"] = page.next_cursor.encode()
        next_url = "?" + params.urlencode()
    queue_query = queue_params(request.GET.urlencode()).urlencode()  # the filters, no cursor
    with_complaint = {row.pk for row in rows if row.with_complaint}
    template = "moderation/queue.html"
    if workspace.wants(request, workspace.LIST):
        template += "#queue-list"  # beside an item page opened directly
    response = render(
        request,
        template,
        {
            **workspace.messages_context(request),
            "filter": filters,
            # The filter form's HTML is cached (templates: {% cache %}): it depends on the
            # query, the language and the channels offered, which this key stands for.
            "filter_choices_key": digest(repr([(c.pk, c.name) for c in channels])),
            "active_filters": filters.active(),
            "items": rows,
            "with_complaint": with_complaint,
            "next_url": next_url,
            "first_url": f"?{queue_query}" if cursor else "",
            "queue_query": queue_query,
            "since": timezone.now().isoformat(),
            "crisis_channels": [c for c in channels if c.crisis_mode and c.is_active],
            "handed_over_count": unseen_count(request.institution, request.user),
        },
    )
    return workspace.vary(response)


@requires_role(MODERATORS)
@background_request
def new_count(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    """Polled by the queue: items received since the page was shown (a small indexed count);
    an unchanged count is answered 304 (govsocial.polling)."""
    try:
        since = datetime.fromisoformat(request.GET.get("since", ""))
    except ValueError:
        since = timezone.now()
    if since.tzinfo is None:
        since = timezone.make_aware(since)
    count = new_items_count(request.institution, since)
    etag = poll_etag(
        "new-items", request.institution.pk, request.user.pk, since.isoformat(), count,
        translation.get_language(),
    )  # fmt: skip
    return conditional_poll(
        request,
        etag,
        lambda: render(
            request, "moderation/_new_count.html", {"count": count, "since": since.isoformat()}
        ),
    )


BULK_LIMIT = 100


@require_POST
@requires_role(MODERATORS)
def bulk(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    """Assign to me or mark "no action needed" for the selected items, after a confirmation."""
    action = request.POST.get("action", "")
    ids = [int(value) for value in request.POST.getlist("items") if value.isdigit()][:BULK_LIMIT]
    items = list(
        Item.objects.for_institution(request.institution)
        .filter(pk__in=ids)
        .select_related("channel", "institution")
    )
    if action not in ("assign-me", "no-action") or not items:
        messages.error(request, _("Select items and an action."))
        return redirect("moderation:queue", institution_slug=institution_slug)
    if request.POST.get("confirm") != "1":
        return render(request, "moderation/bulk_confirm.html", {"items": items, "action": action})
    done, refused = 0, 0
    for item in items:
        try:
            if action == "assign-me":
                decisions.item_assign(item=item, actor=request.user, assignee=request.user)
            else:
                decisions.item_no_action(item=item, actor=request.user, note=_("bulk"))
            done += 1
        except decisions.DecisionRefused:
            refused += 1
    messages.success(
        request,
        _("%(done)s items done; %(refused)s were already handled by someone else.")
        % {"done": done, "refused": refused},
    )
    return redirect("moderation:queue", institution_slug=institution_slug)
