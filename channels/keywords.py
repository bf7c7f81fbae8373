"""Keyword watch matching: accent- and case-insensitive, whole words, optional exclusions.

"défense" matches "Defense" and "DÉFENSE"; "police" does not match "policier" unless asked for:
the prefix "polic" with "also match longer words" (or written "polic*") matches both; a phrase
matches as a whole ("permis de conduire"). A term with
exclusions does not fire when one of them is present ("police" but not "police d'assurance").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


def normalise(text: str) -> str:
    """Case-folded, accents removed, apostrophes unified, runs of space collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.replace("\u2019", "'").split())


@lru_cache(maxsize=4096)
def _pattern(term: str, prefix: bool) -> re.Pattern[str]:
    words = [re.escape(word) for word in normalise(term).split()]
    body = r"\s+".join(words)
    tail = r"\w*" if prefix else ""
    return re.compile(rf"(?<!\w){body}{tail}(?!\w)")


@dataclass(frozen=True)
class Watch:
    term_id: int
    term: str
    prefix: bool = False
    exclusions: tuple[str, ...] = ()
    language: str = ""
    urgent: bool = False


def matches(watch: Watch, normalised_text: str) -> bool:
    term = watch.term.strip()
    prefix = watch.prefix or term.endswith("*")
    term = term.rstrip("*").strip()
    if not term or not _pattern(term, prefix).search(normalised_text):
        return False
    return not any(
        exclusion.strip() and _pattern(exclusion, False).search(normalised_text)
        for exclusion in watch.exclusions
    )


def find_hits(watches: Iterable[Watch], text: str, language: str) -> list[Watch]:
    """The watches that fire on ``text`` (a watch limited to a language only fires on it)."""
    normalised = normalise(text)
    return [
        watch
        for watch in watches
        if (not watch.language or watch.language == language) and matches(watch, normalised)
    ]
