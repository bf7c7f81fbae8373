"""Member management for institution admins: list, invite, roles, deactivation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import InviteForm, MemberRolesForm
from accounts.models import Invitation, Membership, Role, User
from accounts.selectors import member_rows
from accounts.services import members as member_services
from accounts.tenancy import InstitutionRequest, requires_role


def _member(request: InstitutionRequest, user_id: str) -> User:
    """A user who has (or had) a membership in this institution; 404 for anyone else."""
    user_ids = Membership.objects.for_institution(request.institution).values("user_id")
    return get_object_or_404(User.objects.filter(pk__in=user_ids), public_id=user_id)


def _invitation(request: InstitutionRequest, invitation_id: str) -> Invitation:
    return get_object_or_404(
        Invitation.objects.for_institution(request.institution), public_id=invitation_id
    )


def _back_to_list(request: InstitutionRequest) -> HttpResponse:
    return redirect("accounts:member-list", institution_slug=request.institution.slug)


@requires_role(Role.INSTITUTION_ADMIN)
def member_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    invitations = Invitation.objects.for_institution(request.institution).pending()
    context = {
        "rows": member_rows(request.institution),
        "invitations": invitations.select_related("invited_by"),
    }
    return render(request, "accounts/member_list.html", context)


@requires_role(Role.INSTITUTION_ADMIN)
def member_invite(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = member_services.invitation_create(
                institution=request.institution, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return _back_to_list(request)
    return render(request, "accounts/member_invite.html", {"form": form})


@requires_role(Role.INSTITUTION_ADMIN)
def member_edit(request: InstitutionRequest, institution_slug: str, user_id: str) -> HttpResponse:
    member = _member(request, user_id)
    memberships = Membership.objects.for_institution(request.institution).filter(user=member)
    current_roles = [m.role for m in memberships]
    is_active = member.is_active and any(m.is_active for m in memberships)
    form = MemberRolesForm(request.POST or None, initial={"roles": current_roles})
    if request.method == "POST" and form.is_valid():
        try:
            member_services.member_set_roles(
                institution=request.institution,
                actor=request.user,
                user=member,
                roles=form.cleaned_data["roles"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Roles of %(name)s updated.") % {"name": member})
            return _back_to_list(request)
    history = Membership.history.filter(institution_id=request.institution.pk, user_id=member.pk)
    context = {
        "member": member,
        "form": form,
        "is_active": is_active,
        "history": history.select_related("history_user").order_by("-history_date")[:20],
    }
    return render(request, "accounts/member_edit.html", context)


@require_POST
@requires_role(Role.INSTITUTION_ADMIN)
def member_deactivate(
    request: InstitutionRequest, institution_slug: str, user_id: str
) -> HttpResponse:
    member = _member(request, user_id)
    try:
        member_services.member_deactivate(
            institution=request.institution, actor=request.user, user=member
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s was deactivated.") % {"name": member})
    return _back_to_list(request)


@require_POST
@requires_role(Role.INSTITUTION_ADMIN)
def member_reactivate(
    request: InstitutionRequest, institution_slug: str, user_id: str
) -> HttpResponse:
    member = _member(request, user_id)
    member_services.member_reactivate(
        institution=request.institution, actor=request.user, user=member
    )
    messages.success(request, _("%(name)s was reactivated.") % {"name": member})
    return _back_to_list(request)


@require_POST
@requires_role(Role.INSTITUTION_ADMIN)
def invitation_revoke(
    request: InstitutionRequest, institution_slug: str, invitation_id: str
) -> HttpResponse:
    invitation = _invitation(request, invitation_id)
    try:
        member_services.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation revoked."))
    return _back_to_list(request)


@require_POST
@requires_role(Role.INSTITUTION_ADMIN)
def invitation_resend(
    request: InstitutionRequest, institution_slug: str, invitation_id: str
) -> HttpResponse:
    invitation = _invitation(request, invitation_id)
    try:
        member_services.invitation_resend(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("A new invitation link was sent to %(email)s.") % {"email": invitation.email}
        )
    return _back_to_list(request)
