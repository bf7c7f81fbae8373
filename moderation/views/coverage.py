"""Coverage pages: the escalation ladder and the duty officer of the week (admins), and the
handover of one's open items ("hand over now")."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from moderation.forms import DutyOfficerForm, HandoverForm, LadderForm
from moderation.models import LadderThreshold
from moderation.services import handover, ladder

THRESHOLDS = LadderThreshold.choices


@requires_role(Role.INSTITUTION_ADMIN)
def ladder_edit(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    institution = request.institution
    weeks = ladder.officer_weeks(institution, timezone.now())
    people = ladder.officer_candidates(institution)
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted else None
    form = LadderForm(
        posted if which == "ladder" else None, current=ladder.ladder_config(institution)
    )
    officer_form = DutyOfficerForm(
        posted if which == "officer" else None, weeks=weeks, people=people
    )
    if which == "ladder" and form.is_valid():
        ladder.ladder_save(institution=institution, actor=request.user, steps=form.steps())
        messages.success(request, _("Escalation ladder saved."))
        return redirect("moderation:ladder", institution_slug=institution_slug)
    if which == "officer" and officer_form.is_valid():
        week, user = officer_form.cleaned_data["week"], officer_form.cleaned_data["user"]
        ladder.duty_officer_set(institution=institution, actor=request.user, week=week, user=user)
        messages.success(request, _("Duty officer of the week saved."))
        return redirect("moderation:ladder", institution_slug=institution_slug)
    officers = ladder.officers_of(institution, weeks)
    return render(
        request,
        "moderation/ladder.html",
        {
            "form": form,
            "officer_form": officer_form,
            "thresholds": [(value, label, form.rows(value)) for value, label in THRESHOLDS],
            "weeks": [(week, officers.get(week)) for week in weeks],
        },
        status=400 if which and not (form.is_valid() or officer_form.is_valid()) else 200,
    )


@requires_role(Role.COMMUNICATOR)
def handover_page(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    items = handover.open_items_of(request.institution, request.user)
    form = HandoverForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        result = handover.items_hand_over(
            institution=request.institution,
            actor=request.user,
            notes=form.notes(),
            note_for_all=form.cleaned_data["note_for_all"],
        )
        messages.success(
            request,
            _(
                "Handed over: %(handed)s. Staying with you (nobody on duty could take them): "
                "%(flagged)s."
            )
            % {"handed": result.handed, "flagged": result.flagged},
        )
        return redirect("moderation:handover", institution_slug=institution_slug)
    return render(
        request,
        "moderation/handover.html",
        {"form": form, "rows": [(item, form[f"note_{item.pk}"]) for item in items]},
        status=400 if request.method == "POST" else 200,
    )
