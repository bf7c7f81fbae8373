"""Project-level pages."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accounts.selectors import home_summaries
from accounts.tenancy import AuthenticatedRequest


def home(request: AuthenticatedRequest) -> HttpResponse:
    """The signed-in user's institutions and, per role, what waits for them."""
    return render(request, "govsocial/home.html", {"summaries": home_summaries(request.user)})
