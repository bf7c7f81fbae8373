"""The institution admin's API tokens page: create (the secret shown once), list, revoke."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from api.forms import TokenCreateForm
from api.models import ApiToken
from api.services import TokenError, token_create, token_revoke


@requires_role(Role.INSTITUTION_ADMIN)
def token_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    secret = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            expires_at = datetime.combine(data["expires_on"], time.max, request.institution.zone)
            try:
                created = token_create(
                    institution=request.institution,
                    actor=request.user,
                    name=data["name"],
                    scopes=data["scopes"],
                    expires_at=expires_at,
                )
            except TokenError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                secret = created.secret
                form = TokenCreateForm()
        else:
            status = 400
    tokens = ApiToken.objects.for_institution(request.institution).order_by(
        "revoked_at", "-created_at"
    )
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "secret": secret, "now": timezone.now()},
        status=status,
    )
    return response


@require_POST
@requires_role(Role.INSTITUTION_ADMIN)
def token_revoke_view(
    request: InstitutionRequest, institution_slug: str, token_id: int
) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.for_institution(request.institution), pk=token_id)
    try:
        token_revoke(token=token, actor=request.user)
    except TokenError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("api:tokens", institution_slug=institution_slug)
