"""Public decision pages (no login): ``/decisions/<token>/`` and its contest form.

The page speaks the interface language (cookie, then the browser's ``Accept-Language``); the
link sent to the person carries ``?lang=xx``, which sets that language and redirects to the
address without it, as the charter pages do. Pages are not indexed by search engines: the
address is meant for the person concerned (and whoever they share it with).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from charter.views.public import language_from_query
from govsocial.ratelimit import allow, client_ip
from moderation.forms import ContestForm
from moderation.models import DecisionStatement
from moderation.public_decisions import decision_page, statement_by_token
from moderation.services.contests import ContestRefused, contest_open

PER_IP = (5, 3600)  # contests per address per hour
PER_INSTITUTION = (300, 3600)  # a flood aimed at one institution stops here


def _language() -> str:
    language = (translation.get_language() or "")[:2]
    return language if language in ("fr", "nl", "en") else "fr"


@never_cache
@login_not_required
def decision_public(request: HttpRequest, token: str) -> HttpResponse:
    statement = statement_by_token(token)
    if switched := language_from_query(request):
        return switched
    return _render(request, statement, ContestForm())


@never_cache
@login_not_required
@require_POST
def decision_contest(request: HttpRequest, token: str) -> HttpResponse:
    statement = statement_by_token(token)
    form = ContestForm(request.POST)
    if not allow("contest-ip", client_ip(request), limit=PER_IP[0], window_seconds=PER_IP[1]):
        form.add_error(None, _("Too many contests were sent from here in the last hour. "
                               "Please try again later."))  # fmt: skip
        return _render(request, statement, form, status=429)
    if not form.is_valid() or form.robot:
        if form.robot:
            form.add_error(None, _("Please check your explanation, then send it again."))
        return _render(request, statement, form, status=400)
    if not allow(
        "contest-institution",
        str(statement.institution_id),
        limit=PER_INSTITUTION[0],
        window_seconds=PER_INSTITUTION[1],
    ):
        form.add_error(None, _("We are receiving an unusual number of contests. "
                               "Please try again later."))  # fmt: skip
        return _render(request, statement, form, status=429)
    try:
        contest = contest_open(
            statement=statement,
            explanation=form.cleaned_data["explanation"],
            contact_email=form.cleaned_data["contact_email"],
            language=_language(),
        )
    except ContestRefused as refused:
        form.add_error(None, str(refused))
        return _render(request, statement, form, status=400)
    messages.success(
        request,
        _("Your contest was received. Its reference is %(reference)s.")
        % {"reference": contest.reference},
    )
    return redirect("moderation:decision-page", token=token)


def _render(
    request: HttpRequest, statement: DecisionStatement, form: ContestForm, *, status: int = 200
) -> HttpResponse:
    form.restamp()
    page = decision_page(statement, _language())
    response = render(
        request,
        "moderation/decision_public.html",
        {"page": page, "institution": statement.institution, "form": form},
        status=status,
    )
    response["X-Robots-Tag"] = "noindex"
    return response
