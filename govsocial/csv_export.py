"""CSV downloads: one writer and one dialect for every export, safe to open in a spreadsheet.

The dialect is the one Belgian Excel opens by double-click: semicolon-separated (the comma is
the decimal separator there), UTF-8 with a BOM (so accents are read right), and numbers with a
fraction written with the decimal separator of the page's language (``12,5`` in French and
Dutch, ``12.5`` in English: ``govsocial/formats``), never with a thousands separator, so that
a spreadsheet in that language reads them as numbers. Every export of the project goes through
``csv_download`` (``govsocial/tests/test_csv_export.py`` refuses any other CSV writer).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import numberformat
from django.utils.formats import get_format

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


def csv_number(value: float | Decimal) -> str:
    """A number with a fraction in the active language's notation, without grouping."""
    return str(numberformat.format(value, get_format("DECIMAL_SEPARATOR"), grouping=0))


def csv_cell(value: object) -> object:
    """What the writer puts in a cell: fractional numbers localised, every other value through
    ``csv_safe`` (integers pass unchanged; a negative number is not a formula)."""
    if isinstance(value, float | Decimal):
        return csv_number(value)
    return csv_safe(value)


def csv_download(
    filename: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """The export as an attachment; every header cell goes through csv_safe, every other cell
    through csv_cell."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, dialect=ExcelBelgium)
    writer.writerow([csv_safe(str(cell)) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return response
