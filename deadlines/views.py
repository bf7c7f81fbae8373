"""Missed deadlines of an institution, one section per deadline source, for its admins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from deadlines.engine import sources

SHOWN = 100


@dataclass(frozen=True)
class Section:
    template: str
    rows: QuerySet[Any]
    count: int


@requires_role(Role.INSTITUTION_ADMIN)
def breached(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    now = timezone.now()
    sections = []
    for source in sources():
        missed = source.missed(request.institution, now)
        sections.append(Section(source.missed_template, missed[:SHOWN], missed.count()))
    return render(request, "deadlines/breached.html", {"sections": sections, "shown": SHOWN})
