"""``{{ mapping|label:key }}``: a display label from a dict, falling back to the key itself."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def label(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, key) if isinstance(mapping, dict) else key
