"""Saved replies (communicators) and duty: my on-duty switch, who is on duty per language."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from moderation.models import SavedReply
from moderation.services.assignment import duty_set, is_on_duty, on_duty_by_language

MODERATORS = Role.COMMUNICATOR


class SavedReplyForm(forms.ModelForm):
    class Meta:
        model = SavedReply
        fields = ("language", "title", "text", "is_active")
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.helper = FormHelper()
        self.helper.form_tag = False


@requires_role(MODERATORS, Role.INSTITUTION_ADMIN)
def saved_replies(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    editing = None
    edit_id = request.POST.get("reply_id") or request.GET.get("edit")
    if edit_id and str(edit_id).isdigit():
        editing = get_object_or_404(
            SavedReply.objects.for_institution(request.institution), pk=int(edit_id)
        )
    form = SavedReplyForm(request.POST or None, instance=editing)
    if request.method == "POST" and form.is_valid():
        reply = form.save(commit=False)
        reply.institution = request.institution
        reply.save()
        messages.success(request, _("Saved reply “%(title)s” saved.") % {"title": reply.title})
        return redirect("moderation:saved-replies", institution_slug=institution_slug)
    return render(
        request,
        "moderation/saved_replies.html",
        {
            "replies": SavedReply.objects.for_institution(request.institution),
            "form": form,
            "editing": editing,
        },
    )


@requires_role(MODERATORS, Role.INSTITUTION_ADMIN)
def duty(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    return render(
        request,
        "moderation/duty.html",
        {
            "on_duty": is_on_duty(request.institution, request.user),
            "by_language": on_duty_by_language(request.institution),
            "may_hand_over": MODERATORS in request.institution_roles,
            "is_admin": Role.INSTITUTION_ADMIN in request.institution_roles,
        },
    )


@require_POST
@requires_role(MODERATORS)
def duty_toggle(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    on = request.POST.get("on_duty") == "1"
    duty_set(institution=request.institution, user=request.user, on_duty=on)
    messages.success(request, _("You are now on duty.") if on else _("You are now off duty."))
    return redirect("moderation:duty", institution_slug=institution_slug)
