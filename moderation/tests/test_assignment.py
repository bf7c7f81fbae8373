"""Assignment on arrival (on duty, language, load, round-robin), duty, saved replies."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from moderation.models import Decision, Item, SavedReply
from moderation.services.assignment import duty_set, on_duty_by_language
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(defence):
    people = {
        "jan": member(defence, Role.COMMUNICATOR, full_name="Jan", spoken_languages=["nl"]),
        "els": member(defence, Role.COMMUNICATOR, full_name="Els", spoken_languages=["nl", "fr"]),
        "luc": member(defence, Role.COMMUNICATOR, full_name="Luc", spoken_languages=["fr"]),
    }
    for person in people.values():
        duty_set(institution=defence, user=person, on_duty=True)
    return people


@pytest.fixture
def channel(defence, team):
    channel = ChannelFactory(institution=defence)
    channel.moderators.set(team.values())
    return channel


def arrive(channel, name: str, language: str) -> Item:
    return item_apply_event(
        channel=channel,
        event=ItemEvent(external_id=name, verb=Verb.CREATE, text="…", language=language),
    )


def test_items_go_to_on_duty_speakers_of_their_language_least_loaded_first(
    defence, channel, team
) -> None:
    dutch = [arrive(channel, f"nl-{n}", "nl").assigned_to for n in range(4)]
    assert sorted(person.full_name for person in dutch) == ["Els", "Els", "Jan", "Jan"]
    assert dutch[0] != dutch[1]  # round-robin between equally loaded people
    french = arrive(channel, "fr-1", "fr").assigned_to
    assert french == team["luc"]  # Els has two open Dutch items, Luc none
    decision = Decision.objects.filter(action="assign").first()
    assert decision.actor is None
    assert decision.note == ""


def test_the_history_says_assigned_automatically(client: Client, defence, channel, team) -> None:
    item = arrive(channel, "nl-1", "nl")
    legacy = arrive(channel, "nl-2", "nl")  # as stored before: the English words as its note
    Decision.objects.create(
        institution=defence, item=legacy, actor=None, action="assign",
        assignee=team["jan"], note="on arrival",
    )  # fmt: skip
    client.force_login(team["jan"])
    for shown in (item, legacy):
        page = client.get(
            f"/i/defence/queue/items/{shown.pk}/", headers={"accept-language": "en"}
        ).content.decode()
        assert "Assigned automatically" in page
        assert "by None" not in page
        assert "on arrival" not in page


def test_off_duty_and_other_languages_stay_unassigned(defence, channel, team) -> None:
    duty_set(institution=defence, user=team["luc"], on_duty=False)
    duty_set(institution=defence, user=team["els"], on_duty=False)
    assert arrive(channel, "fr-1", "fr").assigned_to is None
    assert arrive(channel, "de-1", "de").assigned_to is None
    assert arrive(channel, "nl-1", "nl").assigned_to == team["jan"]


def test_a_channel_without_team_leaves_items_unassigned(defence, team) -> None:
    lonely = ChannelFactory(institution=defence)
    assert arrive(lonely, "x", "nl").assigned_to is None


def test_duty_screens(client: Client, defence, team) -> None:
    client.force_login(team["jan"])
    client.post("/i/defence/queue/duty/toggle/", {"on_duty": "0"})
    assert on_duty_by_language(defence)["nl"] == [team["els"]]
    page = client.get("/i/defence/queue/duty/").content.decode()
    assert "You are off duty." in page
    assert "Els" in page


def test_a_saved_reply_fills_the_reply_box(client: Client, defence, channel, team) -> None:
    item = item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id="q", verb=Verb.CREATE, author_name="Sofie", text="Vraag", language="nl"
        ),
    )
    client.force_login(team["jan"])
    client.post(
        "/i/defence/queue/replies/",
        {"language": "nl", "title": "Bedankt", "text": "Dag {author}, bedankt!",
         "is_active": "on"},
    )  # fmt: skip
    reply = SavedReply.objects.get()
    page = client.get(f"/i/defence/queue/items/{item.pk}/", {"saved": reply.pk}).content.decode()
    assert "Bedankt" in page
    assert ">Dag Sofie, bedankt!</textarea>" in page
