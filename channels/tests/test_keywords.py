"""Keyword watch: accent/case-insensitive whole words, prefixes, phrases, exclusions, the watch
page (hits on items and their alerts: moderation/tests/test_watch.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from channels.connectors.base import ItemEvent, Verb
from channels.keywords import Watch, find_hits, normalise
from channels.models import WatchTerm
from channels.tests.factories import ChannelFactory
from moderation.services.ingest import item_apply_event


@pytest.mark.parametrize(
    ("watch", "text", "hit"),
    [
        (Watch(1, "défense"), "La DEFENSE belge recrute", True),
        (Watch(1, "Defense"), "Merci à la Défense !", True),
        (Watch(1, "police"), "Un policier m'a aidé", False),
        (Watch(1, "police", prefix=True), "Un policier m'a aidé", False),
        (Watch(1, "polic", prefix=True), "Un policier m'a aidé", True),
        (Watch(1, "polic*"), "La police et un policier", True),
        (Watch(1, "police", prefix=True), "Les polices d'assurance", True),
        (Watch(1, "police"), "La police, enfin.", True),
        (
            Watch(1, "permis de conduire"),
            "Mon permis  de\\nconduire est perdu".replace("\\n", "\n"),
            True,
        ),
        (Watch(1, "permis de conduire"), "Mon permis de séjour", False),
        (
            Watch(1, "police", exclusions=("police d'assurance",)),
            "Ma police d\u2019assurance",
            False,
        ),
        (Watch(1, "police", exclusions=("police d'assurance",)), "La police arrive", True),
        (Watch(1, "bom"), "een bommelding", False),
        (Watch(1, "aanslag", language="nl"), "aanslag", True),
        (Watch(1, "aanslag", language="fr"), "aanslag", False),
        (Watch(1, "c++"), "j'aime le c++ !", True),
    ],
)
def test_matching(watch: Watch, text: str, hit: bool) -> None:
    assert bool(find_hits([watch], text, "nl")) is hit


def test_normalise_removes_case_and_accents() -> None:
    assert normalise("  Éléphant  CAFÉ\u2019s ") == "elephant cafe's"


@pytest.mark.django_db
def test_admin_adds_a_term_and_sees_weekly_counts(client: Client, defence, defence_admin) -> None:
    client.force_login(defence_admin)
    response = client.post(
        "/i/defence/channels/watch/", {"term": "  aanslag  ", "language": "", "is_active": "on"}
    )
    assert response.status_code == 302
    term = WatchTerm.objects.get()
    assert term.term == "aanslag"
    channel = ChannelFactory(institution=defence)
    item_apply_event(
        channel=channel, event=ItemEvent(external_id="w1", verb=Verb.CREATE, text="Een aanslag?")
    )
    page = client.get("/i/defence/channels/watch/").content.decode()
    assert '<td class="text-end">1</td>' in page
    bad = client.post("/i/defence/channels/watch/", {"term": "!!!"})
    assert "needs at least one letter" in bad.content.decode()
