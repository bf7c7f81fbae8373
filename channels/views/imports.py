"""Importing files of items: upload, progress (htmx polling), row-level report."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.middleware import background_request
from accounts.models import Institution, Role
from accounts.tenancy import InstitutionRequest, requires_role
from channels.importing import ImportFileError
from channels.models import Channel, ImportJob
from channels.services.imports import MAX_FILE_BYTES, import_create, too_large_message

IMPORTERS = (Role.COMMUNICATOR, Role.INSTITUTION_ADMIN)
RECENT_JOBS = 20


class ImportForm(forms.Form):
    file_name = ""
    channel = forms.ModelChoiceField(label=gettext_lazy("Channel"), queryset=Channel.objects.none())
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (comma, semicolon or tab separated, with a header line) or JSON, at most 20 MB. "
            "Required column: external_id. See the list of columns below."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,.txt,.tsv"}),
    )
    historic = forms.BooleanField(
        label=gettext_lazy("These items were already handled (history)"),
        required=False,
        help_text=gettext_lazy(
            "New items are filed as already handled, without an answer deadline, assignment or "
            "alert. Leave unticked for items that still need an answer: their 24-hour deadline "
            "counts from the import. A historic column marks single rows."
        ),
    )

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = cast(forms.ModelChoiceField, self.fields["channel"])
        channel.queryset = Channel.objects.for_institution(institution).active()
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(too_large_message(MAX_FILE_BYTES))
        self.file_name = str(upload.name or "upload")
        content: bytes = upload.read()
        return content


@requires_role(*IMPORTERS)
def import_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_create(
                channel=form.cleaned_data["channel"],
                actor=request.user,
                file_name=form.file_name,
                content=form.cleaned_data["file"],
                historic=form.cleaned_data["historic"],
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if job.is_finished:
                messages.success(request, _("The file has been imported."))
            return redirect(
                "channels:import-detail", institution_slug=institution_slug, job_id=job.pk
            )
    jobs = (
        ImportJob.objects.for_institution(request.institution)
        .select_related("channel", "uploaded_by")
        .defer("content")[:RECENT_JOBS]
    )
    return render(request, "channels/import_list.html", {"form": form, "jobs": jobs})


@requires_role(*IMPORTERS)
def import_detail(request: InstitutionRequest, institution_slug: str, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    return render(request, "channels/import_detail.html", {"job": job})


@requires_role(*IMPORTERS)
@background_request
def import_progress(
    request: InstitutionRequest, institution_slug: str, job_id: int
) -> HttpResponse:
    """Polled by the detail page while the job runs; polling does not keep a session alive."""
    return render(request, "channels/_import_progress.html", {"job": _job(request, job_id)})


def _job(request: InstitutionRequest, job_id: int) -> ImportJob:
    return get_object_or_404(
        ImportJob.objects.for_institution(request.institution)
        .select_related("channel", "uploaded_by")
        .defer("content"),
        pk=job_id,
    )
