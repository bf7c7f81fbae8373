"""The API's errors: JSON, with a clear message, never a page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


def json_errors(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every refusal as ``{"error": "<message>", "fields": {...}}`` (DRF's own handler turns
    Http404 and Django's PermissionDenied into API errors; a service's refusal is a 400)."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.messages)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        message = _("The request is not valid: see the fields.")
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"error": message, "fields": fields}
    elif isinstance(exc, Http404 | exceptions.NotFound):
        response.data = {"error": _("Not found.")}
    elif isinstance(exc, DjangoPermissionDenied):
        response.data = {"error": str(exc) or _("Not allowed.")}
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        response.data = {"error": str(detail)}
    return response


API_PREFIX = "/api/"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The project's 404 handler: JSON under /api/ (an address no endpoint matches, such as
    ``/api/v1/items/-1/``), the 404 page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"error": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The project's 500 handler: JSON under /api/, the error page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"error": _("Something went wrong on our side.")}, status=500)
    return defaults.server_error(request)
