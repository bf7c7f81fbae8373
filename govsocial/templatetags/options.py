"""``{% options choices selected %}``: the ``<option>`` elements of a select, drawn in Python.

The item page's action bar lists the house rules twice, the complaint categories and the
moderators: through the template engine each option cost a loop step, a comparison and two
escapes (some 40 µs; a third of the action bar's time, issue 21). Here each value and label is
escaped once and the selected one marked by comparing values as text, as a submitted form
gives them back.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def options(choices: Iterable[tuple[object, object]], selected: object = None) -> SafeString:
    chosen = None if selected in (None, "") else str(selected)
    return mark_safe(  # noqa: S308 every value and label is escaped
        "".join(
            f'<option value="{escape(str(value))}"'
            f"{' selected' if str(value) == chosen else ''}>{escape(str(label))}</option>"
            for value, label in choices
        )
    )
