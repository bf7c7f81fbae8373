"""Removed or demoted members get no new work, and their open items go back to the team.

A person deactivated (or demoted) in Defence but still active in the Federal Police must not be
assigned Defence's items; deactivation and role removal take them off channel teams and duty
and hand their open items back, each change in the item's or channel's history.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Role
from accounts.services import members as member_services
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from moderation.models import Action, Decision, DutyStatus, Item, ItemStatus
from moderation.services import decisions
from moderation.services.assignment import duty_set
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan(defence, police):
    """A Dutch-speaking communicator in Defence, also active in the Federal Police."""
    person = member(defence, Role.COMMUNICATOR, full_name="Jan", spoken_languages=["nl"])
    Membership.objects.create(institution=police, user=person, role=Role.COMMUNICATOR)
    duty_set(institution=defence, user=person, on_duty=True)
    return person


@pytest.fixture
def els(defence):
    person = member(defence, Role.COMMUNICATOR, full_name="Els", spoken_languages=["nl"])
    duty_set(institution=defence, user=person, on_duty=True)
    return person


@pytest.fixture
def channel(defence, jan, els):
    channel = ChannelFactory(institution=defence)
    channel.moderators.set([jan, els])
    return channel


def arrive(channel, name: str, language: str = "nl") -> Item:
    return item_apply_event(
        channel=channel,
        event=ItemEvent(external_id=name, verb=Verb.CREATE, text="Vraag", language=language),
    )


@pytest.mark.parametrize("change", [{"is_active": False}, {"role": Role.CHARTER_EDITOR}])
def test_no_item_goes_to_someone_no_longer_moderating_here_but_active_elsewhere(
    defence, channel, jan, els, change
) -> None:
    """Left on the team by an older version (before teams were cleaned on removal)."""
    Membership.objects.filter(user=jan, institution=defence).update(**change)
    assigned = {arrive(channel, f"nl-{n}").assigned_to for n in range(3)}
    assert assigned == {els}


def test_deactivation_takes_the_member_off_teams_and_duty_and_hands_back_open_items(
    defence, defence_admin, channel, jan, els
) -> None:
    open_items = [arrive(channel, f"nl-{n}") for n in range(4)]
    mine = [item for item in open_items if item.assigned_to == jan]
    assert len(mine) == 2
    answered = mine[0]
    decisions.item_reply(item=answered, actor=jan, text="Dag")
    admin = Client()
    admin.force_login(defence_admin)
    admin.post(
        reverse(
            "accounts:member-deactivate",
            kwargs={"institution_slug": "defence", "user_id": jan.public_id},
        )
    )
    assert list(channel.moderators.all()) == [els]
    assert not DutyStatus.objects.get(institution=defence, user=jan).on_duty
    handed_back = Item.objects.get(pk=mine[1].pk)
    assert handed_back.assigned_to is None
    [decision] = Decision.objects.filter(item=handed_back, action=Action.ASSIGN, assignee=None)
    assert decision.actor == defence_admin
    assert "Jan no longer moderates here" in decision.note
    assert Item.objects.get(pk=answered.pk).assigned_to == jan  # handled: its history stays
    assert Item.objects.get(pk=answered.pk).status == ItemStatus.ANSWERED
    last = channel.history.first()
    assert last.history_user == defence_admin
    assert "Jan" in last.history_change_reason
    # The other institution is untouched.
    assert Membership.objects.get(user=jan, institution__slug="federal-police").is_active


def test_losing_the_moderator_roles_hands_back_but_keeping_one_does_not(
    defence, defence_admin, channel, jan, els
) -> None:
    Membership.objects.create(institution=defence, user=els, role=Role.SPOKESPERSON)
    items = [arrive(channel, f"nl-{n}") for n in range(2)]
    member_services.member_set_roles(
        institution=defence, actor=defence_admin, user=els, roles=[Role.SPOKESPERSON]
    )
    assert set(channel.moderators.all()) == {jan, els}  # a spokesperson still moderates
    member_services.member_set_roles(
        institution=defence, actor=defence_admin, user=jan, roles=[Role.CHARTER_EDITOR]
    )
    assert list(channel.moderators.all()) == [els]
    assert not Item.objects.filter(pk__in=[i.pk for i in items], assigned_to=jan).exists()
    assert Item.objects.filter(pk__in=[i.pk for i in items], assigned_to=els).count() == 1
    assert not DutyStatus.objects.get(institution=defence, user=jan).on_duty
