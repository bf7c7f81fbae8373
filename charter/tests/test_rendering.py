"""Markdown and rule text cannot inject HTML or script: in the preview, when published, publicly."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from charter.rendering import render_markdown
from charter.services import RuleInput, TextInput, draft_save, draft_start, version_publish
from charter.tests.factories import published_charter

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div onmouseover="alert(1)">hover</div>',
    '![x](x" onerror="alert(1))',
    '<object data="evil.swf"></object>',
    '<embed src="evil.swf">',
    '<form action="https://evil.example"><input name=q></form>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<body onload=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<style>body{display:none}</style>",
    "[x](&#106;avascript:alert(1))",
]
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "form",
    "input",
    "meta",
    "style",
    "svg",
    "math",
    "img",
    "body",
}
FORBIDDEN_SCHEMES = ("javascript:", "vbscript:", "data:")


class ElementCollector(HTMLParser):
    """Every element and attribute a browser would build from the HTML (text is not code)."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def assert_harmless(html: str) -> None:
    collector = ElementCollector()
    collector.feed(html)
    for tag, attrs in collector.elements:
        assert tag not in FORBIDDEN_TAGS, (tag, html)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name != "style", (tag, name)
            if name in ("href", "src", "action", "xlink:href"):
                assert not (value or "").strip().lower().startswith(FORBIDDEN_SCHEMES), value


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_payloads_are_neutralised(payload: str) -> None:
    assert_harmless(render_markdown(payload))


def test_ordinary_markdown_still_renders() -> None:
    html = render_markdown("# Title\n\n**bold** and [a link](https://example.be) and <b>raw</b>")
    assert "<h2>Title</h2>" in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.be"' in html
    assert 'rel="noopener noreferrer"' in html
    assert "&lt;b&gt;raw&lt;/b&gt;" in html


@pytest.mark.django_db
def test_payloads_in_texts_and_rules_are_harmless_on_the_public_page(
    client: Client, defence, defence_admin
) -> None:
    charter = published_charter(defence, defence_admin)
    version = draft_start(charter=charter, actor=defence_admin)
    body = "\n\n".join(PAYLOADS)
    draft_save(
        version=version,
        actor=defence_admin,
        texts=[TextInput("fr", "<script>alert('title')</script>", body)],
        rules=[
            RuleInput(n, texts={"fr": (payload, payload)})
            for n, payload in enumerate(PAYLOADS, start=1)
        ],
    )
    version_publish(version=version, actor=defence_admin, change_summary="<b>x</b>")
    page = client.get("/charters/defence/house-rules/?lang=fr", follow=True).content.decode()
    main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert_harmless("<main " + main)
    assert "&lt;script&gt;" in main


@pytest.mark.django_db
def test_preview_uses_the_same_pipeline(client: Client, defence, defence_admin) -> None:
    client.force_login(defence_admin)
    response = client.post(
        "/i/defence/charters/preview/", {"field": "body_fr", "body_fr": PAYLOADS[1] + "\n\n**ok**"}
    )
    assert response.status_code == 200
    assert_harmless(response.content.decode())
    assert "<strong>ok</strong>" in response.content.decode()
