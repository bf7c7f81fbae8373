"""Each event is emitted at the one place its change happens, in that change's transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from charter.selectors import rules_justifying
from charter.tests.factories import published_charter
from complaints.tests.factories import register
from deadlines.engine import deadlines_check
from moderation.models import PlatformAction, PlatformActionResult, Post
from moderation.services.action_results import action_result_record
from moderation.services.contests import contest_decide, contest_open
from moderation.services.decisions import item_hide
from moderation.services.ingest import item_apply_event
from webhooks.models import Delivery
from webhooks.tests.test_delivery import subscribe

pytestmark = pytest.mark.django_db


def events() -> list[str]:
    return list(Delivery.objects.order_by("pk").values_list("event", flat=True))


def test_moderation_emits_received_decided_and_contest_opened(
    defence, defence_admin, defence_communicator
) -> None:
    subscribe(defence, defence_admin, "https://hooks.example.org/x")
    published_charter(defence, defence_admin, slug="house-rules", audience="public")
    channel = ChannelFactory(institution=defence)
    item = item_apply_event(channel=channel, event=ItemEvent(external_id="e", verb=Verb.CREATE))
    rule = rules_justifying(defence, "hide").first()
    hidden = item_hide(item=item, actor=defence_communicator, rule=rule, reasons="Spam.").decision
    contest = contest_open(
        statement=hidden.statement, explanation="Not spam.", contact_email="", language="fr"
    )
    contest_decide(
        contest=contest,
        actor=member(defence, Role.COMMUNICATOR),
        outcome="upheld",
        reasons="Spam indeed.",
    )
    assert events() == ["item.received", "item.decided", "contest.opened", "contest.decided"]
    assert Delivery.objects.get(event="contest.decided").payload["data"]["status"] == "upheld"
    decided = Delivery.objects.get(event="item.decided").payload["data"]
    assert (decided["item_id"], decided["action"]) == (item.pk, "hide")
    assert decided["rule_id"] == rule.pk
    opened = Delivery.objects.get(event="contest.opened").payload
    assert "Not spam." not in str(opened)


def test_an_action_carried_out_on_the_platform_is_emitted(
    defence, defence_admin, defence_communicator
) -> None:
    subscribe(defence, defence_admin, "https://hooks.example.org/x")
    channel = ChannelFactory(institution=defence)
    post = Post.objects.create(
        institution=defence,
        channel=channel,
        title="Published",
        planned_at=timezone.now(),
        author=defence_communicator,
        state="approved",
    )
    action = PlatformAction.objects.create(
        institution=defence,
        channel=channel,
        kind=PlatformAction.Kind.PUBLISH,
        post=post,
        state=PlatformAction.State.MANUAL,
        object_id="12345",
    )
    action_result_record(action, PlatformActionResult.Result.EXECUTED, at=timezone.now())
    [delivery] = Delivery.objects.filter(event="action.executed")
    data = delivery.payload["data"]
    assert (data["action_id"], data["kind"], data["post_id"]) == (action.pk, "publish", post.pk)
    assert data["object_id"] == "12345"


def test_a_change_that_rolls_back_leaves_no_delivery(defence, defence_admin) -> None:
    subscribe(defence, defence_admin, "https://hooks.example.org/x")

    @transaction.atomic
    def register_then_fail() -> None:
        register(defence)
        raise RuntimeError

    with pytest.raises(RuntimeError):
        register_then_fail()
    assert events() == []


def test_the_deadline_check_emits_warnings_and_breaches_once(defence, defence_admin) -> None:
    subscribe(defence, defence_admin, "https://hooks.example.org/x")
    case = register(defence)
    Delivery.objects.all().delete()
    with time_machine.travel(case.warn_at + timedelta(minutes=1)):
        deadlines_check()
        deadlines_check()
    with time_machine.travel(case.due_at + timedelta(minutes=1)):
        deadlines_check()
        deadlines_check()
    assert events() == ["deadline.warned", "deadline.breached"]
    breach = Delivery.objects.get(event="deadline.breached").payload["data"]
    assert (breach["source"], breach["id"]) == ("case", case.pk)
    assert breach["due_at"] == case.due_at.isoformat()
    assert timezone.now() < case.warn_at
