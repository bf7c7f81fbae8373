"""Keyword watch on items: hits, priority and urgent alerts follow the text an item shows
(the matching itself is tested in channels/tests/test_keywords.py)."""

from __future__ import annotations

import pytest

from accounts.models import Notification
from channels.connectors.base import ItemEvent, Verb
from channels.models import KeywordHit, WatchTerm
from channels.tests.factories import ChannelFactory
from moderation.models import Item
from moderation.services.ingest import item_apply_event


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
