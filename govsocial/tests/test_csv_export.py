"""The one CSV writer: Belgian Excel's dialect and no cell a spreadsheet would execute."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from govsocial.csv_export import csv_download, csv_safe


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1", "\n=1+1"])
def test_every_formula_start_is_neutralised(text: str) -> None:
    assert csv_safe(text) == f"'{text}"


@pytest.mark.parametrize("value", ["Jan Peeters", "", 12, -3, 2.5, None])
def test_plain_text_and_numbers_pass_unchanged(value: object) -> None:
    assert csv_safe(value) == value


def test_the_download_is_semicolon_separated_utf8_with_a_bom() -> None:
    response = csv_download("x.csv", ["Nom", "Ville"], [["Zoë", "\tLiège;Luik"], [-1, 2.5]])
    assert response.content.decode("utf-8") == (
        '\ufeffNom;Ville\r\nZoë;"\'\tLiège;Luik"\r\n-1;2.5\r\n'
    )


@pytest.mark.parametrize(("language", "point"), [("fr", ","), ("nl", ","), ("en", ".")])
def test_fractions_take_the_decimal_separator_of_the_language_and_no_grouping(
    language: str, point: str
) -> None:
    rows = [[12.5, Decimal("0.25"), 1234567.5, -2.5, 1234567, True, "12.5"]]
    with translation.override(language):
        body = csv_download("x.csv", ["a"] * 7, rows).content.decode("utf-8-sig")
    assert body.splitlines()[1] == (
        f"12{point}5;0{point}25;1234567{point}5;-2{point}5;1234567;True;12.5"
    )  # integers and text as they are; a negative number is not a formula


SOURCE_ROOTS = ("accounts", "channels", "charter", "complaints", "deadlines", "govsocial",
                "moderation", "reports")  # fmt: skip
OTHER_WRITERS = re.compile(r"csv\.writer|csv\.DictWriter|text/csv")


def test_every_csv_export_goes_through_the_one_writer() -> None:
    """A second writer would bring back the comma-separated, BOM-less, dotted dialect that
    Belgian spreadsheets misread."""
    root = Path(settings.BASE_DIR)
    offenders = [
        str(path.relative_to(root))
        for top in SOURCE_ROOTS
        for path in (root / top).rglob("*.py")
        if "tests" not in path.parts
        and path != root / "govsocial" / "csv_export.py"
        and OTHER_WRITERS.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
