"""The public complaint form (no login) and its confirmation page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Institution
from complaints.models import Case, Source
from complaints.public_form import PublicComplaintForm
from complaints.services.cases import ComplainantData, case_register
from complaints.services.letters import receipt_confirm
from govsocial.ratelimit import allow, client_ip

SESSION_KEY = "complaints.sent"
PER_IP = (5, 3600)  # complaints per address per hour
PER_INSTITUTION = (300, 3600)  # a flood aimed at one institution stops here


@login_not_required
def public_complaint(request: HttpRequest, institution_slug: str) -> HttpResponse:
    institution: Institution = request.institution  # type: ignore[attr-defined]
    language = (translation.get_language() or "fr")[:2]
    form = PublicComplaintForm(request.POST or None, institution=institution, language=language)
    status = 200
    if request.method == "POST":
        if not _address_within_limit(request):
            form.add_error(None, _("Too many complaints were sent from here in the last hour. "
                                   "Please try again later, or call or write to us."))  # fmt: skip
            return _render(request, form, institution, status=429)
        if form.is_valid() and not form.robot:
            if not _institution_within_limit(institution.pk):
                form.add_error(
                    None,
                    _(
                        "We are receiving an unusual number of complaints. "
                        "Please try again later, or call or write to us."
                    ),
                )
                return _render(request, form, institution, status=429)
            case = _register(form, institution)
            request.session[SESSION_KEY] = case.reference
            return redirect("complaints:public-sent", institution_slug=institution.slug)
        if form.robot:
            form.add_error(None, _("Please check your complaint, then send it again."))
        status = 400
    return _render(request, form, institution, status=status)


@login_not_required
def public_sent(request: HttpRequest, institution_slug: str) -> HttpResponse:
    reference = request.session.get(SESSION_KEY)
    if not reference:
        return redirect("complaints:public-form", institution_slug=institution_slug)
    return render(
        request,
        "complaints/public_sent.html",
        {"institution": request.institution, "reference": reference},  # type: ignore[attr-defined]
    )


def _render(
    request: HttpRequest, form: PublicComplaintForm, institution: Institution, *, status: int
) -> HttpResponse:
    form.restamp()
    return render(
        request,
        "complaints/public_form.html",
        {"form": form, "institution": institution},
        status=status,
    )


def _address_within_limit(request: HttpRequest) -> bool:
    """Every POST from one address counts, refused or not: it is that client's own budget."""
    return allow("complaint-ip", client_ip(request), limit=PER_IP[0], window_seconds=PER_IP[1])


def _institution_within_limit(institution_id: int) -> bool:
    """Only complaints about to be accepted (past the address limit, the robot traps and
    validation) count: junk from one client must not close the form for everyone."""
    return allow(
        "complaint-institution",
        str(institution_id),
        limit=PER_INSTITUTION[0],
        window_seconds=PER_INSTITUTION[1],
    )


def _register(form: PublicComplaintForm, institution: Institution) -> Case:
    data = form.cleaned_data
    with transaction.atomic():
        case = case_register(
            institution=institution,
            actor=None,
            source=Source.WEB_FORM,
            category=data["category"],
            subject=data["subject"],
            description=data["description"],
            language=data["language"],
            complainant=ComplainantData(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                postal_address=data["postal_address"],
                is_staff_member=data["is_staff_member"],
            ),
        )
        if data["email"]:
            receipt_confirm(case=case, address=data["email"])
    return case
