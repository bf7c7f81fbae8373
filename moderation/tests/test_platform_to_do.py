"""The "to do on the platform" list: marking done, its deadline and its notices, the page, the
item page's steps, the queue's "not executed" filter, the SLA counted when a reply is posted and
the reply after an escalation (issue 14)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Notification, Role, User
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from complaints.tests.factories import builtin
from conftest import enrol_totp
from deadlines.engine import deadlines_check
from moderation.models import Decision, Item, PlatformAction, Post, PostState
from moderation.services import decisions
from moderation.services.decisions import DecisionRefused
from moderation.services.ingest import item_apply_event
from moderation.services.platform_to_do import (
    ToDoRefused,
    action_mark_done,
    action_put_on_list,
    action_to_do_deadline,
    platform_to_do_due_at,
    platform_to_do_fields,
)
from reports.stats import sla_by

pytestmark = pytest.mark.django_db
State = PlatformAction.State
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def arrive(channel, external_id: str = "c-1", **fields) -> Item:  # type: ignore[no-untyped-def]
    return item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id=external_id,
            verb=Verb.CREATE,
            author_name="Citoyen",
            text="Question ?",
            permalink=f"https://www.facebook.com/{external_id}",
            **fields,
        ),
    )


def replied(item: Item, actor: User, text: str = "Merci pour votre question.") -> Decision:
    """A reply decision without the action the engine plans for it: each test puts on the list
    exactly the rows it is about (``on_list``)."""
    decision = decisions.item_reply(item=item, actor=actor, text=text).decision
    decision.platform_actions.all().delete()
    return decision


def on_list(
    decision: Decision, *, kind: str = "reply", state: str = State.MANUAL, **fields: object
) -> PlatformAction:
    channel = decision.item.channel
    # The test's own action in place of the one of this kind the decision planned.
    PlatformAction.objects.filter(decision=decision, kind=kind).delete()
    deadline: dict[str, object] = {**platform_to_do_fields(channel, timezone.now()), **fields}
    return PlatformAction.objects.create(
        institution_id=decision.institution_id, channel=channel, kind=kind, decision=decision,
        state=state, text=decision.reply_text, **deadline,
    )  # fmt: skip


@pytest.fixture
def channel(defence):  # type: ignore[no-untyped-def]
    return ChannelFactory(institution=defence, platform="facebook", name="Défense FB")


# --- the service ------------------------------------------------------------------------------


def test_marking_done_records_who_when_and_the_permalink(channel, defence_communicator) -> None:
    action = on_list(replied(arrive(channel), defence_communicator))
    with time_machine.travel(NOW, tick=False):
        done = action_mark_done(
            action=action, actor=defence_communicator, url=" https://facebook.com/c-1/r "
        )
    assert (done.state, done.done_by, done.done_at, done.url) == (
        State.DONE_BY_HAND, defence_communicator, NOW, "https://facebook.com/c-1/r",
    )  # fmt: skip


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.be/a", "pas une adresse"])
def test_a_permalink_that_is_not_an_http_address_is_refused(
    channel, defence_communicator, url: str
) -> None:
    action = on_list(replied(arrive(channel), defence_communicator))
    with pytest.raises(ToDoRefused, match="address"):
        action_mark_done(action=action, actor=defence_communicator, url=url)
    assert PlatformAction.objects.get(pk=action.pk).state == State.MANUAL


def test_a_stale_row_is_refused_naming_who_did_it(channel, defence, defence_communicator) -> None:
    other = member(defence, Role.COMMUNICATOR, full_name="Première Personne")
    action = on_list(replied(arrive(channel), defence_communicator))
    action_mark_done(action=action, actor=other)
    with pytest.raises(ToDoRefused, match="Première Personne already marked this done"):
        action_mark_done(action=action, actor=defence_communicator)


def test_a_row_carried_out_meanwhile_is_refused(channel, defence_communicator) -> None:
    action = on_list(replied(arrive(channel), defence_communicator), state=State.QUEUED)
    with pytest.raises(ToDoRefused, match="no longer on the list"):
        action_mark_done(action=action, actor=defence_communicator)


def test_two_people_marking_at_once_record_it_once(
    channel, defence, defence_communicator, transactional_db
) -> None:
    other = member(defence, Role.COMMUNICATOR)
    action = on_list(replied(arrive(channel), defence_communicator))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def mark(actor) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            action_mark_done(action=action, actor=actor)
            outcomes.append("done")
        except ToDoRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=mark, args=(who,)) for who in (defence_communicator, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done", "refused"]


def test_the_deadline_is_the_response_time_from_the_decision_and_at_least_an_hour(
    channel, defence_communicator
) -> None:
    with time_machine.travel(NOW, tick=False):
        decision = replied(arrive(channel), defence_communicator)
    action = on_list(decision)
    channel.response_hours = 24
    due, warning = action_to_do_deadline(action, NOW + timedelta(hours=2))
    assert due == NOW + timedelta(hours=24)
    assert warning == NOW + timedelta(hours=2) + (timedelta(hours=22) * 0.75)
    # refused for good two days later: the channel's time is gone, it still gets an hour.
    late, _warning = action_to_do_deadline(action, NOW + timedelta(days=2))
    assert late == NOW + timedelta(days=2, hours=1)
    channel.crisis_mode, channel.crisis_response_hours = True, 1
    assert platform_to_do_due_at(channel, NOW) == NOW + timedelta(hours=1)


def test_a_failed_action_goes_on_the_list_with_its_deadline(channel, defence_communicator) -> None:
    with time_machine.travel(NOW, tick=False):
        decision = replied(arrive(channel), defence_communicator)
        action = on_list(decision, state=State.QUEUED, due_at=None, warn_at=None)
        listed = action_put_on_list(action, state=State.FAILED, error="(#10) Permission denied")
    assert (listed.state, listed.last_error, listed.due_at) == (
        State.FAILED, "(#10) Permission denied", NOW + timedelta(hours=channel.response_hours),
    )  # fmt: skip
    with pytest.raises(ValueError, match="not a state of the to-do list"):
        action_put_on_list(action, state=State.QUEUED)


# --- the deadline source ----------------------------------------------------------------------


def test_a_waiting_action_warns_then_notifies_its_miss_exactly_once(
    channel, defence, defence_communicator, defence_admin
) -> None:
    with time_machine.travel(NOW, tick=False):
        action = on_list(replied(arrive(channel), defence_communicator))
    before = Notification.objects.count()
    assert action.warn_at is not None
    assert action.due_at is not None
    deadlines_check(action.warn_at + timedelta(seconds=1))
    deadlines_check(action.warn_at + timedelta(seconds=2))
    warnings = Notification.objects.filter(
        kind="deadline.warning", dedupe_key__contains="platform-to-do"
    )
    assert [n.recipient for n in warnings] == [defence_communicator]
    assert "/i/defence/platform-to-do/" in warnings[0].url
    deadlines_check(action.due_at + timedelta(seconds=1))
    deadlines_check(action.due_at + timedelta(minutes=5))
    breaches = Notification.objects.filter(
        kind="deadline.breach", dedupe_key__contains="platform-to-do"
    )
    assert {n.recipient for n in breaches} == {defence_communicator, defence_admin}
    assert Notification.objects.count() - before == 3


def test_an_action_done_in_time_is_never_notified(channel, defence_communicator) -> None:
    action = on_list(replied(arrive(channel), defence_communicator))
    action_mark_done(action=action, actor=defence_communicator)
    deadlines_check(action.due_at + timedelta(hours=1))
    assert not Notification.objects.filter(dedupe_key__contains="platform-to-do").exists()


def test_the_missed_deadlines_page_lists_the_missed_actions(
    client: Client, channel, defence_communicator, defence_admin
) -> None:
    on_list(
        replied(arrive(channel), defence_communicator), due_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(defence_admin)
    page = client.get("/i/defence/deadlines/missed/").content.decode()
    assert "1 action to do on the platform" in page


# --- the page ---------------------------------------------------------------------------------


def test_the_list_shows_what_to_do_oldest_deadline_first(
    client: Client, channel, defence, defence_communicator
) -> None:
    first = on_list(replied(arrive(channel, "c-1"), defence_communicator, "Réponse un"))
    second = on_list(
        replied(arrive(channel, "c-2"), defence_communicator, "Réponse deux"),
        due_at=first.due_at - timedelta(hours=3),
    )
    on_list(replied(arrive(channel, "c-3"), defence_communicator), state=State.DONE_BY_HAND)
    client.force_login(defence_communicator)
    page = client.get("/i/defence/platform-to-do/").content.decode()
    assert "2 actions wait." in page
    assert page.index("Réponse deux") < page.index("Réponse un")
    assert "readonly>Réponse deux</textarea>" in page  # the text to copy without JavaScript
    assert f'data-copy="to-do-{second.pk}-text"' in page
    assert "https://www.facebook.com/c-1" in page  # the original
    assert "Post this reply under the original" in page


def test_the_list_filters_by_channel_and_kind_and_pages(
    client: Client, channel, defence, defence_communicator
) -> None:
    other = ChannelFactory(institution=defence, platform="youtube", name="Défense YT")
    for n in range(27):
        on_list(replied(arrive(channel, f"fb-{n}"), defence_communicator, f"Texte {n}"))
    hidden = arrive(other, "yt-1")
    on_list(Decision.objects.create(
        institution=defence, item=hidden, actor=defence_communicator, action="no_action",
    ), kind="hide")  # fmt: skip
    client.force_login(defence_communicator)
    assert "28 actions wait." in client.get("/i/defence/platform-to-do/").content.decode()
    page = client.get(f"/i/defence/platform-to-do/?channel={other.pk}").content.decode()
    assert "1 action waits." in page
    assert "Hide the original" in page
    assert "1 action waits." in client.get("/i/defence/platform-to-do/?kind=hide").content.decode()
    second = client.get("/i/defence/platform-to-do/?kind=reply&page=2").content.decode()
    assert "Page 2 of 2" in second
    assert client.get("/i/defence/platform-to-do/?kind=nonsense").status_code == 200


def test_the_done_form_records_it_and_comes_back_to_the_same_filters(
    client: Client, channel, defence_communicator
) -> None:
    action = on_list(replied(arrive(channel), defence_communicator))
    client.force_login(defence_communicator)
    answer = client.post(
        f"/i/defence/platform-to-do/{action.pk}/done/",
        {"url": "https://www.facebook.com/c-1?reply=9", "filters": "kind=reply&evil=1"},
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/i/defence/platform-to-do/?kind=reply"
    assert PlatformAction.objects.get(pk=action.pk).state == State.DONE_BY_HAND
    again = client.post(f"/i/defence/platform-to-do/{action.pk}/done/", follow=True)
    assert "already marked this done" in again.content.decode()
    refused = client.post(
        f"/i/defence/platform-to-do/{action.pk}/done/", {"url": "nope"}, follow=True
    )
    assert "starting with https://" in refused.content.decode()


def test_a_bad_permalink_is_refused_with_a_message(
    client: Client, channel, defence_communicator
) -> None:
    action = on_list(replied(arrive(channel), defence_communicator))
    client.force_login(defence_communicator)
    page = client.post(
        f"/i/defence/platform-to-do/{action.pk}/done/", {"url": "javascript:alert(1)"}, follow=True
    ).content.decode()
    assert "starting with https://" in page
    assert PlatformAction.objects.get(pk=action.pk).state == State.MANUAL


def test_the_platform_answer_is_for_admins_only(
    client: Client, channel, defence, defence_communicator, defence_admin
) -> None:
    on_list(
        replied(arrive(channel), defence_communicator),
        state=State.FAILED, last_error="(#200) Requires pages_manage_engagement",
    )  # fmt: skip
    client.force_login(defence_communicator)
    page = client.get("/i/defence/platform-to-do/").content.decode()
    assert "pages_manage_engagement" not in page
    assert "an administrator can see its answer" in page
    client.force_login(defence_admin)
    assert "pages_manage_engagement" in client.get("/i/defence/platform-to-do/").content.decode()


def test_another_institution_neither_sees_nor_marks_the_rows(
    client: Client, channel, defence_communicator, police_communicator
) -> None:
    action = on_list(replied(arrive(channel), defence_communicator))
    client.force_login(police_communicator)
    assert client.get("/i/defence/platform-to-do/").status_code == 404
    assert client.post(f"/i/federal-police/platform-to-do/{action.pk}/done/").status_code == 404
    assert client.get("/i/federal-police/platform-to-do/").content.decode().count("to-do-") == 0
    assert PlatformAction.objects.get(pk=action.pk).state == State.MANUAL


def test_the_list_costs_the_same_queries_for_3_and_25_rows(
    client: Client, channel, defence_communicator, django_assert_max_num_queries
) -> None:
    for n in range(3):
        on_list(replied(arrive(channel, f"a-{n}"), defence_communicator))
    client.force_login(defence_communicator)
    client.get("/i/defence/platform-to-do/")
    with django_assert_max_num_queries(20) as small:
        client.get("/i/defence/platform-to-do/")
    for n in range(22):
        on_list(replied(arrive(channel, f"b-{n}"), defence_communicator))
    with django_assert_max_num_queries(20) as large:
        client.get("/i/defence/platform-to-do/")
    assert len(small.captured_queries) == len(large.captured_queries)


# --- the item page and the queue --------------------------------------------------------------


def test_the_item_page_shows_each_step_and_the_error_to_admins_only(
    client: Client, channel, defence, defence_communicator
) -> None:
    item = arrive(channel)
    decision = replied(item, defence_communicator)
    on_list(
        decision, state=State.VERIFIED, executed_at=NOW, verified_at=NOW + timedelta(minutes=1),
        kind="reply",
    )  # fmt: skip
    on_list(decision, kind="delete", state=State.FAILED, last_error="(#100) Unsupported delete")
    client.force_login(defence_communicator)
    page = client.get(f"/i/defence/queue/items/{item.pk}/").content.decode()
    assert "Carried out on the platform and verified" in page
    assert "Refused by the platform: to do by hand" in page
    assert "Unsupported delete" not in page
    assert f"/i/defence/platform-to-do/?channel={channel.pk}" in page
    both = member(defence, Role.COMMUNICATOR, Role.INSTITUTION_ADMIN)
    enrol_totp(both)
    client.force_login(both)
    assert "Unsupported delete" in client.get(f"/i/defence/queue/items/{item.pk}/").content.decode()


def test_the_queue_filters_items_whose_decision_is_not_carried_out(
    client: Client, channel, defence_communicator, django_assert_max_num_queries
) -> None:
    waiting = arrive(channel, "waiting")
    on_list(replied(waiting, defence_communicator), state=State.QUEUED)
    failed = arrive(channel, "failed")
    on_list(replied(failed, defence_communicator), state=State.FAILED)
    done = arrive(channel, "done")
    on_list(replied(done, defence_communicator), state=State.DONE_BY_HAND)
    verified = arrive(channel, "verified")
    on_list(replied(verified, defence_communicator), state=State.VERIFIED)
    arrive(channel, "untouched")
    client.force_login(defence_communicator)
    url = "/i/defence/queue/?status=&not_executed=on"
    client.get(url)
    with django_assert_max_num_queries(12) as filtered:
        page = client.get(url).content.decode()
    shown = {item.external_id for item in Item.objects.all() if f"/items/{item.pk}/" in page}
    assert shown == {"waiting", "failed"}
    with django_assert_max_num_queries(12) as plain:
        client.get("/i/defence/queue/?status=")
    assert len(filtered.captured_queries) == len(plain.captured_queries)


# --- SLA and the reply after an escalation ----------------------------------------------------


def test_a_reply_counts_for_the_sla_when_posted_not_when_typed(
    channel, defence, defence_communicator
) -> None:
    with time_machine.travel(NOW, tick=False):
        item = arrive(channel)
        decision = replied(item, defence_communicator)  # typed at once
    action = on_list(decision)
    items = Item.objects.filter(pk=item.pk)
    after_due = item.due_at + timedelta(hours=1)
    sla = sla_by(items, after_due, "institution_id")[defence.pk]
    assert (sla.met, sla.answered_late, sla.unanswered_late) == (0, 0, 1)  # not posted
    with time_machine.travel(after_due, tick=False):
        action_mark_done(action=action, actor=defence_communicator)
    sla = sla_by(items, after_due, "institution_id")[defence.pk]
    assert (sla.met, sla.answered_late, sla.unanswered_late) == (0, 1, 0)  # posted late
    assert Item.objects.get(pk=item.pk).sla_answered_at == after_due


def test_a_hide_counts_when_decided_and_an_escalation_does_not_answer(
    channel, defence, defence_communicator
) -> None:
    with time_machine.travel(NOW, tick=False):
        hidden = arrive(channel, "hidden")
        decisions.item_no_action(item=hidden, actor=defence_communicator)
        escalated = arrive(channel, "escalated")
        decisions.item_escalate(
            item=escalated, actor=defence_communicator, category=builtin(), subject="Plainte"
        )
    later = NOW + timedelta(days=2)
    figures = sla_by(Item.objects.filter(channel=channel), later, "external_id")
    assert (figures["hidden"].met, figures["escalated"].unanswered_late) == (1, 1)


def test_an_escalated_item_still_takes_its_public_reply_once(
    client: Client, channel, defence_communicator
) -> None:
    item = arrive(channel)
    decisions.item_escalate(
        item=item, actor=defence_communicator, category=builtin(), subject="Plainte"
    )
    client.force_login(defence_communicator)
    page = client.get(f"/i/defence/queue/items/{item.pk}/").content.decode()
    assert 'id="reply-text"' in page
    assert "still owes its public answer" in page
    answer = client.post(
        f"/i/defence/queue/items/{item.pk}/reply/", {"text": "Votre plainte est transmise."}
    )
    assert answer.status_code == 302
    item.refresh_from_db()
    assert item.status == "escalated"
    assert Decision.objects.filter(item=item, action="reply").count() == 1
    assert (
        'id="reply-text"' not in client.get(f"/i/defence/queue/items/{item.pk}/").content.decode()
    )
    with pytest.raises(DecisionRefused, match="already recorded"):
        decisions.item_reply(item=item, actor=defence_communicator, text="Encore")


def test_a_closed_item_takes_no_reply(channel, defence_communicator) -> None:
    item = arrive(channel)
    decisions.item_no_action(item=item, actor=defence_communicator)
    with pytest.raises(DecisionRefused, match="already handled"):
        decisions.item_reply(
            item=Item.objects.get(pk=item.pk), actor=defence_communicator, text="x"
        )


def test_a_publish_marked_done_publishes_the_post(channel, defence, defence_communicator) -> None:
    post = Post.objects.create(
        institution=defence, channel=channel, title="Journée portes ouvertes",
        planned_at=NOW, author=defence_communicator, state=PostState.APPROVED,
    )  # fmt: skip
    action = PlatformAction.objects.create(
        institution=defence, channel=channel, kind="publish", post=post, state=State.MANUAL
    )
    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):
        action_mark_done(action=action, actor=defence_communicator, url="https://fb.com/p/1")
    post.refresh_from_db()
    assert (post.state, post.published_url, post.published_at) == (
        PostState.PUBLISHED, "https://fb.com/p/1", NOW + timedelta(minutes=3),
    )  # fmt: skip
    last = post.transitions.order_by("-created_at", "-pk").first()
    assert (last.kind, last.actor) == ("published", defence_communicator)


def test_the_migration_gives_answered_items_their_sla_time(
    channel, defence, defence_communicator
) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("moderation.migrations.0018_platform_to_do_sla_h5")
    with time_machine.travel(NOW, tick=False):
        hidden = arrive(channel, "hidden")
        decisions.item_no_action(item=hidden, actor=defence_communicator)
        posted = arrive(channel, "posted")
        on_list(replied(posted, defence_communicator), state=State.DONE_BY_HAND, done_at=NOW)
        typed = arrive(channel, "typed")
        on_list(replied(typed, defence_communicator))
    Item.objects.update(sla_answered_at=None)
    migration.backfill_sla_answered_at(apps, None)
    answered = dict(Item.objects.values_list("external_id", "sla_answered_at"))
    assert answered == {"hidden": NOW, "posted": NOW, "typed": None}
