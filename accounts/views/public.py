"""An institution's public pages about itself (no login): its accessibility statement (a legal
duty under Directive (EU) 2016/2102), its privacy notice and its contact details.

Like the house rules, transparency and complaint pages, they take the institution from the URL
(the middleware looks it up publicly) and speak the visitor's language.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Institution
from accounts.public_details import AccessibilityStatus
from accounts.public_pages import DATA_PROTECTION_AUTHORITY, ombudsman, retention


@login_not_required
def accessibility_statement(request: HttpRequest, institution_slug: str) -> HttpResponse:
    institution: Institution = request.institution  # type: ignore[attr-defined]
    return render(
        request,
        "public/accessibility.html",
        {
            "institution": institution,
            "fully_compliant": institution.accessibility_status == AccessibilityStatus.FULL,
            "ombudsman": ombudsman(institution),
        },
    )


@login_not_required
def privacy_notice(request: HttpRequest, institution_slug: str) -> HttpResponse:
    institution: Institution = request.institution  # type: ignore[attr-defined]
    return render(
        request,
        "public/privacy.html",
        {
            "institution": institution,
            "retention": retention(institution),
            "authority": DATA_PROTECTION_AUTHORITY,
        },
    )


@login_not_required
def contact(request: HttpRequest, institution_slug: str) -> HttpResponse:
    institution: Institution = request.institution  # type: ignore[attr-defined]
    return render(request, "public/contact.html", {"institution": institution})
