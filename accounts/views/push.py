"""Phone notifications: the person's devices, subscribing a browser, the test button; and the
installable web app's service worker, manifest and offline page (docs/coverage.md)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import QuietHoursForm
from accounts.middleware import background_request
from accounts.models import PushSubscription
from accounts.services.push import (
    PushRefused,
    device_keys_parse,
    push_device_remove,
    push_subscribe,
    push_test,
    push_unsubscribe,
    quiet_hours_set,
)
from accounts.tenancy import AuthenticatedRequest
from accounts.vapid import public_key_b64, push_configured

MAX_JSON_BYTES = 8 * 1024


def push_devices(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    initial = {"start": user.push_quiet_start, "end": user.push_quiet_end}
    form = QuietHoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        quiet_hours_set(user=user, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
        messages.success(request, _("Your quiet hours were saved."))
        return redirect("accounts:push-devices")
    configured = push_configured()
    context = {
        "devices": PushSubscription.objects.filter(user=user),
        "form": form,
        "configured": configured,
        "public_key": public_key_b64() if configured else "",
    }
    return render(request, "accounts/push_devices.html", context)


def _json_body(request: HttpRequest) -> dict | None:
    if len(request.body) > MAX_JSON_BYTES:
        return None
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


@require_POST
def push_device_subscribe(request: AuthenticatedRequest) -> JsonResponse:
    """JSON from the devices page: ``{"subscription": <PushSubscription.toJSON()>, "label": ""}``;
    the CSRF token travels in the X-CSRFToken header."""
    data = _json_body(request)
    if data is None:
        return JsonResponse({"error": _("The request was not understood.")}, status=400)
    try:
        keys = device_keys_parse(data.get("subscription"))
    except PushRefused as refused:
        return JsonResponse({"error": str(refused)}, status=400)
    label = data.get("label") if isinstance(data.get("label"), str) else ""
    device = push_subscribe(
        user=request.user, keys=keys, label=label or request.headers.get("User-Agent", "")[:200]
    )
    return JsonResponse({"id": str(device.public_id), "label": device.label}, status=201)


@require_POST
def push_device_unsubscribe(request: AuthenticatedRequest) -> JsonResponse:
    data = _json_body(request)
    endpoint = data.get("endpoint") if data else None
    if not isinstance(endpoint, str):
        return JsonResponse({"error": _("The request was not understood.")}, status=400)
    return JsonResponse({"removed": push_unsubscribe(user=request.user, endpoint=endpoint)})


@require_POST
def push_device_remove_view(request: AuthenticatedRequest, device_id: str) -> HttpResponse:
    device = get_object_or_404(
        PushSubscription.objects.filter(user=request.user), public_id=device_id
    )
    push_device_remove(user=request.user, subscription=device)
    messages.success(request, _("The device will no longer receive notifications."))
    return redirect("accounts:push-devices")


@require_POST
def push_device_test(request: AuthenticatedRequest) -> HttpResponse:
    if not push_configured():
        messages.error(request, _("Phone notifications are not configured on this server."))
        return redirect("accounts:push-devices")
    count = push_test(user=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "A test notification is on its way to %(count)s device.",
                "A test notification is on its way to %(count)s devices.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.error(request, _("No device receives notifications yet: turn them on first."))
    return redirect("accounts:push-devices")


@login_not_required
@background_request
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js`` at the root, so its scope is the whole site. Browsers check it for updates
    at least daily whatever the headers say; ``no-cache`` makes them check each time."""
    response = render(
        request,
        "pwa/sw.js",
        {"offline_url": reverse("accounts:offline"), "icon": static("icons/icon-192.png")},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@login_not_required
@background_request
@require_GET
def web_manifest(request: HttpRequest) -> JsonResponse:
    """The installable app's manifest, in the visitor's language. Public: browsers fetch it
    without cookies."""
    manifest = {
        "name": "GovSocial",
        "short_name": "GovSocial",
        "description": _("Moderation queue, complaints and deadlines of your institution."),
        "lang": getattr(request, "LANGUAGE_CODE", "fr"),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#14263d",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


@login_not_required
@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page cannot be loaded (no network on the phone)."""
    return render(request, "pwa/offline.html")
