"""Staff acknowledgement: members accept the staff charter in force; admins follow who did."""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from accounts.tenancy import ANY_MEMBER, InstitutionRequest, requires_role
from charter.models import Acknowledgement, Charter, CharterVersion
from charter.selectors import pick_text, rules_in_language
from charter.services import acknowledgement_record
from govsocial.csv_export import csv_download

security_log = logging.getLogger("govsocial.security")


def _staff_version(request: InstitutionRequest, charter_slug: str) -> CharterVersion:
    charter = get_object_or_404(
        Charter.objects.for_institution(request.institution).staff(), slug=charter_slug
    )
    version = charter.versions.published().first()
    if version is None:
        raise Http404(_("This charter has not been published yet."))
    return version


@requires_role(ANY_MEMBER)
def charter_acknowledge(
    request: InstitutionRequest, institution_slug: str, charter_slug: str
) -> HttpResponse:
    version = _staff_version(request, charter_slug)
    if request.method == "POST":
        try:
            acknowledgement_record(version=version, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Thank you: you accepted version %(number)s.") % {"number": version.number},
            )
            return redirect("home")
    accepted = Acknowledgement.objects.filter(version=version, user=request.user).first()
    context = {
        "version": version,
        "localised": pick_text(version, request.LANGUAGE_CODE),
        "rules": rules_in_language(version, request.LANGUAGE_CODE),
        "accepted": accepted,
    }
    return render(request, "charter/acknowledge.html", context)


@requires_role(Role.INSTITUTION_ADMIN)
def acknowledgement_list(
    request: InstitutionRequest, institution_slug: str, charter_slug: str
) -> HttpResponse:
    version = _staff_version(request, charter_slug)
    rows = _rows(request, version)
    if request.GET.get("format") == "csv":
        security_log.info(
            "export.acknowledgements user=%s institution=%s",
            request.user.pk,
            request.institution.slug,
        )
        return _csv(version, rows)
    return render(request, "charter/acknowledgement_list.html", {"version": version, "rows": rows})


def _rows(
    request: InstitutionRequest, version: CharterVersion
) -> list[tuple[User, datetime | None]]:
    user_ids = Membership.objects.for_institution(request.institution).active().values("user_id")
    accepted = {
        a.user_id: a.acknowledged_at
        for a in Acknowledgement.objects.for_institution(request.institution).filter(
            version=version
        )
    }
    members = User.objects.filter(pk__in=user_ids, is_active=True).order_by("full_name", "email")
    return [(user, accepted.get(user.pk)) for user in members]


def _csv(version: CharterVersion, rows: list[tuple[User, datetime | None]]) -> HttpResponse:
    return csv_download(
        f"acknowledgements-{version.charter.slug}-v{version.number}.csv",
        [_("Name"), _("E-mail address"), _("Version"), _("Accepted at (UTC)")],
        (
            [user.full_name, user.email, version.number, accepted.isoformat() if accepted else ""]
            for user, accepted in rows
        ),
    )
