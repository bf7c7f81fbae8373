"""The shape every connector produces, whatever the platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _


class Verb(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    REMOVE = "remove"
    HIDE = "hide"
    UNHIDE = "unhide"


class PayloadError(ValueError):
    """The payload is not what the platform documents; the message says why (shown to admins)."""


@dataclass(frozen=True)
class ItemEvent:
    external_id: str
    verb: Verb
    occurred_at: datetime | None = None
    kind: str = "comment"
    author_name: str = ""
    author_handle: str = ""
    author_url: str = ""
    text: str = ""
    language: str = ""
    permalink: str = ""
    parent_external_id: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    own: bool = False
    """The institution's own post, reply or message (the page or account itself wrote it):
    recorded as its activity, never as an item to answer."""


def clean_text(value: Any, limit: int = 100_000) -> str:
    """Text from a payload, NUL bytes removed (PostgreSQL refuses them), length bounded."""
    return str(value or "").replace("\x00", "")[:limit]


LANGUAGES = frozenset({"fr", "nl", "de", "en"})
"""The languages GovSocial works in; a platform's other language tags are left out."""


def clean_language(value: Any) -> str:
    """A platform's language tag (``nl``, ``nl-BE``, ``NL``) as a GovSocial language, or ""."""
    language = str(value or "")[:2].lower()
    return language if language in LANGUAGES else ""


def clean_json(value: Any) -> Any:
    """A JSON value with NUL removed from every string, so it fits in jsonb."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    if isinstance(value, dict):
        return {clean_json(k): clean_json(v) for k, v in value.items()}
    return value


def clean_url(value: Any) -> str:
    """An http(s) address from a payload, or "" (never a javascript: or data: link)."""
    text = clean_text(value, 1000)
    return text if text.startswith(("https://", "http://")) else ""


def parse_iso_time(value: Any, field_name: str) -> datetime | None:
    """An ISO 8601 time from a payload (UTC when it has no offset); None when absent."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(
            _("%(field)s must be a date and time in ISO 8601 form, e.g. 2026-11-25T14:30:00+01:00.")
            % {"field": field_name}
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
