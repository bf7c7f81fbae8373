"""Attachments, evidence snapshots and bundle, victim advice and referrals (officers only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from complaints.items import social_item_read
from complaints.models import Attachment, Case
from complaints.services.evidence import (
    EvidenceError,
    advice_record,
    attachment_add,
    evidence_bundle,
    evidence_preserve,
    referral_record,
)
from complaints.services.evidence import (
    attachment_download as attachment_read,
)
from complaints.views.cases import case_for, case_url

OFFICER = Role.COMPLAINT_OFFICER


def _done(
    request: InstitutionRequest, case: Case, error: EvidenceError | None, done: str = ""
) -> HttpResponse:
    """Back to the case, saying why the step was refused or, when given, what was done."""
    if error is not None:
        messages.error(request, str(error))
    elif done:
        messages.success(request, done)
    return redirect(case_url(case))


@require_POST
@requires_role(OFFICER)
def attachment_upload(
    request: InstitutionRequest, institution_slug: str, reference: str
) -> HttpResponse:
    case = case_for(request, reference)
    upload = request.FILES.get("file")
    if upload is None:
        return _done(request, case, EvidenceError(_("Choose a file.")))
    try:
        attachment_add(case=case, actor=request.user, upload=upload)
    except EvidenceError as error:
        return _done(request, case, error)
    return _done(request, case, None, _("The file was attached."))


@requires_role(OFFICER)
def attachment_download(
    request: InstitutionRequest, institution_slug: str, reference: str, attachment_id: int
) -> HttpResponse:
    """The file (10 MB at most), its download recorded in the evidence access log."""
    case = case_for(request, reference)
    attachment = get_object_or_404(Attachment.objects.filter(case=case), pk=attachment_id)
    response = HttpResponse(
        attachment_read(attachment=attachment, actor=request.user),
        content_type=attachment.content_type,
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@requires_role(OFFICER)
def evidence_capture(
    request: InstitutionRequest, institution_slug: str, reference: str, item_id: int
) -> HttpResponse:
    case = case_for(request, reference)
    item = get_object_or_404(case.items.all(), pk=item_id)
    evidence_preserve(case=case, actor=request.user, item=social_item_read(item.pk))
    messages.success(request, _("The item has been preserved as evidence."))
    return redirect(case_url(case))


@require_POST
@requires_role(OFFICER)
def evidence_download(
    request: InstitutionRequest, institution_slug: str, reference: str
) -> HttpResponse:
    case = case_for(request, reference)
    response = HttpResponse(
        evidence_bundle(case=case, actor=request.user), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-evidence.zip"'
    return response


@require_POST
@requires_role(OFFICER)
def advice_check(
    request: InstitutionRequest, institution_slug: str, reference: str
) -> HttpResponse:
    case = case_for(request, reference)
    try:
        advice_record(case=case, actor=request.user, step=request.POST.get("step", ""))
    except EvidenceError as error:
        return _done(request, case, error)
    return _done(request, case, None, _("Recorded: the advice was given."))


@require_POST
@requires_role(OFFICER)
def referral(request: InstitutionRequest, institution_slug: str, reference: str) -> HttpResponse:
    case = case_for(request, reference)
    try:
        referral_record(
            case=case,
            actor=request.user,
            target=request.POST.get("target", ""),
            person=request.POST.get("person", "")[:200],
        )
    except EvidenceError as error:
        return _done(request, case, error)
    return _done(request, case, None, _("Recorded: the referral."))
