"""Accepting an invitation: a public page, since the invitee usually has no account yet."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import InvitationAcceptForm
from accounts.models import Invitation, User
from accounts.services import members as member_services


@login_not_required
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request: HttpRequest, institution_slug: str, token: str) -> HttpResponse:
    invitation = member_services.invitation_find(institution_slug=institution_slug, token=token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    has_account = User.objects.filter(email=invitation.email).exists()
    signed_in_as_invitee = request.user.is_authenticated and request.user.email == invitation.email
    form = InvitationAcceptForm(
        request.POST if request.method == "POST" and not has_account else None,
        initial={"full_name": invitation.full_name},
    )
    if request.method == "POST":
        try:
            if has_account:
                user = _accept_as_signed_in_user(request, invitation, signed_in_as_invitee)
            elif form.is_valid():
                user = member_services.invitation_accept(
                    invitation=invitation,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                    language=translation.get_language() or "fr",
                )
                login(request, user, backend="accounts.auth_backends.ModelBackend")
            else:
                user = None
        except ValidationError as error:
            form.add_error("password1" if not has_account else None, error)
            user = None
        if user is not None:
            messages.success(
                request,
                _("Welcome to %(institution)s.") % {"institution": invitation.institution},
            )
            return redirect("accounts:institution-detail", institution_slug=institution_slug)
    context = {
        "invitation": invitation,
        "form": form,
        "has_account": has_account,
        "signed_in_as_invitee": signed_in_as_invitee,
    }
    return render(request, "accounts/invitation_accept.html", context)


def _accept_as_signed_in_user(
    request: HttpRequest, invitation: Invitation, signed_in: bool
) -> User:
    if not signed_in:
        raise ValidationError(
            _("Sign in as %(email)s to accept this invitation."),
            params={"email": invitation.email},
        )
    user = request.user
    if not isinstance(user, User):  # unreachable when signed_in; keeps the types honest
        raise ValidationError(_("Sign in to accept this invitation."))
    return member_services.invitation_accept(invitation=invitation, user=user)
