"""The institution's overview page and its SLA settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.forms import InstitutionSettingsForm
from accounts.models import Role
from accounts.selectors import institution_overview, settings_history
from accounts.services.institutions import institution_update_settings
from accounts.tenancy import ANY_MEMBER, InstitutionRequest, requires_role


@requires_role(ANY_MEMBER)
def institution_detail(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    overview = institution_overview(request.institution, request.institution_roles)
    return render(request, "accounts/institution_detail.html", {"overview": overview})


@requires_role(Role.INSTITUTION_ADMIN)
def institution_settings(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    institution = request.institution
    form = InstitutionSettingsForm(request.POST or None, instance=institution)
    if request.method == "POST" and form.is_valid():
        try:
            channels = institution_update_settings(
                institution=institution, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _saved_message(channels))
            return redirect("accounts:institution-settings", institution_slug=institution.slug)
    return render(
        request,
        "accounts/institution_settings.html",
        {"form": form, "history": settings_history(institution)},
    )


def _saved_message(channels: int) -> str:
    if not channels:
        return _("Settings saved.")
    return ngettext(
        "Settings saved; %(count)s channel now uses the new response times.",
        "Settings saved; %(count)s channels now use the new response times.",
        channels,
    ) % {"count": channels}
