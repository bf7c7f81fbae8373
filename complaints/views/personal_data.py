"""The complainant's access and erasure rights, exercised by an officer on request."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from complaints.services.personal_data import complainant_erase, complainant_export
from complaints.views.cases import case_for, case_url


@require_POST
@requires_role(Role.COMPLAINT_OFFICER)
def personal_data_export(
    request: InstitutionRequest, institution_slug: str, reference: str
) -> HttpResponse:
    case = case_for(request, reference)
    archive = complainant_export(case=case, actor=request.user)
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-personal-data.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@requires_role(Role.COMPLAINT_OFFICER)
def personal_data_erase(
    request: InstitutionRequest, institution_slug: str, reference: str
) -> HttpResponse:
    case = case_for(request, reference)
    try:
        erased = complainant_erase(
            case=case, actor=request.user, reason=request.POST.get("reason", "")[:1000]
        )
    except ValueError as error:
        messages.error(request, str(error))
    else:
        if erased:
            messages.success(request, _("The complainant's personal data has been erased."))
    return redirect(case_url(case))
