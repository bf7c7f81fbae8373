"""The page walker's own measurements, on small pages made for them: each must catch what it is
there to catch (a gate that cannot fail is no gate), and the scroll-region script of
static/js/govsocial.js must make a wide table reachable by keyboard exactly while it scrolls."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

from tests.e2e.axe import axe_audit
from tests.e2e.walker_checks import Contrast, contrast, horizontal_overflow, unusable_controls

pytestmark = pytest.mark.e2e

BOOTSTRAP = Path(settings.BASE_DIR) / "static/vendor/bootstrap-5.3.9/bootstrap.min.css"
STATIC = Path(settings.BASE_DIR) / "static"
WIDE_TABLE = """<div class="table-responsive"><table class="table"><caption>Figures</caption>
<tr><td>{}</td><td>a header<span class="visually-hidden">, more</span></td></tr></table></div>"""


def show(page: Page, tmp_path: Path, body: str, width: int = 375) -> None:
    """A page with Bootstrap and GovSocial's own CSS and script, as a file (so that the script
    runs as it does on the site)."""
    html = tmp_path / "page.html"
    html.write_text(
        f'<!doctype html><html lang="en"><head><title>t</title>'
        f'<link rel="stylesheet" href="{BOOTSTRAP.as_uri()}">'
        f'<link rel="stylesheet" href="{(STATIC / "css/govsocial.css").as_uri()}">'
        f'<script src="{(STATIC / "js/govsocial.js").as_uri()}" defer></script>'
        f'</head><body><main class="container">{body}</main></body></html>'
    )
    page.set_viewport_size({"width": width, "height": 600})
    page.goto(html.as_uri())


def test_overflow_names_the_element_that_sticks_out(page: Page, tmp_path: Path) -> None:
    show(
        page, tmp_path, '<div class="d-flex"><div id="wide" style="min-width: 600px">x</div></div>'
    )
    excess, culprits = horizontal_overflow(page)
    assert excess > 200
    assert culprits[0].startswith("main.container > div.d-flex > div#wide")


def test_a_table_scrolling_in_its_own_box_does_not_widen_the_page(
    page: Page, tmp_path: Path
) -> None:
    show(page, tmp_path, WIDE_TABLE.format("x" * 80))
    assert horizontal_overflow(page) == (0, [])


def test_hidden_text_in_a_scrolling_table_stays_inside_it(page: Page, tmp_path: Path) -> None:
    """.visually-hidden is absolutely placed: without a positioned .table-responsive it escaped
    the scrolling box and widened the page (the charter and member pages at 375 px)."""
    show(page, tmp_path, WIDE_TABLE.format("x" * 80))
    page.add_style_tag(content=".table-responsive { position: static; }")
    excess, culprits = horizontal_overflow(page)
    assert excess > 0
    assert "span.visually-hidden" in culprits[0]


def test_a_wide_table_is_a_keyboard_region_exactly_while_it_scrolls(
    page: Page, tmp_path: Path
) -> None:
    show(page, tmp_path, WIDE_TABLE.format("x" * 80))
    box = page.locator(".table-responsive")
    assert box.get_attribute("tabindex") == "0"
    assert box.get_attribute("role") == "region"
    caption_id = page.locator("caption").get_attribute("id")
    assert caption_id
    assert box.get_attribute("aria-labelledby") == caption_id
    assert axe_audit(page).violations == []
    page.set_viewport_size({"width": 1920, "height": 600})
    page.wait_for_function("!document.querySelector('.table-responsive[tabindex]')")
    assert box.get_attribute("role") is None


def test_axe_reports_a_wcag_violation(page: Page, tmp_path: Path) -> None:
    show(page, tmp_path, '<form><input type="text"></form>')
    assert [finding.rule for finding in axe_audit(page).violations] == ["label"]


def test_contrast_is_measured_on_what_is_painted_under_the_text(page: Page, tmp_path: Path) -> None:
    show(
        page,
        tmp_path,
        '<p id="grey" style="color: #999">pale</p>'
        '<svg width="200" height="40"><rect width="200" height="40" fill="#1d4f91"></rect>'
        '<text id="on-bar" x="10" y="25" fill="#212529">dark on dark</text></svg>'
        '<select id="select" class="form-select"><option>Un</option></select>',
    )
    grey, on_bar, select = contrast(page, ["#grey", "#on-bar", "#select"])
    assert grey == Contrast(2.85, 4.5, "#999999 on #ffffff", "p")
    assert on_bar == Contrast(1.89, 4.5, "#212529 on #1d4f91", "text")
    assert select is not None
    assert select.ratio > 15
    assert select.decides("bgImage")  # its image is the arrow beside the text
    assert not grey.decides("bgImage")  # a picture under a paragraph needs a person
    assert grey.decides("imgNode")
    assert not grey.decides("bgGradient")


def test_phone_controls_out_of_reach_or_too_small_are_named(page: Page, tmp_path: Path) -> None:
    show(
        page,
        tmp_path,
        '<div style="position: relative; left: 340px; width: 80px">'
        '<button id="far" class="btn btn-primary">Hide</button></div>'
        '<p><button id="tiny" style="padding: 0; font-size: 8px; line-height: 1">x</button>'
        '<button style="padding: 0; font-size: 8px; line-height: 1">y</button></p>'
        '<p>Read <a href="/rules">the rules</a> first.</p>'
        '<button class="btn btn-primary">Reply</button>'
        + WIDE_TABLE.format(
            "x" * 80 + '<button class="btn btn-sm btn-outline-primary">Open</button>'
        ),
    )
    problems = unusable_controls(page)
    far = 'button#far.btn.btn-primary "Hide" out of reach'
    assert any(p.startswith(far) for p in problems), problems
    assert any(p.startswith('button#tiny "x" is') for p in problems), problems
    assert not any("Reply" in p or "rules" in p or "Open" in p for p in problems), problems
