"""The complainant's private tracking page (public, no login) and the officer's new link.

The page answers the same 404 for a wrong reference, a wrong token, a closed link and erased
data, so it tells a visitor nothing about which cases exist. It is shown in the complaint's
language unless the visitor chose another with the language buttons (the choice is a cookie),
never cached or indexed, and each address may look up only ``PER_IP`` pages an hour.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Institution, Role
from accounts.tenancy import InstitutionRequest, requires_role
from complaints.models import Case
from complaints.services.tracking import TrackingError, Via, tracking_find, tracking_send
from complaints.tracking_page import tracking_page
from complaints.views.cases import case_for, case_url
from govsocial.ratelimit import allow, client_ip

PER_IP = (60, 3600)  # tracking pages (and new-link requests) per address per hour
RENEWALS_PER_CASE = (3, 3600)  # new links e-mailed per case per hour: no mail-bombing


@never_cache
@login_not_required
def tracking(
    request: HttpRequest, institution_slug: str, reference: str, token: str
) -> HttpResponse:
    if not _within_limit(request):
        return _too_many(request)
    case = _case(request, reference, token)
    with translation.override(_language(request, case)):
        page = tracking_page(case, link_text=_("(the private link to this page)"))
        response = render(
            request,
            "complaints/tracking.html",
            {"institution": case.institution, "page": page, "token": token},
        )
    return _private(response)


@never_cache
@require_POST
@login_not_required
def tracking_renew(
    request: HttpRequest, institution_slug: str, reference: str, token: str
) -> HttpResponse:
    """The complainant asks for a new link: this one stops working, the new one is e-mailed."""
    if not _within_limit(request):
        return _too_many(request)
    case = _case(request, reference, token)
    with translation.override(_language(request, case)):
        if not allow(
            "tracking-renew",
            str(case.pk),
            limit=RENEWALS_PER_CASE[0],
            window_seconds=RENEWALS_PER_CASE[1],
        ):
            problem = _("A new link was already sent several times in the last hour. Please try "
                        "again later.")  # fmt: skip
            return _message(request, _("No new link sent"), problem, status=429)
        try:
            tracking_send(case=case, actor=None, via=Via.COMPLAINANT)
        except TrackingError as error:
            return _message(request, _("No new link sent"), str(error), status=400)
        return _message(
            request,
            _("A new link is on its way"),
            _(
                "We sent a new private link to the e-mail address you gave us. The link you used "
                "no longer works."
            ),
        )


def _language(request: HttpRequest, case: Case) -> str:
    """The visitor's own choice (the language buttons' cookie), else the complaint's language,
    else the institution's."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return case.language or case.institution.default_language


def _within_limit(request: HttpRequest) -> bool:
    """Every look-up from one address counts, found or not: guessing stays slow."""
    return allow("tracking-ip", client_ip(request), limit=PER_IP[0], window_seconds=PER_IP[1])


def _too_many(request: HttpRequest) -> HttpResponse:
    return _message(
        request,
        _("Too many requests"),
        _("Too many pages were asked from here in the last hour. Please try again later."),
        status=429,
    )


def _message(request: HttpRequest, heading: str, text: str, *, status: int = 200) -> HttpResponse:
    response = render(
        request,
        "complaints/tracking_message.html",
        {"institution": request.institution, "heading": heading, "text": text},  # type: ignore[attr-defined]
        status=status,
    )
    return _private(response)


def _case(request: HttpRequest, reference: str, token: str) -> Case:
    """The case this link opens, or the same 404 whatever was wrong."""
    institution: Institution = request.institution  # type: ignore[attr-defined]
    case = tracking_find(institution=institution, reference=reference, token=token)
    if case is None:
        raise Http404
    return case


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
@requires_role(Role.COMPLAINT_OFFICER)
def tracking_rotate(
    request: InstitutionRequest, institution_slug: str, reference: str
) -> HttpResponse:
    """An officer issues a new link (the old one stops working): e-mailed to the complainant,
    or shown once here to pass on by letter or phone when there is no e-mail address."""
    case = case_for(request, reference)
    try:
        issued = tracking_send(case=case, actor=request.user, via=Via.OFFICER)
    except TrackingError as error:
        messages.error(request, str(error))
    else:
        if issued.emailed_to:
            messages.success(
                request,
                _(
                    "A new tracking link was e-mailed to %(address)s; the previous one no longer "
                    "works."
                )
                % {"address": issued.emailed_to},
            )
        else:
            messages.warning(
                request,
                _(
                    "No e-mail address: give the complainant this new link (shown only now; the "
                    "previous one no longer works): %(url)s"
                )
                % {"url": issued.url},
            )
    return redirect(case_url(case))
