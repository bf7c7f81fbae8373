"""Contested decisions in the institution's workspace: the list (open ones first, oldest
deadline first) and one contest with the form deciding it.

Moderators (communicators, spokespersons) decide; institution admins, who hear about missed
deadlines, read. Who may decide which contest is the service's rule
(``moderation.services.contests``): the page only hides the form from the moderator who took
the contested decision, and says why.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from moderation.forms import ContestDecisionForm
from moderation.models import Contest, ContestStatus
from moderation.public_decisions import decision_page
from moderation.services.contests import ContestRefused, contest_decide
from moderation.services.decision_pages import statement_url

READERS = (Role.COMMUNICATOR, Role.INSTITUTION_ADMIN)
PAGE_SIZE = 25


@requires_role(*READERS)
def contest_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    contests = (
        Contest.objects.for_institution(request.institution)
        .select_related("decision__item__channel", "decision__rule")
        .annotate(
            closed=Case(
                When(status=ContestStatus.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", "due_at", "pk")
    )
    page = Paginator(contests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "moderation/contest_list.html", {"page": page})


def _contest(request: InstitutionRequest, reference: str) -> Contest:
    return get_object_or_404(
        Contest.objects.for_institution(request.institution).select_related(
            "decision__item__channel", "decision__actor", "decision__statement"
        ),
        reference=reference,
    )


@requires_role(*READERS)
def contest_detail(
    request: InstitutionRequest, institution_slug: str, reference: str
) -> HttpResponse:
    contest = _contest(request, reference)
    return _detail(request, contest, ContestDecisionForm())


def _detail(
    request: InstitutionRequest, contest: Contest, form: ContestDecisionForm, status: int = 200
) -> HttpResponse:
    statement = contest.decision.statement
    language = (request.LANGUAGE_CODE or "fr")[:2]
    context = {
        "contest": contest,
        "page": decision_page(statement, language),
        "public_url": statement_url(statement, for_person=False),
        "form": form,
        "is_decider": contest.decision.actor_id == request.user.pk,
        "may_decide": Role.COMMUNICATOR in request.institution_roles,
    }
    return render(request, "moderation/contest_detail.html", context, status=status)


@require_POST
@requires_role(Role.COMMUNICATOR)
def contest_decide_view(
    request: InstitutionRequest, institution_slug: str, reference: str
) -> HttpResponse:
    contest = _contest(request, reference)
    form = ContestDecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, contest, form, status=400)
    try:
        contest_decide(
            contest=contest,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            reasons=form.cleaned_data["reasons"],
        )
    except ContestRefused as refused:
        form.add_error(None, str(refused))
        return _detail(request, contest, form, status=400)
    messages.success(request, _("The outcome is recorded and shown on the decision page."))
    return redirect(
        "moderation:contest-detail", institution_slug=institution_slug, reference=reference
    )
