"""Keyword watch terms and their hit counts per week (institution admins)."""

from __future__ import annotations

from datetime import date, timedelta

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from channels.models import KeywordHit, WatchTerm

WEEKS = 8


class WatchTermForm(forms.ModelForm):
    class Meta:
        model = WatchTerm
        fields = ("term", "match_prefix", "exclusions", "language", "urgent", "is_active")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_term(self) -> str:
        term = " ".join(self.cleaned_data["term"].split())
        if not any(char.isalnum() for char in term):
            raise forms.ValidationError(_("A watch term needs at least one letter or digit."))
        return term


def _weeks() -> list[date]:
    this_monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    return [this_monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


@requires_role(Role.INSTITUTION_ADMIN)
def watch_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    form = WatchTermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        term = form.save(commit=False)
        term.institution = request.institution
        term._history_user = request.user  # type: ignore[attr-defined]
        term.save()
        messages.success(request, _("Watch term “%(term)s” added.") % {"term": term.term})
        return redirect("channels:watch-list", institution_slug=institution_slug)
    weeks = _weeks()
    counts = (
        KeywordHit.objects.for_institution(request.institution)
        .filter(matched_at__date__gte=weeks[0])
        .annotate(week=TruncWeek("matched_at"))
        .values("term_id", "week")
        .annotate(n=Count("id"))
    )
    by_term: dict[int, dict[date, int]] = {}
    for row in counts:
        by_term.setdefault(row["term_id"], {})[row["week"].date()] = row["n"]
    rows = [
        (term, [by_term.get(term.pk, {}).get(week, 0) for week in weeks])
        for term in WatchTerm.objects.for_institution(request.institution)
    ]
    return render(request, "channels/watch_list.html", {"form": form, "rows": rows, "weeks": weeks})


@requires_role(Role.INSTITUTION_ADMIN)
def watch_edit(request: InstitutionRequest, institution_slug: str, term_id: int) -> HttpResponse:
    term = get_object_or_404(WatchTerm.objects.for_institution(request.institution), pk=term_id)
    form = WatchTermForm(request.POST or None, instance=term)
    if request.method == "POST" and form.is_valid():
        term = form.save(commit=False)
        term._history_user = request.user  # type: ignore[attr-defined]
        term.save()
        messages.success(request, _("Watch term “%(term)s” saved.") % {"term": term.term})
        return redirect("channels:watch-list", institution_slug=institution_slug)
    return render(request, "channels/watch_edit.html", {"form": form, "term": term})
