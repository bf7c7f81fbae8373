"""CSV downloads: one writer for every export, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse


def csv_safe(value: object) -> object:
    """Spreadsheets execute cells starting with = + - @: text cells get a leading quote (CSV
    injection). Numbers pass unchanged."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return f"'{value}"
    return value


def csv_download(
    filename: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a BOM, so spreadsheets read UTF-8 accents right
    writer = csv.writer(response)
    writer.writerow([csv_safe(str(cell)) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return response
