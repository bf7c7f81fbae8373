"""Decisions on items: what each records, rule citation, immutability, one answer at a time."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from accounts.models import Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from charter.models import CharterRule
from charter.tests.factories import published_charter
from complaints.tests.factories import builtin
from moderation.models import Decision, DecisionImmutableError, Item
from moderation.services import decisions
from moderation.services.decisions import DecisionRefused
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(defence) -> Item:
    channel = ChannelFactory(institution=defence)
    return item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id="spam-1", verb=Verb.CREATE, author_name="Bot", text="Gagnez un iPhone"
        ),
    )


@pytest.fixture
def house_rules(defence, defence_admin):
    return published_charter(defence, defence_admin)


def rule(number: int) -> CharterRule:
    return CharterRule.objects.get(version__status="published", number=number)


def test_a_reply_answers_the_item_and_meets_the_sla(item, defence_communicator) -> None:
    outcome = decisions.item_reply(item=item, actor=defence_communicator, text="Merci !")
    assert outcome.item.status == "answered"
    assert outcome.item.first_response_at == outcome.decision.created_at
    assert decisions.sla_met(outcome.item) is True
    [action] = outcome.decision.platform_actions.all()
    assert (outcome.decision.reply_text, action.state) == ("Merci !", "manual")
    with pytest.raises(DecisionRefused, match="Write the reply"):
        decisions.item_reply(item=item, actor=defence_communicator, text=" ")


def test_a_second_answer_is_refused_naming_who_acted_first(
    item, defence_communicator, defence
) -> None:
    other = member(defence, Role.COMMUNICATOR, full_name="Second Moderator")
    decisions.item_no_action(item=item, actor=defence_communicator)
    with pytest.raises(DecisionRefused, match="already handled this item") as refused:
        decisions.item_reply(item=item, actor=other, text="Bonjour")
    assert str(defence_communicator) in str(refused.value)
    assert Decision.objects.count() == 1


def test_hide_and_remove_must_cite_a_rule_that_allows_them(
    item, defence_communicator, house_rules
) -> None:
    with pytest.raises(DecisionRefused, match="Cite the rule"):
        decisions.item_remove(item=item, actor=defence_communicator, rule=None, reasons="Spam")
    with pytest.raises(DecisionRefused, match="State the reasons"):
        decisions.item_remove(item=item, actor=defence_communicator, rule=rule(2), reasons=" ")
    outcome = decisions.item_remove(
        item=item, actor=defence_communicator, rule=rule(2), reasons="Publicité non sollicitée."
    )
    assert outcome.item.status == "removed"
    assert outcome.decision.rule == rule(2)


def test_without_house_rules_nothing_can_be_removed(item, defence_communicator) -> None:
    with pytest.raises(DecisionRefused, match="publish them first"):
        decisions.item_hide(item=item, actor=defence_communicator, rule=None, reasons="x")


def test_a_rule_of_another_institution_is_refused(
    item, defence_communicator, house_rules, police, defence_admin
) -> None:
    published_charter(police, member(police, Role.INSTITUTION_ADMIN))
    foreign = CharterRule.objects.filter(version__charter__institution=police).first()
    with pytest.raises(DecisionRefused, match="Cite the rule"):
        decisions.item_hide(item=item, actor=defence_communicator, rule=foreign, reasons="x")


def test_escalation_opens_a_complaint_with_evidence(item, defence_communicator) -> None:
    outcome = decisions.item_escalate(
        item=item, actor=defence_communicator, category=builtin(), subject="Arnaque"
    )
    case = outcome.decision.case
    assert outcome.item.status == "escalated"
    assert list(case.items.all()) == [item]
    assert case.evidence.get().content["text"] == "Gagnez un iPhone"


def test_assign_and_reopen(item, defence_communicator, police) -> None:
    with pytest.raises(DecisionRefused, match="does not moderate"):
        decisions.item_assign(
            item=item, actor=defence_communicator, assignee=member(police, Role.COMMUNICATOR)
        )
    assigned = decisions.item_assign(
        item=item, actor=defence_communicator, assignee=defence_communicator
    )
    assert assigned.item.assigned_to == defence_communicator
    first = decisions.item_no_action(item=item, actor=defence_communicator).item
    with pytest.raises(DecisionRefused, match="Say why"):
        decisions.item_reopen(item=item, actor=defence_communicator, reason="")
    reopened = decisions.item_reopen(item=item, actor=defence_communicator, reason="New reply")
    assert reopened.item.status == "open"
    again = decisions.item_reply(item=item, actor=defence_communicator, text="Voilà").item
    assert again.first_response_at == first.first_response_at  # the first answer counts
    actions = list(Decision.objects.values_list("action", flat=True))
    assert actions == ["assign", "no_action", "reopen", "reply"]


def test_decisions_cannot_be_changed_through_the_orm(item, defence_communicator) -> None:
    decision = decisions.item_no_action(item=item, actor=defence_communicator).decision
    decision.note = "forged"
    for attempt in (
        decision.save,
        decision.delete,
        lambda: Decision.objects.filter(pk=decision.pk).update(note="x"),
        lambda: Decision.objects.filter(pk=decision.pk).delete(),
    ):
        with pytest.raises(DecisionImmutableError):
            attempt()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE moderation_decision SET note = 'x'", "DELETE FROM moderation_decision"],
)
def test_decisions_cannot_be_changed_in_the_database(
    item, defence_communicator, statement: str
) -> None:
    decisions.item_no_action(item=item, actor=defence_communicator)
    with (
        pytest.raises(InternalError, match="decision_append_only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


def test_the_database_refuses_a_removal_without_a_rule(item, defence_communicator) -> None:
    with pytest.raises(IntegrityError, match="decision_removal_cites_rule"), transaction.atomic():
        Decision.objects.create(
            institution=item.institution, item=item, actor=defence_communicator, action="remove"
        )


@pytest.mark.django_db(transaction=True)
def test_two_moderators_at_once_make_one_answer(defence) -> None:
    """Two real connections answer the same item at the same moment: one decision."""
    channel = ChannelFactory(institution=defence)
    item = item_apply_event(channel=channel, event=ItemEvent(external_id="x", verb=Verb.CREATE))
    people = [member(defence, Role.COMMUNICATOR) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def act(person) -> None:
        try:
            barrier.wait(timeout=10)
            decisions.item_reply(item=item, actor=person, text=f"Réponse de {person.pk}")
            results.append("won")
        except DecisionRefused as refused:
            results.append(str(refused))
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("won") == 1
    assert any("already handled this item" in result for result in results)
    assert Decision.objects.filter(item=item).count() == 1
