"""The "to do on the platform" list of an institution, and its "done" form.

Read and marked done by the people who moderate (communicators, spokespersons) and the
institution's admins, who hear about missed deadlines. The rules are the service's
(``moderation.services.platform_to_do``); the page only lists and forwards.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from channels.models import Channel
from moderation.filters import PlatformActionFilter
from moderation.models import PlatformAction
from moderation.selectors import platform_to_do
from moderation.services.platform_to_do import ToDoRefused, action_mark_done

ROLES = (Role.COMMUNICATOR, Role.INSTITUTION_ADMIN)
Kind = PlatformAction.Kind
INSTRUCTIONS = {
    Kind.REPLY: gettext_lazy("Post this reply under the original"),
    Kind.PRIVATE_REPLY: gettext_lazy("Send this private message to the author"),
    Kind.HIDE: gettext_lazy("Hide the original"),
    Kind.UNHIDE: gettext_lazy("Make the original visible again"),
    Kind.DELETE: gettext_lazy("Delete the original"),
    Kind.PUBLISH: gettext_lazy("Publish this post"),
}
PAGE_SIZE = 25


@requires_role(*ROLES)
def to_do_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    channels = list(Channel.objects.for_institution(request.institution))
    filters = PlatformActionFilter(
        request.GET, queryset=platform_to_do(request.institution), channels=channels
    )
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page:
        action.instruction = INSTRUCTIONS.get(action.kind, action.get_kind_display())
        action.item = action.decision.item if action.decision else None
        action.copy_text = action.text or (action.decision.reply_text if action.decision else "")
    return render(
        request,
        "moderation/platform_to_do.html",
        {
            "filter": filters,
            "page": page,
            "is_admin": Role.INSTITUTION_ADMIN in request.institution_roles,
            "filters_query": _filters_query(request.GET),
        },
    )


@require_POST
@requires_role(*ROLES)
def to_do_done(request: InstitutionRequest, institution_slug: str, action_id: int) -> HttpResponse:
    action = get_object_or_404(
        PlatformAction.objects.for_institution(request.institution), pk=action_id
    )
    try:
        action_mark_done(action=action, actor=request.user, url=request.POST.get("url", ""))
    except ToDoRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Recorded: done on the platform."))
    back = reverse("moderation:platform-to-do", kwargs={"institution_slug": institution_slug})
    query = _filters_query(QueryDict(request.POST.get("filters", "")))
    return redirect(f"{back}?{query}" if query else back)


def _filters_query(params: QueryDict) -> str:
    """The list's filters and page, and nothing else, to come back to the same place."""
    kept = QueryDict(mutable=True)
    for name in ("channel", "kind", "page"):
        value = params.get(name, "")
        if value:
            kept[name] = value[:50]
    return kept.urlencode()
