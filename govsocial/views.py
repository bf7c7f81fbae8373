"""Project-level pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import home_summaries


def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's institutions and, per role, what waits for them."""
    return render(request, "govsocial/home.html", {"summaries": home_summaries(request.user)})
