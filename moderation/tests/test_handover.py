"""Handover between shifts on real PostgreSQL: someone going off duty has their open items
handed to the least loaded on-duty speaker of the item's language, recorded in the item's
history; nobody fitting flags the item; "hand over now" with notes, seen by the next person on
the item page and in the queue; two sweeps at once hand each item over once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from moderation.models import Action, Decision, Handover, Item, ItemStatus
from moderation.services.assignment import duty_set
from moderation.services.handover import handover_sweep
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db
QUEUE = reverse("moderation:queue", kwargs={"institution_slug": "defence"})
HANDOVER = reverse("moderation:handover", kwargs={"institution_slug": "defence"})


def person(institution, name: str, languages: list[str], *, on_duty: bool):
    user = member(institution, Role.COMMUNICATOR, full_name=name, spoken_languages=languages)
    duty_set(institution=institution, user=user, on_duty=on_duty)
    return user


@pytest.fixture
def team(defence):
    return {
        "jan": person(defence, "Jan", ["nl"], on_duty=True),
        "els": person(defence, "Els", ["nl", "fr"], on_duty=True),
        "mia": person(defence, "Mia", ["nl"], on_duty=True),
        "luc": person(defence, "Luc", ["fr"], on_duty=True),
    }


@pytest.fixture
def channel(defence, team):
    channel = ChannelFactory(institution=defence, name="Defensie FB")
    channel.moderators.set(team.values())
    return channel


def item_of(channel, assignee, number: int, language: str = "nl") -> Item:
    item = item_apply_event(
        channel=channel,
        event=ItemEvent(external_id=f"h{number}", verb=Verb.CREATE, author_name=f"Author {number}"),
    )
    Item.objects.filter(pk=item.pk).update(assigned_to=assignee, language=language)
    item.refresh_from_db()
    return item


def handed_over(item: Item):
    """The item's handover decisions (not its assignment on arrival)."""
    return Decision.objects.filter(item=item, action=Action.ASSIGN, note__startswith="Handed")


def holder(item: Item) -> str:
    item.refresh_from_db()
    return item.assigned_to.full_name if item.assigned_to else ""


def test_the_items_of_someone_going_off_duty_go_to_the_least_loaded_speaker(
    defence, channel, team
) -> None:
    item_of(channel, team["els"], 1)  # Els holds one item already: Mia is less loaded
    mine = item_of(channel, team["jan"], 2)
    handover_sweep()  # who is on duty is noted
    duty_set(institution=defence, user=team["jan"], on_duty=False)
    result = handover_sweep()
    assert (result.handed, result.flagged) == (1, 0)
    assert holder(mine) == "Mia"  # Luc is on duty but does not speak Dutch
    decision = handed_over(mine).get()
    assert decision.actor is None
    assert decision.assignee == team["mia"]
    assert "Handed over by Jan." in decision.note
    assert Handover.objects.get(item=mine).from_user == team["jan"]
    assert handover_sweep().handed == 0  # once


def test_items_taken_while_off_duty_are_not_taken_away(defence, channel, team) -> None:
    duty_set(institution=defence, user=team["jan"], on_duty=False)
    handover_sweep()
    mine = item_of(channel, team["jan"], 1)  # Jan took it while off duty
    handover_sweep()
    assert holder(mine) == "Jan"


def test_an_item_nobody_on_duty_can_take_stays_flagged_until_someone_can(
    client: Client, defence, channel, team
) -> None:
    for name in ("els", "mia"):
        duty_set(institution=defence, user=team[name], on_duty=False)
    mine = item_of(channel, team["jan"], 1)
    handover_sweep()
    duty_set(institution=defence, user=team["jan"], on_duty=False)
    assert handover_sweep().flagged == 1
    assert handover_sweep().flagged == 0  # flagged once
    assert holder(mine) == "Jan"
    client.force_login(team["luc"])
    url = reverse(
        "moderation:item-detail", kwargs={"institution_slug": "defence", "item_id": mine.pk}
    )
    assert "Nobody on duty could take this item" in client.get(url).text
    duty_set(institution=defence, user=team["mia"], on_duty=True)
    assert handover_sweep().handed == 1
    assert holder(mine) == "Mia"
    assert not Handover.objects.filter(to_user__isnull=True, resolved_at__isnull=True).exists()


def test_hand_over_now_with_notes_that_the_next_person_sees(
    client: Client, defence, channel, team
) -> None:
    first = item_of(channel, team["jan"], 1)
    second = item_of(channel, team["jan"], 2, language="fr")
    client.force_login(team["jan"])
    page = client.get(HANDOVER).text
    assert "Author 1" in page
    assert "Author 2" in page
    response = client.post(
        HANDOVER, {"note_for_all": "Busy night.", f"note_{first.pk}": "Asked for the address."}
    )
    assert response.status_code == 302
    assert holder(first) in ("Els", "Mia")
    assert holder(second) in ("Els", "Luc")
    taker = first.assigned_to
    notes = dict(Handover.objects.values_list("item_id", "note"))
    assert notes == {first.pk: "Asked for the address.", second.pk: "Busy night."}
    decision = handed_over(first).get()
    assert decision.actor == team["jan"]
    assert "Asked for the address." not in decision.note  # in the handover only: erasable

    client.force_login(taker)
    queue = client.get(QUEUE).text
    assert "handed over to you: not opened yet" in queue
    handed = client.get(QUEUE, {"handed_over": "on", "status": ItemStatus.OPEN}).text
    assert "Author 1" in handed
    url = reverse(
        "moderation:item-detail", kwargs={"institution_slug": "defence", "item_id": first.pk}
    )
    item_page = client.get(url).text
    assert "Handed over to you" in item_page
    assert "Asked for the address." in item_page
    assert Handover.objects.get(item=first).seen_at is not None  # opened: off the notice
    second.refresh_from_db()
    still = "handed over to you: not opened yet" in client.get(QUEUE).text
    assert still == (second.assigned_to == taker)  # only the other item, if it is theirs too


def test_the_handover_page_is_refused_to_other_institutions(client: Client, police) -> None:
    client.force_login(member(police, Role.COMMUNICATOR))
    assert client.get(HANDOVER).status_code == 404
    assert client.post(HANDOVER, {}).status_code == 404


def test_a_note_too_long_is_refused_and_nothing_moves(client: Client, channel, team) -> None:
    mine = item_of(channel, team["jan"], 1)
    client.force_login(team["jan"])
    response = client.post(HANDOVER, {"note_for_all": "x" * 2001})
    assert response.status_code == 400
    assert "too long" in response.text
    assert holder(mine) == "Jan"


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_hand_each_item_over_once(defence, channel, team) -> None:
    items = [item_of(channel, team["jan"], number) for number in range(30)]
    handover_sweep()
    duty_set(institution=defence, user=team["jan"], on_duty=False)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            handover_sweep()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Handover.objects.count() == len(items)
    assert sum(handed_over(item).count() for item in items) == len(items)
    loads = {name: sum(holder(item) == name for item in items) for name in ("Els", "Mia")}
    assert loads == {"Els": 15, "Mia": 15}  # least loaded, in turn


def test_retention_erases_handover_notes_with_the_items_text(
    client: Client, defence, channel, team
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from moderation.services.retention import items_anonymise

    mine = item_of(channel, team["jan"], 1)
    client.force_login(team["jan"])
    client.post(HANDOVER, {f"note_{mine.pk}": "Lien, rue Haute 12, asked again."})
    items_anonymise([mine.pk], timezone.now() + timedelta(days=400))
    assert Handover.objects.get(item=mine).note == ""
