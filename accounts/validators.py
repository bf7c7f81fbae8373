"""Password rule: refuse passwords built on words anyone would guess in this context."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTEXT_WORDS = (
    "govsocial",
    "defence",
    "defense",
    "défense",
    "defensie",
    "police",
    "politie",
    "selor",
    "bosa",
    "irisnet",
    "cirb",
    "diplomatie",
    "belgium",
    "belgique",
    "belgie",
    "belgië",
)


class ContextWordsValidator:
    """A password may not be a context word with a few characters around it (ASVS 6.2.11)."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        for word in CONTEXT_WORDS:
            if word in lowered and len(lowered) - len(word) < 8:
                raise ValidationError(
                    _("This password is too close to the name of the service or an institution."),
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return _("Your password cannot be mostly the name of the service or an institution.")
