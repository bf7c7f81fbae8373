"""The French and Dutch catalogues: complete, really translated, formal in Dutch, and the words
that need two translations (an adjective and a verb, a feminine and a masculine noun) get two.

The catalogues are read with a small parser below (polib is not a dependency).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import allauth
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from channels.models import InboundDelivery
from complaints.models import Status as CaseStatus
from moderation.models import ItemStatus, PostState

LANGUAGES = ("fr", "nl")
OURS = Path(settings.BASE_DIR) / "locale"
ALLAUTH = Path(allauth.__file__).parent / "locale"

IDENTICAL_ON_PURPOSE = {
    # (language, msgid): why the translation is the English text, reviewed by hand.
    ("fr", "%(days)s %(hours)d h"): "units: h is the French abbreviation too",
    ("fr", "%(hours)d h %(minutes)d min"): "units: h and min are French abbreviations too",
    ("fr", "%(hours)d h"): "unit: h is the French abbreviation too",
    ("fr", "%(minutes)d min"): "unit: min is the French abbreviation too",
    ("nl", "%(minutes)d min"): "unit: min is the Dutch abbreviation too",
    ("fr", "Version %(a)s"): "the French word is version",
    ("fr", "Version %(b)s"): "the French word is version",
    ("fr", "%(title)s, version %(number)s (%(institution)s)"): "the French word is version",
    ("nl", "E-mail: %(email)s."): "Dutch says e-mail",
    ("nl", "%(filter)s: %(value)s"): "Dutch also writes label: value",
    ("nl", "team %(team)s"): "Dutch says team",
    ("nl", "%(institution)s: dashboard"): "Dutch says dashboard (as the menu does)",
}
INFORMAL_DUTCH = re.compile(r"\b(je|jij|jou|jouw|jezelf)\b", re.IGNORECASE)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)


def read_catalogue(path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete ``#~`` entries skipped; the header entry kept out)."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, target = Entry(), ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#:"):
                entry.references += line[2:].split()
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                _append(entry, target, ast.literal_eval(line))
            elif line:
                keyword, _, literal = line.partition(" ")
                target = keyword
                if keyword.startswith("msgstr"):
                    entry.msgstr.append("")
                _append(entry, target, ast.literal_eval(literal))
        if entry.msgid:
            entries.append(entry)
    return entries


def _append(entry: Entry, target: str, text: str) -> None:
    if target.startswith("msgstr"):
        entry.msgstr[-1] += text
    elif target == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    else:
        setattr(entry, target, getattr(entry, target) + text)


def catalogue(language: str) -> list[Entry]:
    return read_catalogue(OURS / language / "LC_MESSAGES" / "django.po")


def words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language: str) -> None:
    unfinished = [e.msgid for e in catalogue(language) if "fuzzy" in e.flags or not all(e.msgstr)]
    assert unfinished == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_of_several_words_is_left_in_english(language: str) -> None:
    """A translation equal to its English source is a string somebody forgot, unless it was
    reviewed and listed in IDENTICAL_ON_PURPOSE (units, words the language borrows)."""
    suspects = {
        e.msgid
        for e in catalogue(language)
        if words(e.msgid) > 1
        and any(text in (e.msgid, e.msgid_plural) for text in e.msgstr)
        and (language, e.msgid) not in IDENTICAL_ON_PURPOSE
    }
    assert suspects == set()


def test_the_allow_list_names_only_entries_that_exist() -> None:
    existing = {(language, e.msgid) for language in LANGUAGES for e in catalogue(language)}
    assert set(IDENTICAL_ON_PURPOSE) <= existing


def test_dutch_always_says_u() -> None:
    informal = [s for e in catalogue("nl") for s in e.msgstr if INFORMAL_DUTCH.search(s)]
    assert informal == []


def test_the_allauth_texts_we_translate_again_are_still_allauths() -> None:
    """accounts/allauth_texts.py copies allauth's msgids; an allauth upgrade that rewords one
    would silently bring its informal Dutch back."""
    theirs = {
        (e.msgctxt, e.msgid) for e in read_catalogue(ALLAUTH / "nl" / "LC_MESSAGES" / "django.po")
    }
    ours = [
        (e.msgctxt, e.msgid)
        for e in catalogue("nl")
        if any(ref.startswith("accounts/allauth_texts.py") for ref in e.references)
    ]
    assert ours
    assert [key for key in ours if key not in theirs] == []


@pytest.mark.parametrize(
    ("language", "status", "verb"), [("nl", "Open", "Openen"), ("fr", "Ouvert", "Ouvrir")]
)
def test_an_open_item_is_open_not_to_open(language: str, status: str, verb: str) -> None:
    with translation.override(language):
        assert ItemStatus.OPEN.label == status
        assert gettext("Open") == verb  # the button of a notification


def test_french_status_labels_agree_with_their_noun() -> None:
    with translation.override("fr"):
        assert PostState.APPROVED.label == "Approuvée"  # une publication
        assert PostState.PUBLISHED.label == "Publiée"
        assert CaseStatus.RECEIVED.label == "Reçue"  # une plainte
        assert CaseStatus.CLOSED.label == "Clôturée"
        assert InboundDelivery.Status.RECEIVED.label == "Reçue"  # une livraison
        assert InboundDelivery.Status.PROCESSED.label == "Traitée"
        assert ItemStatus.HIDDEN.label == "Masqué"  # un message
        assert gettext("Received") == "Reçu"  # a column of counts keeps its own form


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "label"), [("fr", "- Choisir une option -"), ("nl", "- Kies een optie -")]
)
def test_the_empty_choice_of_the_public_form_is_translated(
    client: Client, defence, language: str, label: str
) -> None:
    page = client.get("/complaints/defence/new/", headers={"Accept-Language": language})
    assert f'<option value="" selected>{label}</option>' in page.content.decode()


@pytest.mark.django_db
def test_allauths_dutch_pages_say_u(client: Client) -> None:
    page = client.get("/accounts/password/reset/", headers={"Accept-Language": "nl"})
    text = page.content.decode()
    assert "Vul hieronder uw e-mailadres in" in text
    assert not INFORMAL_DUTCH.search(re.sub(r"<[^>]+>", " ", text))
