"""Four eyes on sensitive removals: the removals-to-approve page, the sensitive accounts list
(institution admins, history, duplicates), the queue's marker and filter, the deadline of a
proposal through the deadline engine (warned and breached once each), the institution setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from accounts.models import Notification, Role
from accounts.tests.factories import member
from channels.models import Platform
from channels.tests.factories import ChannelFactory
from charter.tests.factories import published_charter
from conftest import enrol_totp
from deadlines.engine import deadlines_check
from moderation.models import RemovalProposal, SensitiveAccount
from moderation.services import decisions
from moderation.services.proposals import proposal_approve, proposal_reject
from moderation.tests.test_four_eyes import arrive, rule

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ACCOUNTS = "/i/defence/sensitive-accounts/"
APPROVALS = "/i/defence/queue/approvals/"


@pytest.fixture
def channel(defence):
    return ChannelFactory(institution=defence, platform=Platform.X, name="Defence X")


@pytest.fixture
def journalist(defence) -> SensitiveAccount:
    return SensitiveAccount.objects.create(
        institution=defence, platform=Platform.X, handle="@reporter", category="journalist"
    )


@pytest.fixture
def proposed(channel, defence, defence_admin, journalist, defence_communicator) -> RemovalProposal:
    published_charter(defence, defence_admin)
    item = arrive(channel)
    outcome = decisions.item_remove(
        item=item, actor=defence_communicator, rule=rule(), reasons="Insultes."
    )
    assert outcome.proposal is not None
    return outcome.proposal


def rules_in_force(institution, admin) -> None:
    """House rules published the day before ``NOW`` (the time the deadline tests travel to)."""
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        published_charter(institution, admin)


def signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def test_the_approvals_page_lists_pending_proposals_with_their_count(
    client, proposed, defence, defence_communicator
) -> None:
    second = member(defence, Role.COMMUNICATOR)
    page = signed_in(client, second).get(APPROVALS).text
    assert "1 proposal waits." in page
    assert "Insultes." in page
    assert "The author is on the sensitive accounts list (Journalist)." in page
    assert "You may approve or reject it on the item" in page
    page = signed_in(client, defence_communicator).get(APPROVALS).text
    assert "another moderator must approve or reject it" in page  # the proposer's own


def test_the_approvals_page_reads_the_same_queries_for_one_or_many(
    client, proposed, channel, defence, django_assert_max_num_queries
) -> None:
    second = member(defence, Role.COMMUNICATOR)
    signed_in(client, second).get(APPROVALS)
    with django_assert_max_num_queries(20) as one:
        client.get(APPROVALS)
    for number in range(2, 6):
        decisions.item_hide(
            item=arrive(channel, f"c-{number}"), actor=proposed.proposer, rule=rule(), reasons="x"
        )
    with django_assert_max_num_queries(20) as many:
        assert "5 proposals wait." in client.get(APPROVALS).text
    assert len(one.captured_queries) == len(many.captured_queries)


def test_admins_oversee_the_approvals_but_have_no_item_link(
    client, proposed, defence_admin
) -> None:
    page = signed_in(client, defence_admin).get(APPROVALS).text
    assert "1 proposal waits." in page
    assert "Open the item" not in page


def test_a_settled_proposal_leaves_the_page(client, proposed, defence) -> None:
    second = member(defence, Role.COMMUNICATOR)
    proposal_reject(proposal=proposed, actor=second, reasons="Non.")
    assert "No removal waits for a second look." in signed_in(client, second).get(APPROVALS).text


def test_admins_keep_the_list_and_every_change_is_recorded(client, defence_admin) -> None:
    signed_in(client, defence_admin)
    response = client.post(
        ACCOUNTS,
        {"platform": "x", "handle": " @Bourgmestre ", "category": "elected_official",
         "name": "Le bourgmestre", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    account = SensitiveAccount.objects.get()
    assert (account.handle, account.handle_key) == ("@Bourgmestre", "bourgmestre")
    response = client.post(
        f"{ACCOUNTS}{account.pk}/",
        {"platform": "x", "handle": "@Bourgmestre", "category": "elected_official", "note": ""},
    )
    assert response.status_code == 302
    assert not SensitiveAccount.objects.get().is_active
    assert [r.history_user for r in account.history.all()] == [defence_admin, defence_admin]
    page = client.get(f"{ACCOUNTS}{account.pk}/").text
    assert "inactive" in page


def test_the_same_account_twice_is_refused_with_a_message(
    client, defence_admin, journalist
) -> None:
    response = signed_in(client, defence_admin).post(
        ACCOUNTS, {"platform": "x", "handle": "@REPORTER", "category": "other"}
    )
    assert response.status_code == 400
    assert "This account is already on the list." in response.text
    response = client.post(ACCOUNTS, {"platform": "x", "handle": " @ ", "category": "other"})
    assert response.status_code == 400
    assert "Give the account&#x27;s handle or id." in response.text
    assert SensitiveAccount.objects.count() == 1


def test_the_list_is_for_admins_of_the_institution_only(
    client, journalist, defence_communicator, police
) -> None:
    assert signed_in(client, defence_communicator).get(ACCOUNTS).status_code == 403
    outsider = member(police, Role.INSTITUTION_ADMIN)
    enrol_totp(outsider)
    assert signed_in(client, outsider).get(f"{ACCOUNTS}{journalist.pk}/").status_code == 404
    other = SensitiveAccount.objects.create(
        institution=police, platform="x", handle="@x", category="other"
    )
    admin = member(journalist.institution, Role.INSTITUTION_ADMIN)
    enrol_totp(admin)
    assert signed_in(client, admin).get(f"{ACCOUNTS}{other.pk}/").status_code == 404


def test_the_queue_marks_and_filters_items_awaiting_a_second_look(
    client, proposed, channel, defence
) -> None:
    other = arrive(channel, "c-other", handle="@someone")
    signed_in(client, member(defence, Role.COMMUNICATOR))
    page = client.get("/i/defence/queue/").text
    assert page.count("data-second-look") == 1
    filtered = client.get("/i/defence/queue/?second_look=on").text
    assert f'id="queue-row-{proposed.item_id}"' in filtered
    assert f'id="queue-row-{other.pk}"' not in filtered


def test_a_proposal_is_warned_then_breached_once_each(
    channel, defence, defence_admin, journalist, defence_communicator
) -> None:
    rules_in_force(defence, defence_admin)
    second = member(defence, Role.COMMUNICATOR)
    with time_machine.travel(NOW, tick=False):
        item = arrive(channel)
        decisions.item_remove(item=item, actor=defence_communicator, rule=rule(), reasons="x")
    proposal = RemovalProposal.objects.get()
    assert proposal.due_at == NOW + timedelta(hours=4)
    assert proposal.warn_at == NOW + timedelta(hours=3)  # 75 % of the span
    deadlines_check(NOW + timedelta(hours=3, minutes=1))
    deadlines_check(NOW + timedelta(hours=3, minutes=2))
    warnings = Notification.objects.filter(dedupe_key__contains="removal-proposal")
    assert [n.recipient for n in warnings] == [second]  # never the proposer
    assert warnings[0].url == APPROVALS
    assert "Removal proposed · Defence X" in warnings[0].subject
    deadlines_check(NOW + timedelta(hours=4, minutes=1))
    deadlines_check(NOW + timedelta(hours=5))
    breaches = Notification.objects.filter(
        dedupe_key__contains="removal-proposal", kind="deadline.breach"
    )
    assert {n.recipient for n in breaches} == {second, defence_admin}
    admin_page = Client()
    admin_page.force_login(defence_admin)
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        missed = admin_page.get("/i/defence/deadlines/missed/").text
    assert "1 removal waiting for a second look" in missed


def test_a_settled_proposal_is_never_warned(
    channel, defence, defence_admin, journalist, defence_communicator
) -> None:
    rules_in_force(defence, defence_admin)
    second = member(defence, Role.COMMUNICATOR)
    with time_machine.travel(NOW, tick=False):
        item = arrive(channel)
        outcome = decisions.item_remove(
            item=item, actor=defence_communicator, rule=rule(), reasons="x"
        )
        assert outcome.proposal is not None
        proposal_approve(proposal=outcome.proposal, actor=second)
    deadlines_check(NOW + timedelta(hours=5))
    assert not Notification.objects.filter(dedupe_key__contains="removal-proposal").exists()


def test_a_spokesperson_proposal_warns_the_spokespersons(
    channel, defence, defence_admin, journalist, defence_communicator
) -> None:
    defence.sensitive_removal_needs_spokesperson = True
    defence.sensitive_removal_hours = 2
    defence.save()
    rules_in_force(defence, defence_admin)
    spokesperson = member(defence, Role.SPOKESPERSON)
    with time_machine.travel(NOW, tick=False):
        decisions.item_remove(
            item=arrive(channel), actor=defence_communicator, rule=rule(), reasons="x"
        )
    assert RemovalProposal.objects.get().due_at == NOW + timedelta(hours=2)
    deadlines_check(NOW + timedelta(hours=1, minutes=31))
    warnings = Notification.objects.filter(dedupe_key__contains="removal-proposal")
    assert [n.recipient for n in warnings] == [spokesperson]


def test_admins_set_the_four_eyes_settings(client, defence, defence_admin) -> None:
    signed_in(client, defence_admin)
    page = client.get("/i/defence/settings/").text
    assert "Four eyes on sensitive removals" in page
    assert 'name="sensitive_removal_hours"' in page
