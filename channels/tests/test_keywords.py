"""Keyword watch: accent/case-insensitive whole words, prefixes, phrases, exclusions, alerts."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Notification
from channels.connectors.base import ItemEvent, Verb
from channels.keywords import Watch, find_hits, normalise
from channels.models import KeywordHit, WatchTerm
from channels.tests.factories import ChannelFactory
from moderation.models import Item
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
def test_ingested_items_get_hits_priority_and_urgent_alerts(
    defence, defence_communicator, django_capture_on_commit_callbacks
) -> None:
    channel = ChannelFactory(institution=defence)
    channel.moderators.add(defence_communicator)
    WatchTerm.objects.create(institution=defence, term="recrutement")
    urgent = WatchTerm.objects.create(institution=defence, term="bombe", urgent=True)
    with django_capture_on_commit_callbacks(execute=True):
        item_apply_event(
            channel=channel,
            event=ItemEvent(
                external_id="k1", verb=Verb.CREATE, text="Recrutement ? Il y a une BOMBE ici."
            ),
        )
        item_apply_event(
            channel=channel,
            event=ItemEvent(
                external_id="k1", verb=Verb.CREATE, text="Recrutement ? Il y a une BOMBE ici."
            ),
        )
    item = Item.objects.get(external_id="k1")
    assert item.priority == 2
    assert {hit["term"] for hit in item.keyword_hits} == {"recrutement", "bombe"}
    assert KeywordHit.objects.filter(item=item).count() == 2
    alerts = Notification.objects.filter(kind="keyword.urgent")
    assert list(alerts.values_list("recipient", flat=True)) == [defence_communicator.pk]
    assert urgent.term in alerts.get().subject


@pytest.mark.django_db
def test_an_edit_updates_the_hits(defence) -> None:
    channel = ChannelFactory(institution=defence)
    WatchTerm.objects.create(institution=defence, term="grève")
    item_apply_event(
        channel=channel, event=ItemEvent(external_id="e1", verb=Verb.CREATE, text="Bonjour")
    )
    item = item_apply_event(
        channel=channel,
        event=ItemEvent(external_id="e1", verb=Verb.EDIT, text="Y a-t-il une greve demain ?"),
    )
    assert item.priority == 1


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


@pytest.mark.django_db
def test_language_is_detected_when_missing_with_the_channel_as_fallback(defence) -> None:
    channel = ChannelFactory(institution=defence, languages=["fr"])
    dutch = item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id="l1",
            verb=Verb.CREATE,
            text="Waar kan ik de resultaten van de selectie vinden?",
        ),
    )
    short = item_apply_event(
        channel=channel, event=ItemEvent(external_id="l2", verb=Verb.CREATE, text="ok 👍")
    )
    assert (dutch.language, short.language) == ("nl", "fr")


def test_urgent_alerts_skip_team_members_no_longer_moderating_here(
    defence, police, defence_communicator, django_capture_on_commit_callbacks
) -> None:
    from accounts.models import Membership, Role
    from accounts.tests.factories import member

    gone = member(defence, Role.COMMUNICATOR, email="gone@defence.test")
    Membership.objects.create(institution=police, user=gone, role=Role.COMMUNICATOR)
    Membership.objects.filter(user=gone, institution=defence).update(is_active=False)
    channel = ChannelFactory(institution=defence)
    channel.moderators.set([gone, defence_communicator])
    WatchTerm.objects.create(institution=defence, term="bombe", urgent=True)
    with django_capture_on_commit_callbacks(execute=True):
        item_apply_event(
            channel=channel, event=ItemEvent(external_id="u1", verb=Verb.CREATE, text="Une bombe")
        )
    alerts = Notification.objects.filter(kind="keyword.urgent")
    assert list(alerts.values_list("recipient", flat=True)) == [defence_communicator.pk]
