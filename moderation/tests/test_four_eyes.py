"""Four eyes on sensitive removals (docs/accountability.md), tested through the item page's
views: who proposes, who may approve (never the proposer), rejection, withdrawal, the
spokesperson setting, the platform action only after approval, the database guards."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InternalError, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.models import Platform
from channels.tests.factories import ChannelFactory
from charter.models import CharterRule
from charter.services import draft_save, draft_start, version_publish
from charter.tests.factories import TEXTS, publish_new_version, published_charter, rules
from moderation.models import (
    Action,
    Decision,
    Item,
    ItemStatus,
    PlatformAction,
    RemovalProposal,
    SensitiveAccount,
)
from moderation.services import decisions, proposals
from moderation.services.ingest import item_apply_event
from moderation.services.outcomes import DecisionRefused

pytestmark = pytest.mark.django_db

BASE = "/i/defence/queue/items/"


@pytest.fixture
def channel(defence):
    return ChannelFactory(institution=defence, platform=Platform.X)


@pytest.fixture
def house_rules(defence, defence_admin):
    return published_charter(defence, defence_admin)


@pytest.fixture
def journalist(defence) -> SensitiveAccount:
    return SensitiveAccount.objects.create(
        institution=defence,
        platform=Platform.X,
        handle="@Reporter",
        name="A. Reporter",
        category=SensitiveAccount.Category.JOURNALIST,
    )


@pytest.fixture
def second(defence):
    return member(defence, Role.COMMUNICATOR, full_name="Second Moderator")


def arrive(channel, external_id: str = "c-1", handle: str = "@reporter") -> Item:
    return item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id=external_id,
            verb=Verb.CREATE,
            author_name="Someone",
            author_handle=handle,
            text="Votre politique est un échec.",
        ),
    )


def rule() -> CharterRule:
    return CharterRule.objects.get(version__status="published", number=2)


def post(client: Client, user, item: Item, action: str, **data: object):
    client.force_login(user)
    return client.post(f"{BASE}{item.pk}/{action}/", data)


def propose(client: Client, user, item: Item, action: str = "remove", **data: object):
    return post(client, user, item, action, rule=rule().pk, reasons="Insultes.", **data)


def pending(item: Item) -> RemovalProposal:
    return RemovalProposal.objects.pending().get(item=item)


def test_removing_an_account_on_the_list_is_only_proposed(
    client, channel, house_rules, journalist, defence_communicator
) -> None:
    item = arrive(channel)
    response = propose(client, defence_communicator, item)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.removal_pending) == (ItemStatus.OPEN, True)
    assert item.first_response_at is None  # the item's own clock keeps running
    proposal = pending(item)
    assert (proposal.proposer, proposal.sensitive_account, proposal.action) == (
        defence_communicator,
        journalist,
        "remove",
    )
    assert proposal.due_at == proposal.created_at + timezone.timedelta(hours=4)
    assert [d.action for d in Decision.objects.filter(item=item)] == [Action.REMOVE_PROPOSED]
    assert not PlatformAction.objects.exists()  # nothing reaches the platform yet
    page = client.get(response.url)
    assert "Removal proposed: it is removed once a second moderator approves." in page.text


def test_the_proposer_never_sees_the_approve_button_and_cannot_approve(
    client, channel, house_rules, journalist, defence_communicator
) -> None:
    item = arrive(channel)
    propose(client, defence_communicator, item)
    page = client.get(f"{BASE}{item.pk}/")
    assert "Approve: remove it" not in page.text
    assert "another moderator must approve or reject it" in page.text
    assert "Withdraw the proposal" in page.text
    response = post(client, defence_communicator, item, "approve", proposal=pending(item).pk)
    assert response.status_code == 400
    assert "another moderator must approve or reject it" in response.text
    item.refresh_from_db()
    assert (item.status, item.removal_pending) == (ItemStatus.OPEN, True)
    assert not PlatformAction.objects.exists()


def test_a_second_moderator_approves_and_the_removal_is_taken_in_their_name(
    client, channel, house_rules, journalist, defence_communicator, second
) -> None:
    item = arrive(channel)
    propose(client, defence_communicator, item)
    client.force_login(second)
    page = client.get(f"{BASE}{item.pk}/")
    assert "Approve: remove it" in page.text
    response = post(client, second, item, "approve", proposal=pending(item).pk)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.removal_pending) == (ItemStatus.REMOVED, False)
    assert item.sla_answered_at is not None
    removal = Decision.objects.get(item=item, action=Action.REMOVE)
    assert (removal.actor, removal.proposed_by, removal.rule) == (
        second,
        defence_communicator,
        rule(),
    )
    assert removal.reasons == "Insultes."
    assert RemovalProposal.objects.get(item=item).outcome == removal
    assert PlatformAction.objects.get().kind == PlatformAction.Kind.DELETE
    history = client.get(f"{BASE}{item.pk}/").text
    assert "proposed by" in history


def test_while_a_proposal_waits_the_item_takes_no_other_answer(
    client, channel, house_rules, journalist, defence_communicator, second
) -> None:
    item = arrive(channel)
    propose(client, defence_communicator, item)
    response = post(client, second, item, "no-action")
    assert response.status_code == 400
    assert "a second moderator must approve or reject that first" in response.text
    response = post(client, second, item, "reply", text="Merci")
    assert response.status_code == 400
    assert item.decisions.count() == 1
    assert post(client, second, item, "assign-me").status_code == 302  # not an answer


def test_a_rejection_needs_reasons_and_leaves_the_item_open(
    client, channel, house_rules, journalist, defence_communicator, second
) -> None:
    item = arrive(channel)
    propose(client, defence_communicator, item)
    proposal = pending(item)
    response = post(client, second, item, "reject", proposal=proposal.pk, reasons=" ")
    assert response.status_code == 400
    assert "Say why the proposal is rejected." in response.text
    assert post(client, second, item, "reject", proposal=proposal.pk, reasons="Critique légitime.")
    item.refresh_from_db()
    assert (item.status, item.removal_pending) == (ItemStatus.OPEN, False)
    rejection = Decision.objects.get(item=item, action=Action.PROPOSAL_REJECTED)
    assert (rejection.actor, rejection.proposed_by, rejection.note) == (
        second,
        defence_communicator,
        "Critique légitime.",
    )
    assert not PlatformAction.objects.exists()
    assert post(client, second, item, "no-action").status_code == 302  # answers open again


def test_a_settled_proposal_cannot_be_approved_again(
    client, channel, house_rules, journalist, defence_communicator, second, defence
) -> None:
    item = arrive(channel)
    propose(client, defence_communicator, item)
    proposal = pending(item)
    post(client, second, item, "reject", proposal=proposal.pk, reasons="Non.")
    third = member(defence, Role.SPOKESPERSON, full_name="Third")
    response = post(client, third, item, "approve", proposal=proposal.pk)
    assert response.status_code == 400
    assert "already settled this proposal" in response.text
    assert Item.objects.get(pk=item.pk).status == ItemStatus.OPEN


def test_the_proposer_may_withdraw_but_nobody_else(
    client, channel, house_rules, journalist, defence_communicator, second
) -> None:
    item = arrive(channel)
    propose(client, defence_communicator, item)
    proposal = pending(item)
    response = post(client, second, item, "withdraw", proposal=proposal.pk)
    assert response.status_code == 400
    assert "Only the moderator who proposed it may withdraw" in response.text
    post(client, defence_communicator, item, "withdraw", proposal=proposal.pk, reason="Erreur")
    item.refresh_from_db()
    assert not item.removal_pending
    withdrawal = Decision.objects.get(item=item, action=Action.PROPOSAL_WITHDRAWN)
    assert (withdrawal.actor, withdrawal.proposed_by, withdrawal.note) == (
        defence_communicator,
        None,
        "Erreur",
    )


def test_criticism_of_the_institution_needs_four_eyes_for_any_author(
    client, channel, house_rules, defence_communicator
) -> None:
    item = arrive(channel, handle="@citizen")
    propose(client, defence_communicator, item, "hide", concerns_criticism="on")
    proposal = pending(item)
    assert (proposal.action, proposal.concerns_criticism, proposal.sensitive_account) == (
        "hide",
        True,
        None,
    )
    assert Decision.objects.get(item=item).action == Action.HIDE_PROPOSED


def test_an_author_not_on_the_list_is_hidden_at_once(
    client, channel, house_rules, journalist, defence_communicator
) -> None:
    item = arrive(channel, handle="@someone_else")
    propose(client, defence_communicator, item, "hide")
    assert Item.objects.get(pk=item.pk).status == ItemStatus.HIDDEN
    assert not RemovalProposal.objects.exists()


def test_an_inactive_entry_or_another_platform_needs_no_second_look(
    client, defence, house_rules, journalist, defence_communicator
) -> None:
    mastodon = ChannelFactory(institution=defence, platform=Platform.MASTODON)
    item = arrive(mastodon)
    propose(client, defence_communicator, item, "hide")
    assert Item.objects.get(pk=item.pk).status == ItemStatus.HIDDEN
    journalist.is_active = False
    journalist.save()
    item = arrive(ChannelFactory(institution=defence, platform=Platform.X), "c-2")
    propose(client, defence_communicator, item, "hide")
    assert Item.objects.get(pk=item.pk).status == ItemStatus.HIDDEN


def test_when_the_institution_says_so_only_a_spokesperson_approves(
    client, channel, house_rules, journalist, defence, defence_communicator, second
) -> None:
    defence.sensitive_removal_needs_spokesperson = True
    defence.save()
    item = arrive(channel)
    propose(client, defence_communicator, item)
    proposal = pending(item)
    assert proposal.needs_spokesperson
    client.force_login(second)
    assert "A spokesperson must approve" in client.get(f"{BASE}{item.pk}/").text
    response = post(client, second, item, "approve", proposal=proposal.pk)
    assert response.status_code == 400
    response = post(client, second, item, "reject", proposal=proposal.pk, reasons="x")
    assert response.status_code == 400
    spokesperson = member(defence, Role.SPOKESPERSON, full_name="Spokes Person")
    assert post(client, spokesperson, item, "approve", proposal=proposal.pk).status_code == 302
    assert Item.objects.get(pk=item.pk).status == ItemStatus.REMOVED


def test_a_spokesperson_who_proposed_still_needs_another(
    client, channel, house_rules, journalist, defence
) -> None:
    defence.sensitive_removal_needs_spokesperson = True
    defence.save()
    first = member(defence, Role.SPOKESPERSON, full_name="First Spokes")
    item = arrive(channel)
    propose(client, first, item)
    response = post(client, first, item, "approve", proposal=pending(item).pk)
    assert response.status_code == 400
    assert Item.objects.get(pk=item.pk).removal_pending


def test_another_institution_cannot_reach_the_proposal(
    client, channel, house_rules, journalist, defence_communicator, police_communicator
) -> None:
    item = arrive(channel)
    propose(client, defence_communicator, item)
    response = post(client, police_communicator, item, "approve", proposal=pending(item).pk)
    assert response.status_code == 404
    assert Item.objects.get(pk=item.pk).removal_pending


def test_two_proposals_at_once_make_one(
    channel, house_rules, journalist, defence_communicator, second
) -> None:
    item = arrive(channel)
    decisions.item_remove(item=item, actor=defence_communicator, rule=rule(), reasons="x")
    with pytest.raises(DecisionRefused, match="second moderator must approve or reject"):
        decisions.item_hide(item=item, actor=second, rule=rule(), reasons="y")
    assert RemovalProposal.objects.count() == 1


def test_the_database_refuses_an_approval_by_the_proposer(
    channel, house_rules, journalist, defence_communicator
) -> None:
    item = arrive(channel)
    decisions.item_remove(item=item, actor=defence_communicator, rule=rule(), reasons="x")
    with pytest.raises(IntegrityError, match="decision_four_eyes"), transaction.atomic():
        Decision.objects.create(
            institution=item.institution,
            item=item,
            actor=defence_communicator,
            action=Action.REMOVE,
            rule=rule(),
            reasons="x",
            proposed_by=defence_communicator,
        )


def test_the_database_keeps_what_was_proposed_and_its_outcome(
    channel, house_rules, journalist, defence_communicator, second
) -> None:
    item = arrive(channel)
    decisions.item_remove(item=item, actor=defence_communicator, rule=rule(), reasons="x")
    proposal = pending(item)
    with pytest.raises(InternalError), transaction.atomic():
        RemovalProposal.objects.filter(pk=proposal.pk).update(reasons="changed")
    with pytest.raises(InternalError), transaction.atomic():
        RemovalProposal.objects.filter(pk=proposal.pk).delete()
    proposals.proposal_reject(proposal=proposal, actor=second, reasons="Non.")
    with pytest.raises(InternalError), transaction.atomic():
        RemovalProposal.objects.filter(pk=proposal.pk).update(outcome=None)
    with pytest.raises(InternalError), transaction.atomic():
        RemovalProposal.objects.filter(pk=proposal.pk).update(warned_at=timezone.now())


def test_approval_is_refused_once_the_item_left_the_queue(
    channel, house_rules, journalist, defence_communicator, second
) -> None:
    item = arrive(channel)
    decisions.item_remove(item=item, actor=defence_communicator, rule=rule(), reasons="x")
    item_apply_event(channel=channel, event=ItemEvent(external_id="c-1", verb=Verb.REMOVE))
    with pytest.raises(DecisionRefused, match="reject the proposal to close it"):
        proposals.proposal_approve(proposal=pending(item), actor=second)
    proposals.proposal_reject(proposal=pending(item), actor=second, reasons="Supprimé.")
    assert not Item.objects.get(pk=item.pk).removal_pending


def test_bulk_no_action_leaves_an_item_awaiting_a_second_look_alone(
    client, channel, house_rules, journalist, defence_communicator, second
) -> None:
    waiting = arrive(channel)
    other = arrive(channel, "c-2", handle="@someone")
    propose(client, defence_communicator, waiting)
    client.force_login(second)
    response = client.post(
        "/i/defence/queue/bulk/",
        {"action": "no-action", "confirm": "1", "items": [waiting.pk, other.pk]},
        follow=True,
    )
    assert "1 items done; 1 were already handled by someone else." in response.text
    assert Item.objects.get(pk=waiting.pk).removal_pending
    assert Item.objects.get(pk=other.pk).status == ItemStatus.NO_ACTION


def test_approval_is_refused_once_the_cited_rule_left_the_house_rules(
    channel, house_rules, journalist, defence_communicator, second, defence_admin
) -> None:
    item = arrive(channel)
    decisions.item_remove(item=item, actor=defence_communicator, rule=rule(), reasons="x")
    version = draft_start(charter=house_rules, actor=defence_admin)  # rule 2: hide only now
    draft_save(
        version=version, actor=defence_admin, texts=TEXTS, rules=rules(1, 2, 3, hide_only=(2,))
    )
    version_publish(version=version, actor=defence_admin, change_summary="R2 hides only.")
    with pytest.raises(DecisionRefused, match="no longer in the house rules in force"):
        proposals.proposal_approve(proposal=pending(item), actor=second)
    assert Item.objects.get(pk=item.pk).status == ItemStatus.OPEN


def test_an_approval_cites_the_rule_of_the_version_in_force(
    channel, house_rules, journalist, defence_communicator, second, defence_admin
) -> None:
    item = arrive(channel)
    decisions.item_remove(item=item, actor=defence_communicator, rule=rule(), reasons="x")
    publish_new_version(house_rules, defence_admin, rule_numbers=(1, 2, 3))
    outcome = proposals.proposal_approve(proposal=pending(item), actor=second)
    cited = outcome.decision.rule
    assert cited is not None
    assert (cited.number, cited.version.number) == (2, 2)
