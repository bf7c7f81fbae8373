"""Who hears about a deadline, through the real deadline check on PostgreSQL.

- nobody who lost their role in the institution (deactivated, demoted), even while active in
  another institution: neither the notice nor its e-mail;
- an item's assignee only while on duty; otherwise the on-duty members of the channel's team who
  speak the item's language, then the whole team.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.models import Membership, Notification, OutgoingEmail, Role
from accounts.tests.factories import member
from channels.tests.factories import ChannelFactory
from complaints.models import Team
from complaints.tests.factories import register
from deadlines import delivery
from deadlines.engine import deadlines_check
from deadlines.tests.test_engine import NOW, notices, received
from moderation.models import Item
from moderation.services.assignment import duty_set

pytestmark = pytest.mark.django_db


def communicator(institution, name: str, languages: list[str], on_duty: bool = False):
    person = member(institution, Role.COMMUNICATOR, full_name=name, spoken_languages=languages)
    duty_set(institution=institution, user=person, on_duty=on_duty)
    return person


@pytest.fixture
def people(defence):
    return {
        "jan": communicator(defence, "Jan", ["nl"]),
        "els": communicator(defence, "Els", ["nl", "fr"], on_duty=True),
        "luc": communicator(defence, "Luc", ["fr"], on_duty=True),
        "mia": communicator(defence, "Mia", ["nl"]),
    }


@pytest.fixture
def channel(defence, people):
    channel = ChannelFactory(institution=defence, response_hours=24)
    channel.moderators.set(people.values())
    return channel


def item_for(channel, assignee, language: str = "nl") -> Item:
    item = received(channel, hours_ago=19)
    Item.objects.filter(pk=item.pk).update(assigned_to=assignee, language=language)
    return item


def warned() -> set[str]:
    return {n.recipient.full_name for n in notices("warning")}


def test_an_assignee_off_duty_is_replaced_by_on_duty_speakers_of_the_language(
    channel, people
) -> None:
    item_for(channel, people["jan"], language="nl")
    deadlines_check(NOW)
    assert warned() == {"Els"}  # on duty and reads Dutch; Luc is on duty but reads French only


def test_an_assignee_on_duty_alone_is_warned(defence, channel, people) -> None:
    duty_set(institution=defence, user=people["jan"], on_duty=True)
    item_for(channel, people["jan"])
    deadlines_check(NOW)
    assert warned() == {"Jan"}


def test_with_no_on_duty_speaker_the_whole_team_is_warned(defence, channel, people) -> None:
    duty_set(institution=defence, user=people["els"], on_duty=False)
    item_for(channel, people["jan"], language="nl")
    deadlines_check(NOW)
    assert warned() == {"Jan", "Els", "Luc", "Mia"}


@pytest.mark.parametrize("change", [{"is_active": False}, {"role": Role.CHARTER_EDITOR}])
def test_an_assignee_no_longer_moderating_here_gets_nothing_though_active_elsewhere(
    defence, police, channel, people, change
) -> None:
    jan = people["jan"]
    duty_set(institution=defence, user=jan, on_duty=True)
    Membership.objects.create(institution=police, user=jan, role=Role.COMMUNICATOR)
    item_for(channel, jan)
    Membership.objects.filter(user=jan, institution=defence).update(**change)
    deadlines_check(NOW)
    assert warned() == {"Els"}
    deadlines_check(NOW + timedelta(hours=5, minutes=1))
    assert "Jan" not in {n.recipient.full_name for n in notices("breach")}
    delivery.deadline_emails_write()
    assert not OutgoingEmail.objects.filter(to_address=jan.email).exists()


def test_team_members_no_longer_moderating_here_are_left_out(
    defence, police, channel, people
) -> None:
    for name in ("jan", "mia"):
        Membership.objects.filter(user=people[name], institution=defence).update(is_active=False)
    Membership.objects.create(institution=police, user=people["jan"], role=Role.COMMUNICATOR)
    duty_set(institution=defence, user=people["els"], on_duty=False)
    item_for(channel, None)
    deadlines_check(NOW)
    assert warned() == {"Els", "Luc"}


def test_a_case_officer_no_longer_officer_here_gets_nothing_though_active_elsewhere(
    defence, police
) -> None:
    ann = member(defence, Role.COMPLAINT_OFFICER, full_name="Ann")
    bart = member(defence, Role.COMPLAINT_OFFICER, full_name="Bart")
    gone = member(defence, Role.COMPLAINT_OFFICER, full_name="Gone")
    Membership.objects.create(institution=police, user=ann, role=Role.COMPLAINT_OFFICER)
    team = Team.objects.create(institution=defence, name="Second line")
    team.members.set([ann, bart, gone])
    case = register(defence, received_at=NOW - timedelta(days=25))
    case.assigned_officer, case.assigned_team = ann, team
    case.save()
    Membership.objects.filter(user__in=[ann, gone], institution=defence).update(is_active=False)
    assert deadlines_check(NOW).warnings == 1
    assert {n.recipient for n in notices("warning")} == {bart}


def test_no_e_mail_for_a_notice_whose_recipient_left_before_the_e_mail_phase(
    defence, channel, people
) -> None:
    els = people["els"]
    item_for(channel, els)
    duty_set(institution=defence, user=els, on_duty=True)
    deadlines_check(NOW)
    assert warned() == {"Els"}
    Membership.objects.filter(user=els, institution=defence).update(is_active=False)
    assert delivery.deadline_emails_write() == 0
    assert not OutgoingEmail.objects.exists()
    assert Notification.objects.get(kind="deadline.warning").email_status == ""
