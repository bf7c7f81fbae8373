"""The one CSV writer: Belgian Excel's dialect and no cell a spreadsheet would execute."""

from __future__ import annotations

import pytest

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
