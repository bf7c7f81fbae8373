"""The one Markdown pipeline: editor preview, publication and public page all use it.

markdown-it's ``js-default`` preset escapes raw HTML and refuses ``javascript:`` links; nh3 then
cleans the output against an allowlist as a second layer (no script, no event handler, no style
attribute, only https and mailto links).
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}

_markdown = MarkdownIt("js-default")


def render_markdown(source: str) -> str:
    """Sanitised HTML for a Markdown source. Level-1 headings become level 2: the page owns h1."""
    html = _markdown.render(source.replace("\x00", ""))
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
