"""Officers' case tracker: the list, registering a complaint, the case page and its actions.

Only complaint officers of the institution reach these pages: they show the complainant.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from complaints.filters import OPEN, CaseFilter
from complaints.forms import CaseRegisterForm, CloseForm, ReasonForm, RerouteForm
from complaints.models import Case, TrackingLink
from complaints.services import cases
from complaints.services.cases import CaseTransitionError, ComplainantData
from complaints.services.evidence import ADVICE_STEPS, REFERRAL_TARGETS, advice_given
from complaints.services.holds import hold_of
from complaints.services.routing import case_reroute
from complaints.services.tracking import VIA_LABELS
from govsocial.deadlines.clock import urgency

OFFICER = Role.COMPLAINT_OFFICER
PAGE_SIZE = 50


@requires_role(OFFICER)
def case_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    data = request.GET.copy() if request.GET else QueryDict(f"status={OPEN}", mutable=True)
    filters = CaseFilter(
        data,
        queryset=Case.objects.for_institution(request.institution).select_related(
            "category", "assigned_officer"
        ),
        institution=request.institution,
    )
    page = Paginator(filters.qs.order_by("due_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [(case, urgency(now, warn_at=case.warn_at, due_at=case.due_at)) for case in page]
    return render(
        request, "complaints/case_list.html", {"filter": filters, "page": page, "rows": rows}
    )


@requires_role(OFFICER)
def case_create(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    form = CaseRegisterForm(request.POST or None, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = cases.case_register(
            institution=request.institution,
            actor=request.user,
            source=data["source"],
            category=data["category"],
            subject=data["subject"],
            description=data["description"],
            language=data["language"],
            received_at=data["received_at"],
            complainant=ComplainantData(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                postal_address=data["postal_address"],
                is_staff_member=data["is_staff_member"],
            ),
        )
        messages.success(
            request, _("Complaint %(reference)s registered.") % {"reference": case.reference}
        )
        return redirect(case_url(case))
    return render(request, "complaints/case_create.html", {"form": form})


@requires_role(OFFICER)
def case_detail(request: InstitutionRequest, institution_slug: str, reference: str) -> HttpResponse:
    case = case_for(request, reference)
    return render(request, "complaints/case_detail.html", _detail_context(case))


@require_POST
@requires_role(OFFICER)
def case_action(
    request: InstitutionRequest, institution_slug: str, reference: str, action: str
) -> HttpResponse:
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    case = case_for(request, reference)
    try:
        problem = handler(request, case)
    except CaseTransitionError as error:
        problem = str(error)
    if problem:
        messages.error(request, problem)
        context = _detail_context(case)
        return render(request, "complaints/case_detail.html", context, status=400)
    messages.success(request, DONE[action])
    return redirect(case_url(case))


@require_POST
@requires_role(OFFICER)
def case_reroute_view(
    request: InstitutionRequest, institution_slug: str, reference: str
) -> HttpResponse:
    case = case_for(request, reference)
    form = RerouteForm(request.POST, institution=request.institution)
    if form.is_valid():
        try:
            case_reroute(
                case=case,
                actor=request.user,
                team=form.cleaned_data["team"],
                officer=form.cleaned_data["officer"],
                reason=form.cleaned_data["reason"],
            )
        except ValueError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The case was passed on."))
            return redirect(case_url(case))
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    context = _detail_context(case)
    context["reroute_form"] = form
    return render(request, "complaints/case_detail.html", context, status=400)


def _acknowledge(request: InstitutionRequest, case: Case) -> str:
    cases.case_acknowledge(case=case, actor=request.user)
    return ""


def _start(request: InstitutionRequest, case: Case) -> str:
    cases.case_start(case=case, actor=request.user)
    return ""


def _hold(request: InstitutionRequest, case: Case) -> str:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _("Say why the case is put on hold.")
    cases.case_hold(case=case, actor=request.user, reason=form.cleaned_data["reason"])
    return ""


def _resume(request: InstitutionRequest, case: Case) -> str:
    cases.case_resume(case=case, actor=request.user)
    return ""


def _answer(request: InstitutionRequest, case: Case) -> str:
    cases.case_answer(case=case, actor=request.user)
    return ""


def _close(request: InstitutionRequest, case: Case) -> str:
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _("Choose the outcome of the case.")
    cases.case_close(case=case, actor=request.user, outcome=form.cleaned_data["outcome"])
    return ""


def _reopen(request: InstitutionRequest, case: Case) -> str:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _("Say why the case is reopened.")
    cases.case_reopen(case=case, actor=request.user, reason=form.cleaned_data["reason"])
    return ""


ACTIONS: dict[str, Callable[[InstitutionRequest, Case], str]] = {
    "acknowledge": _acknowledge,
    "start": _start,
    "hold": _hold,
    "resume": _resume,
    "answer": _answer,
    "close": _close,
    "reopen": _reopen,
}


DONE = {
    "acknowledge": gettext_lazy("Receipt acknowledged."),
    "start": gettext_lazy("The case is in progress."),
    "hold": gettext_lazy("The case is on hold."),
    "resume": gettext_lazy("The case is in progress again."),
    "answer": gettext_lazy("The case is marked as answered."),
    "close": gettext_lazy("The case was closed."),
    "reopen": gettext_lazy("The case was reopened."),
}
"""The confirmation shown after each action."""


def case_for(request: InstitutionRequest, reference: str) -> Case:
    """The institution's case with this reference, or 404 (every complaint page uses it)."""
    return get_object_or_404(
        Case.objects.for_institution(request.institution).select_related(
            "institution", "category", "complainant", "assigned_officer", "assigned_team"
        ),
        reference=reference,
    )


def _detail_context(case: Case) -> dict[str, object]:
    now = timezone.now()
    given = advice_given(case)
    return {
        "case": case,
        "complainant": case.complainant,
        "timeline": case.timeline.select_related("actor"),
        "linked_items": case.items.select_related("channel"),
        "notes": case.notes.select_related("author"),
        "letters": case.correspondence.all(),
        "attachments": case.attachments.all(),
        "snapshots": case.evidence.all(),
        "harassment": case.category.code == "cyber_harassment",
        "advice_steps": [(step, label, step in given) for step, label in ADVICE_STEPS.items()],
        "referral_targets": REFERRAL_TARGETS.items(),
        "advice_labels": ADVICE_STEPS,
        "referral_labels": REFERRAL_TARGETS,
        "allowed": cases.TRANSITIONS[case.status],
        "urgency": urgency(now, warn_at=case.warn_at, due_at=case.due_at),
        "hold_form": ReasonForm(prefix=None),
        "close_form": CloseForm(),
        "reroute_form": RerouteForm(institution=case.institution),
        "legal_hold": hold_of(case=case),
        "tracking_link": TrackingLink.objects.filter(case=case).first(),
        "tracking_via_labels": VIA_LABELS,
        "accesses": case.evidence_accesses.select_related("actor"),
    }


def case_url(case: Case) -> str:
    from django.urls import reverse

    return reverse(
        "complaints:case-detail",
        kwargs={"institution_slug": case.institution.slug, "reference": case.reference},
    )
