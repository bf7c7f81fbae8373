"""Acknowledgements, answers, printed letters, internal notes and the letter templates."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, SpokenLanguage
from accounts.tenancy import InstitutionRequest, requires_role
from complaints.forms import LetterForm, LetterTemplateForm, NoteForm
from complaints.models import Complainant, Correspondence, LetterKind, LetterTemplate
from complaints.services.letters import (
    LetterError,
    letter_prepare,
    letter_render,
    letter_send,
    note_add,
    template_for,
)
from complaints.services.tracking import PLACEHOLDER as TRACKING_PLACEHOLDER
from complaints.views.cases import case_for, case_url

OFFICER = Role.COMPLAINT_OFFICER
PRINT_LINK_KEY = "complaints.print-tracking-link"
"""The tracking link of the printed letter just sent, for its print page (the link itself is
never stored with the letter; the session ends within 12 hours)."""


@requires_role(OFFICER)
def letter_compose(
    request: InstitutionRequest, institution_slug: str, reference: str, kind: str
) -> HttpResponse:
    """Write, then preview, then send: the preview shows the exact letter and the send button
    carries its fingerprint, so what goes out is what the officer saw."""
    if kind not in LetterKind.values:
        raise Http404
    case = case_for(request, reference)
    complainant = Complainant.objects.get(case=case)
    context = {"case": case, "kind": LetterKind(kind), "complainant": complainant}
    if request.method != "POST":
        subject, body = letter_render(case, kind)
        channel = Correspondence.Channel.EMAIL if complainant.email else "letter"
        form = LetterForm(initial={"subject": subject, "body": body, "channel": channel})
        return render(request, "complaints/letter_compose.html", context | {"form": form})
    form = LetterForm(request.POST)
    if form.is_valid() and "edit" not in request.POST:
        try:
            if "send" in request.POST:
                letter = letter_send(
                    case=case,
                    actor=request.user,
                    kind=kind,
                    previewed=request.POST.get("previewed", ""),
                    **form.cleaned_data,
                )
                return _after_sending(request, letter)
            draft = letter_prepare(case=case, kind=kind, **form.cleaned_data)
        except LetterError as error:
            form.add_error(None, str(error))
        else:
            context |= {"form": form, "draft": draft, "today": timezone.now()}
            return render(request, "complaints/letter_preview.html", context)
    return render(request, "complaints/letter_compose.html", context | {"form": form})


def _after_sending(request: InstitutionRequest, letter: Correspondence) -> HttpResponse:
    if letter.channel == Correspondence.Channel.LETTER:
        if letter.tracking_url:
            request.session[PRINT_LINK_KEY] = {"letter": letter.pk, "url": letter.tracking_url}
        return redirect(
            "complaints:letter-print",
            institution_slug=request.institution.slug,
            reference=letter.case.reference,
            letter_id=letter.pk,
        )
    messages.success(request, _("The e-mail is on its way."))
    return redirect(case_url(letter.case))


@requires_role(OFFICER)
def letter_print(
    request: InstitutionRequest, institution_slug: str, reference: str, letter_id: int
) -> HttpResponse:
    case = case_for(request, reference)
    letter = get_object_or_404(Correspondence.objects.filter(case=case), pk=letter_id)
    just_sent = request.session.get(PRINT_LINK_KEY) or {}
    link = (
        just_sent["url"]
        if just_sent.get("letter") == letter.pk
        else _("(private tracking link: not kept; issue a new one from the case page)")
    )
    return render(
        request,
        "complaints/letter_print.html",
        {
            "case": case,
            "letter": letter,
            "body": letter.body.replace(TRACKING_PLACEHOLDER, link),
            "complainant": Complainant.objects.get(case=case),
        },
    )


@require_POST
@requires_role(OFFICER)
def note_create(request: InstitutionRequest, institution_slug: str, reference: str) -> HttpResponse:
    case = case_for(request, reference)
    form = NoteForm(request.POST)
    if form.is_valid():
        note_add(case=case, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("The note was added."))
    else:
        messages.error(request, _("The note is empty."))
    return redirect(case_url(case))


@requires_role(OFFICER, Role.INSTITUTION_ADMIN)
def template_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    own = {
        (template.kind, template.language)
        for template in LetterTemplate.objects.for_institution(request.institution)
    }
    rows = [
        (kind, language, (kind, language) in own)
        for kind in LetterKind
        for language in SpokenLanguage
    ]
    return render(request, "complaints/template_list.html", {"rows": rows})


@requires_role(OFFICER, Role.INSTITUTION_ADMIN)
def template_edit(
    request: InstitutionRequest, institution_slug: str, kind: str, language: str
) -> HttpResponse:
    if kind not in LetterKind.values or language not in SpokenLanguage.values:
        raise Http404
    template = LetterTemplate.objects.for_institution(request.institution).filter(
        kind=kind, language=language
    ).first() or LetterTemplate(institution=request.institution, kind=kind, language=language)
    if template.pk is None:
        template.subject, template.body = template_for(request.institution, kind, language)
    form = LetterTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The template has been saved."))
        return redirect("complaints:template-list", institution_slug=institution_slug)
    return render(
        request,
        "complaints/template_edit.html",
        {"form": form, "kind": LetterKind(kind), "language": SpokenLanguage(language)},
    )
