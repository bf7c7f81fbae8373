"""Public charter pages (no login): the list, and one charter in force or at version ?v=N.

They speak the interface language, like every page (language cookie, signed-in user's preference,
then the browser's ``Accept-Language``), so the header's language switcher works on them. Old
links carry ``?lang=xx``: it sets that language and redirects to the same address without it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.views.profile import remember_language
from charter.models import Charter, CharterLanguage, CharterVersion
from charter.selectors import pick_text, rules_in_language

FRAGMENT_TTL = 24 * 3600


def _language() -> str:
    language = (translation.get_language() or "")[:2]
    return language if language in CharterLanguage.values else CharterLanguage.FRENCH


def language_from_query(request: HttpRequest) -> HttpResponse | None:
    """For a ``?lang=`` link (old charter links, decision pages' links): remember the language
    asked (when known) and redirect to the same page without the parameter, keeping ``v``.
    Rendering with ``?lang=`` would make it win over the switcher, whose "back to this page"
    address would carry it again."""
    if "lang" not in request.GET:
        return None
    asked = request.GET["lang"]
    query = request.GET.copy()
    del query["lang"]
    response = redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
    if asked in CharterLanguage.values:
        remember_language(response, asked)
    return response


@login_not_required
def public_list(request: HttpRequest, institution_slug: str) -> HttpResponse:
    if legacy := language_from_query(request):
        return legacy
    institution = request.institution  # type: ignore[attr-defined]
    language = _language()
    entries = []
    for charter in Charter.objects.for_institution(institution).public():
        version = charter.versions.published().first()
        if version:
            entries.append((charter, version, pick_text(version, language)))
    return render(
        request, "charter/public_list.html", {"institution": institution, "entries": entries}
    )


@login_not_required
def public_detail(request: HttpRequest, institution_slug: str, charter_slug: str) -> HttpResponse:
    if legacy := language_from_query(request):
        return legacy
    institution = request.institution  # type: ignore[attr-defined]
    charter = get_object_or_404(
        Charter.objects.for_institution(institution).public(), slug=charter_slug
    )
    language = _language()
    published = charter.versions.published()
    current = published.first()
    if current is None:
        return _not_found(request, _("This charter has not been published yet."))
    version = current
    asked = request.GET.get("v")
    if asked is not None:
        if not (asked.isascii() and asked.isdigit()):
            return _not_found(
                request, _("“%(v)s” is not a version number.") % {"v": asked}, status=400
            )
        version = published.filter(number=int(asked)).first()
        if version is None:
            return _not_found(
                request, _("Version %(v)s of this charter does not exist.") % {"v": asked}
            )
    context = {
        "institution": institution,
        "charter": charter,
        "version": version,
        "current": current,
        "localised": pick_text(version, language),
        "body": _cached_body(version, language),
    }
    return render(request, "charter/public_detail.html", context)


def _cached_body(version: CharterVersion, language: str) -> str:
    """The text and rules, rendered once per version and language: published versions never
    change, so the cache needs no invalidation (a new publication is a new key)."""
    key = f"charter-body:{version.pk}:{language}"
    body = cache.get(key)
    if body is None:
        localised = pick_text(version, language)
        body = render_to_string(
            "charter/public_detail.html#body",
            {"localised": localised, "rules": rules_in_language(version, language)},
        )
        cache.set(key, body, FRAGMENT_TTL)
    return body


def _not_found(request: HttpRequest, message: str, status: int = 404) -> HttpResponse:
    return render(
        request,
        "charter/public_missing.html",
        {"message": message, "institution": request.institution},  # type: ignore[attr-defined]
        status=status,
    )
