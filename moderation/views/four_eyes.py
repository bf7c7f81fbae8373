"""Four eyes on sensitive removals: the proposals waiting for a second look (moderators, and
institution admins who oversee them) and the sensitive accounts list (institution admins).
Approving and rejecting happen on the item page (``views.items``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from moderation.forms import SensitiveAccountForm
from moderation.models import SensitiveAccount
from moderation.services import four_eyes

PAGE_SIZE = 50


@requires_role(Role.COMMUNICATOR, Role.INSTITUTION_ADMIN)
def removal_approvals(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    pending = four_eyes.pending_proposals(request.institution)
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    roles = request.institution_roles
    rows = []
    for proposal in page:
        proposal.institution = request.institution  # no query per row for the refusal
        rows.append((proposal, four_eyes.review_refusal(proposal, request.user, roles)))
    return render(
        request,
        "moderation/removal_approvals.html",
        {
            "page": page,
            "rows": rows,
            "moderates": bool(roles & {Role.COMMUNICATOR, Role.SPOKESPERSON}),
        },
    )


@requires_role(Role.INSTITUTION_ADMIN)
def sensitive_accounts(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    form = SensitiveAccountForm(request.POST or None, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        account = four_eyes.sensitive_account_save(
            institution=request.institution, actor=request.user, account=form.save(commit=False)
        )
        messages.success(request, _("“%(handle)s” added to the list.") % {"handle": account})
        return redirect("moderation:sensitive-accounts", institution_slug=institution_slug)
    accounts = SensitiveAccount.objects.for_institution(request.institution)
    return render(
        request,
        "moderation/sensitive_accounts.html",
        {"form": form, "accounts": accounts},
        status=400 if form.errors else 200,
    )


@requires_role(Role.INSTITUTION_ADMIN)
def sensitive_account_edit(
    request: InstitutionRequest, institution_slug: str, account_id: int
) -> HttpResponse:
    account = get_object_or_404(
        SensitiveAccount.objects.for_institution(request.institution), pk=account_id
    )
    form = SensitiveAccountForm(
        request.POST or None, instance=account, institution=request.institution
    )
    if request.method == "POST" and form.is_valid():
        four_eyes.sensitive_account_save(
            institution=request.institution, actor=request.user, account=form.save(commit=False)
        )
        messages.success(request, _("“%(handle)s” saved.") % {"handle": account})
        return redirect("moderation:sensitive-accounts", institution_slug=institution_slug)
    history = account.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "moderation/sensitive_account_edit.html",
        {"form": form, "account": account, "history": history},
        status=400 if form.errors else 200,
    )
