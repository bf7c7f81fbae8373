"""CSV downloads: one writer and one dialect for every export, safe to open in a spreadsheet.

The dialect is the one Belgian Excel opens by double-click: semicolon-separated (the comma is
the decimal separator there), UTF-8 with a BOM (so accents are read right).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""What a spreadsheet may read as the start of a formula (OWASP's CSV injection list)."""


class ExcelBelgium(csv.excel):
    delimiter = ";"


def csv_safe(value: object) -> object:
    """Text cells that a spreadsheet would execute get a leading quote (CSV injection).
    Numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def csv_download(
    filename: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """The export as an attachment; every cell, the header included, goes through csv_safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, dialect=ExcelBelgium)
    writer.writerow([csv_safe(str(cell)) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return response
