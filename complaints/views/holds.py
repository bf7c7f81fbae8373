"""The register of legal holds: every hold of the institution, open and lifted, and the forms to
place one (on a complaint by reference, on a social media item by number) or lift one.

The case page and the item page post their hold forms here too (``back``: where to return).
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from complaints.models import Case, LegalHold
from complaints.services.holds import LegalHoldError, hold_lift, hold_place

HOLDERS = (Role.COMPLAINT_OFFICER, Role.INSTITUTION_ADMIN)


@requires_role(*HOLDERS)
def hold_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    if request.method == "POST":
        return _place(request)
    return _page(request)


def _page(request: InstitutionRequest, *, status: int = 200) -> HttpResponse:
    holds = (
        LegalHold.objects.for_institution(request.institution)
        .select_related("case", "placed_by", "lift", "lift__lifted_by")
        .order_by("-placed_at", "-pk")
    )
    return render(
        request,
        "complaints/hold_list.html",
        {
            "open_holds": [hold for hold in holds if not hasattr(hold, "lift")],
            "lifted_holds": [hold for hold in holds if hasattr(hold, "lift")],
            "is_officer": Role.COMPLAINT_OFFICER in request.institution_roles,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


def _place(request: InstitutionRequest) -> HttpResponse:
    reference = request.POST.get("case", "").strip()
    item_number = request.POST.get("item", "").strip()
    case = item = None
    if reference and item_number:
        return _refused(request, _("Give a complaint reference or an item number, not both."))
    if reference:
        case = Case.objects.for_institution(request.institution).filter(reference=reference).first()
        if case is None:
            return _refused(request, _("No complaint has the reference “%(reference)s”.")
                            % {"reference": reference})  # fmt: skip
    elif item_number:
        item = _item(request, item_number)
        if item is None:
            return _refused(request, _("No social media item has the number “%(number)s”.")
                            % {"number": item_number})  # fmt: skip
    try:
        hold_place(
            institution=request.institution,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            case=case,
            item=item,
        )
    except LegalHoldError as error:
        return _refused(request, str(error), case, item)
    messages.success(request, _("The legal hold is placed: nothing held can be erased."))
    return redirect(_back(request, case, item))


def _item(request: InstitutionRequest, number: str) -> Model | None:
    """The institution's item with this number (named by the app registry: complaints never
    import moderation)."""
    if not number.isdigit():
        return None
    item_model = apps.get_model("moderation", "Item")
    return item_model.objects.filter(institution=request.institution, pk=int(number)).first()  # type: ignore[no-any-return]


@require_POST
@requires_role(*HOLDERS)
def hold_lift_view(
    request: InstitutionRequest, institution_slug: str, hold_id: int
) -> HttpResponse:
    hold = get_object_or_404(LegalHold.objects.for_institution(request.institution), pk=hold_id)
    try:
        hold_lift(hold=hold, actor=request.user, reason=request.POST.get("reason", ""))
    except LegalHoldError as error:
        return _refused(request, str(error), hold.case, hold.item if hold.item_id else None)
    messages.success(request, _("The legal hold is lifted."))
    return redirect(_back(request, hold.case, hold.item if hold.item_id else None))


def _refused(
    request: InstitutionRequest,
    problem: str,
    case: Case | None = None,
    item: Model | None = None,
) -> HttpResponse:
    """Back to the page holding the form with the reason shown (the register page at once, with
    what was typed; the case and item pages as a message)."""
    messages.error(request, problem)
    if request.POST.get("back") in ("case", "item") and (case or item) is not None:
        return redirect(_back(request, case, item))
    return _page(request, status=400)


def _back(request: InstitutionRequest, case: Case | None, item: Model | None) -> str:
    slug = request.institution.slug
    back = request.POST.get("back")
    if back == "case" and case is not None:
        return reverse("complaints:case-detail", kwargs={"institution_slug": slug,
                                                         "reference": case.reference})  # fmt: skip
    if back == "item" and item is not None:
        return reverse("moderation:item-detail", kwargs={"institution_slug": slug,
                                                         "item_id": item.pk})  # fmt: skip
    return reverse("complaints:hold-list", kwargs={"institution_slug": slug})
