"""Public, unauthenticated open data files of an institution (``reports.open_data``).

Only what the transparency page already publishes: the monthly figures, the same figures by
house rule, and the statements of reasons of hides and removals. Each answer names its licence
(a ``Link: rel="license"`` header; the JSON files and the Data Package carry it in the body).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Institution
from govsocial.csv_export import csv_download
from reports.open_data import (
    DATASETS,
    FORMATS,
    LICENCE,
    Dataset,
    csv_cells,
    figures_rows,
    json_schema,
    rules_rows,
    table_schema,
)
from reports.periods import Month
from reports.statements import statements
from reports.transparency import transparency_cached


@login_not_required
def open_data(request: HttpRequest, institution_slug: str) -> HttpResponse:
    institution = get_object_or_404(Institution, slug=institution_slug)
    files = [
        {
            "dataset": dataset,
            "urls": {fmt: _file_url(institution, dataset, fmt) for fmt in FORMATS},
            "schema": _schema_url(institution, dataset),
        }
        for dataset in DATASETS.values()
    ]
    return render(
        request,
        "reports/open_data.html",
        {
            "institution": institution,
            "files": files,
            "licence": LICENCE,
            "package_url": reverse("reports:open-data-package", args=[institution.slug]),
            "month": Month.containing(timezone.now(), institution.zone),
        },
    )


@login_not_required
def open_data_package(request: HttpRequest, institution_slug: str) -> HttpResponseBase:
    """The Frictionless Data Package: every file, its Table Schema and the licence."""
    institution = get_object_or_404(Institution, slug=institution_slug)
    with translation.override("en"):
        return _licensed(JsonResponse(_package(institution)))


def _package(institution: Institution) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": f"govsocial-{institution.slug}",
        "title": f"GovSocial transparency: {institution.name_in('en')}",
        "homepage": settings.SITE_URL + reverse("reports:transparency", args=[institution.slug]),
        "licenses": [LICENCE],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": dataset.name,
                "title": str(dataset.title),
                "description": dataset.description,
                "path": settings.SITE_URL + _file_url(institution, dataset, "csv"),
                "format": "csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ";", "header": True},
                "schema": table_schema(dataset),
                "licenses": [LICENCE],
            }
            for dataset in DATASETS.values()
        ],
    }


@login_not_required
def open_data_schema(request: HttpRequest, institution_slug: str, dataset: str) -> JsonResponse:
    """The JSON Schema of a dataset's JSON file."""
    institution = get_object_or_404(Institution, slug=institution_slug)
    found = _dataset(dataset)
    url = settings.SITE_URL + _schema_url(institution, found)
    with translation.override("en"):
        schema = json_schema(found, url)
    return JsonResponse(schema, content_type="application/schema+json")


@login_not_required
def open_data_file(
    request: HttpRequest, institution_slug: str, dataset: str, fmt: str
) -> HttpResponseBase:
    """``<dataset>.csv`` or ``<dataset>.json``; the statements take ``?month=YYYY-MM`` (the
    current month by default)."""
    institution = get_object_or_404(Institution, slug=institution_slug)
    found = _dataset(dataset)
    if fmt not in FORMATS:
        raise Http404(_("Open data files are CSV or JSON."))
    month = None
    if found.monthly:
        given = request.GET.get("month", "")
        month = Month.parse(given, institution.zone) if given else None
        if given and month is None:
            return HttpResponse(
                _("Give the month as YYYY-MM."), status=400, content_type="text/plain"
            )
        month = month or Month.containing(timezone.now(), institution.zone)
    rows = _rows(institution, found, month)
    name = f"{institution.slug}-{found.name}" + (f"-{month.key}" if month else "")
    if fmt == "csv":
        with translation.override("en"):  # a decimal point, whatever the page's language
            header = [field.name for field in found.fields]
            return _licensed(csv_download(f"{name}.csv", header, csv_cells(found, rows)))
    head: dict[str, Any] = {"institution": institution.slug, "licence": LICENCE}
    if month:
        head["month"] = month.key
    response = StreamingHttpResponse(_json(head, rows), content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="{name}.json"'
    return _licensed(response)


def _rows(
    institution: Institution, dataset: Dataset, month: Month | None
) -> Iterator[dict[str, Any]]:
    if month is not None:  # the monthly dataset: the statements
        return statements(institution, month)
    months = transparency_cached(institution)
    return figures_rows(months) if dataset.name == "figures" else rules_rows(months)


def _json(head: dict[str, Any], rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """One JSON document, streamed: a month of statements is not held in memory."""
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
    for number, row in enumerate(rows):
        yield ("," if number else "") + json.dumps(row, ensure_ascii=False)
    yield "]}"


def _dataset(name: str) -> Dataset:
    found = DATASETS.get(name)
    if found is None:
        raise Http404(_("No such open data file."))
    return found


def _licensed[R: HttpResponseBase](response: R) -> R:
    response["Link"] = f'<{LICENCE["path"]}>; rel="license"'
    response["Access-Control-Allow-Origin"] = "*"  # public data, readable by any web page
    return response


def _file_url(institution: Institution, dataset: Dataset, fmt: str) -> str:
    return reverse("reports:open-data-file", args=[institution.slug, dataset.name, fmt])


def _schema_url(institution: Institution, dataset: Dataset) -> str:
    return reverse("reports:open-data-schema", args=[institution.slug, dataset.name])
