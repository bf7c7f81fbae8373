"""Missed deadlines of an institution, items and complaints, for its admins."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Role
from complaints.models import Case
from govsocial.tenancy import InstitutionRequest, requires_role
from moderation.models import Item

SHOWN = 100


@requires_role(Role.INSTITUTION_ADMIN)
def breached(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    now = timezone.now()
    items = Item.objects.for_institution(request.institution).overdue(now)
    cases = Case.objects.for_institution(request.institution).overdue(now)
    return render(
        request,
        "deadlines/breached.html",
        {
            "items": items.select_related("channel", "assigned_to").order_by("due_at", "pk")[
                :SHOWN
            ],
            "item_count": items.count(),
            "cases": cases.select_related("assigned_officer", "category").order_by("due_at", "pk")[
                :SHOWN
            ],
            "case_count": cases.count(),
            "shown": SHOWN,
        },
    )
