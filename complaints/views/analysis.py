"""Analysis of complaints over a period, and recommendations to management."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from complaints.forms import PeriodForm, RecommendationForm
from complaints.models import Category, Outcome, Recommendation, Source
from complaints.selectors import analysis, recommendation_history
from complaints.services.recommendations import recommendation_save
from govsocial.csv_export import csv_download

OFFICER = Role.COMPLAINT_OFFICER


@requires_role(OFFICER)
def analysis_view(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"start": today - timedelta(days=365), "end": today})
    result = None
    if form.is_valid():
        zone = request.institution.zone
        start = datetime.combine(form.cleaned_data["start"], time.min, tzinfo=zone)
        end = datetime.combine(form.cleaned_data["end"] + timedelta(days=1), time.min, tzinfo=zone)
        result = analysis(request.institution, start, end, timezone.now())
    names = {c.code: c.name for c in Category.objects.of_institution(request.institution)}
    labels = {
        "category": names,
        "source": dict(Source.choices),
        "outcome": dict(Outcome.choices),
    }
    return render(
        request,
        "complaints/analysis.html",
        {"form": form, "result": result, "labels": labels},
    )


@requires_role(OFFICER)
def recommendation_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    recommendations = Recommendation.objects.for_institution(request.institution).prefetch_related(
        "categories", "cases"
    )
    if request.GET.get("format") == "csv":
        return _csv(recommendations, request.institution.slug)
    form = RecommendationForm(request.POST or None, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        recommendation = _save(form, request)
        messages.success(request, _("Recommendation saved."))
        return redirect(
            "complaints:recommendation-edit",
            institution_slug=institution_slug,
            recommendation_id=recommendation.pk,
        )
    return render(
        request,
        "complaints/recommendation_list.html",
        {"recommendations": recommendations, "form": form},
    )


@requires_role(OFFICER)
def recommendation_edit(
    request: InstitutionRequest, institution_slug: str, recommendation_id: int
) -> HttpResponse:
    recommendation = get_object_or_404(
        Recommendation.objects.for_institution(request.institution), pk=recommendation_id
    )
    form = RecommendationForm(
        request.POST or None, instance=recommendation, institution=request.institution
    )
    if request.method == "POST" and form.is_valid():
        _save(form, request)
        messages.success(request, _("Recommendation saved."))
        return redirect(
            "complaints:recommendation-edit",
            institution_slug=institution_slug,
            recommendation_id=recommendation.pk,
        )
    return render(
        request,
        "complaints/recommendation_edit.html",
        {
            "recommendation": recommendation,
            "form": form,
            "history": recommendation_history(recommendation),
            "print": request.GET.get("print") == "1",
        },
    )


def _save(form: RecommendationForm, request: InstitutionRequest) -> Recommendation:
    return recommendation_save(
        institution=request.institution,
        actor=request.user,
        recommendation=form.save(commit=False),
        categories=form.cleaned_data["categories"],
        cases=form.cleaned_data["case_references"],
    )


def _csv(recommendations: QuerySet[Recommendation], slug: str) -> HttpResponse:
    return csv_download(
        f"{slug}-recommendations.csv",
        ["title", "status", "created_at", "categories", "complaints", "text"],
        (
            [
                item.title,
                item.status,
                item.created_at.date().isoformat(),
                ", ".join(category.code for category in item.categories.all()),
                " ".join(case.reference for case in item.cases.all()),
                item.body,
            ]
            for item in recommendations
        ),
    )
