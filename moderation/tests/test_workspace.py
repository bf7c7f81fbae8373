"""The moderation workspace: the item beside the queue through htmx (the panel alone, never a
whole page, for no more queries than the page), the list for an item page opened directly, a
confirmation for every decision with the focus marked, "… and next" from every decision form,
and an action bar offering only what the moderator may do."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import urlencode as query

from accounts.models import Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from charter.models import CharterRule
from charter.tests.factories import published_charter
from complaints.services.evidence import ADVICE_STEPS, REFERRAL_TARGETS
from complaints.tests.factories import builtin
from moderation.filters import ItemFilter
from moderation.models import Item, ItemStatus, SavedReply
from moderation.services import decisions
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db
BASE = "/i/defence/queue/items/"
PANEL = {"HX-Request": "true", "HX-Target": "item-panel"}
LIST = {"HX-Request": "true", "HX-Target": "workspace-list"}


@pytest.fixture(autouse=True)
def _categories(db: None) -> None:
    builtin()  # the built-in complaint categories, which escalation offers


@pytest.fixture
def channel(defence):
    return ChannelFactory(institution=defence)


@pytest.fixture
def rule(defence, defence_admin) -> CharterRule:
    published_charter(defence, defence_admin)
    return CharterRule.objects.get(version__status="published", number=2)


def arrive(channel, name: str, language: str = "fr", minutes_ago: int = 30) -> Item:
    now = timezone.now()
    return item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id=name, verb=Verb.CREATE, text=f"Text of {name}", language=language,
            author_name=f"Author {name}", occurred_at=now - timedelta(minutes=minutes_ago),
        ),
        now=now - timedelta(minutes=minutes_ago),
    )  # fmt: skip


def queries(client: Client, url: str, headers: dict[str, str] | None = None) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    return response.content.decode(), len(captured.captured_queries)


def messages_region(page: str) -> str:
    return page[page.index('id="workspace-messages"') :].split("</div>\n  </div>")[0]


def in_queue(item: Item, queue: str) -> str:
    return f"{BASE}{item.pk}/?" + urlencode({"queue": queue})


# The panel and the list: regions, not pages, and no dearer than the page.


def test_the_item_panel_is_the_item_alone_for_no_more_queries_than_the_page(
    client: Client, channel, rule, defence_communicator
) -> None:
    item = arrive(channel, "fr-1")
    client.force_login(defence_communicator)
    client.get(f"{BASE}{item.pk}/")  # warm the session
    page, page_queries = queries(client, f"{BASE}{item.pk}/")
    panel, panel_queries = queries(client, f"{BASE}{item.pk}/", PANEL)
    assert "<html" in page
    assert "<html" not in panel
    assert "<title>Author fr-1 · " in panel  # htmx sets the tab's title from it
    assert f'data-item-view data-item-id="{item.pk}"' in panel
    assert 'id="workspace-messages" class="workspace-messages" role="status" hx-swap-oob' in panel
    # The shell's reads (the unread badge, the charter banner) come from the cache since issue
    # 21: the panel costs no more than the page, never more.
    assert panel_queries <= page_queries
    assert page_queries <= 21  # as before the workspace: the page runs no query of its own


def test_panel_and_page_are_told_apart_by_caches(client: Client, channel, defence_communicator):
    item = arrive(channel, "fr-1")
    client.force_login(defence_communicator)
    for headers in ({}, PANEL):
        response = client.get(f"{BASE}{item.pk}/", headers=headers)
        assert {"HX-Request", "HX-Target"} <= set(re.split(r",\s*", response["Vary"]))


def test_a_history_restore_gets_the_whole_page(client: Client, channel, defence_communicator):
    item = arrive(channel, "fr-1")
    client.force_login(defence_communicator)
    response = client.get(
        f"{BASE}{item.pk}/", headers={**PANEL, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_the_list_for_an_item_page_is_the_list_alone_for_no_more_queries(
    client: Client, channel, defence_communicator
) -> None:
    for n in range(5):
        arrive(channel, f"fr-{n}", minutes_ago=50 - n)
    client.force_login(defence_communicator)
    client.get("/i/defence/queue/")
    page, page_queries = queries(client, "/i/defence/queue/?status=open&language=fr")
    fragment, fragment_queries = queries(client, "/i/defence/queue/?status=open&language=fr", LIST)
    assert "<html" not in fragment
    assert fragment.count('<li class="queue-row') == page.count('<li class="queue-row') == 5
    assert fragment_queries <= page_queries <= 10  # the queue page's count before the workspace


def test_the_queue_links_and_forms_work_from_an_item_page(
    client: Client, channel, defence_communicator
) -> None:
    """The list shown beside an item page keeps its links on the queue's URL."""
    arrive(channel, "fr-1")
    client.force_login(defence_communicator)
    fragment = client.get("/i/defence/queue/?language=fr", headers=LIST).content.decode()
    assert 'action="/i/defence/queue/"' in fragment  # the filter form
    assert 'action="/i/defence/queue/bulk/"' in fragment


# The phone: filters behind one button with their count, items as cards.


def test_the_filters_sit_behind_one_button_showing_how_many_are_active(
    client: Client, channel, defence_communicator
) -> None:
    arrive(channel, "nl-1", "nl")
    client.force_login(defence_communicator)
    page = client.get("/i/defence/queue/?status=open&language=nl&assigned=unassigned")
    page = page.content.decode()
    summary = page[page.index('<details class="queue-filters"') :].split("</summary>")[0]
    assert '<details class="queue-filters">' in summary  # collapsed
    assert "3 active" in summary
    assert "Status: Open · Language: Dutch · Assigned: Unassigned" in page
    assert "<table" not in page
    assert page.count('<li class="queue-row') == 1
    broken = client.get("/i/defence/queue/?due_within=abc").content.decode()
    assert '<details class="queue-filters" open>' in broken  # the error is in view


def test_active_filters_read_as_people_read_them(defence, channel) -> None:
    filters = ItemFilter(
        {"status": "answered", "channel": str(channel.pk), "due_within": "4", "breached": "on"},
        queryset=Item.objects.none(),
        channels=[channel],
        user=None,
    )
    assert filters.active() == [
        "Status: Answered",
        f"Channel: {channel.name}",
        "Due within (hours): 4",
        "Only past their deadline",
    ]
    assert ItemFilter({"due_within": "x"}, channels=[], user=None).active() == []


# Every decision: its confirmation, the focus, the decided item's row; the same item stays.

DECISIONS = [
    ("reply", {"text": "Bonjour !"}, "The reply was recorded.", "Answered"),
    ("hide", {"reasons": "Insultes."}, "The item was hidden.", "Hidden"),
    ("remove", {"reasons": "Spam."}, "The item was removed.", "Removed"),
    ("no-action", {}, "Recorded: no action needed.", "No action needed"),
    ("escalate", {"subject": "Plainte"}, "A complaint was opened for the complaints service.",
     "Escalated to a complaint"),
    ("harassment", {"referral_person": "Marie", "advice": list(ADVICE_STEPS)[:2]},
     "The item was preserved as evidence (SHA-256 recorded).", None),
    ("assign-me", {}, "The item is assigned to you.", None),
    ("assign", {"assignee": ""}, "The item is assigned to nobody.", None),
]  # fmt: skip


@pytest.mark.parametrize(("action", "data", "message", "status"), DECISIONS)
def test_in_the_panel_every_decision_confirms_and_focuses_the_confirmation(
    client: Client, channel, rule, defence_communicator, action, data, message, status
) -> None:
    item = arrive(channel, "fr-1")
    arrive(channel, "fr-2", minutes_ago=20)
    extra = {
        "rule": rule.pk,
        "category": builtin().pk,
        "referral_target": next(iter(REFERRAL_TARGETS)),
    }
    client.force_login(defence_communicator)
    response = client.post(
        f"{BASE}{item.pk}/{action}/", {**extra, **data, "queue": "status=open"}, headers=PANEL
    )
    assert response.status_code == 200
    assert "HX-Push-Url" not in response  # the same item stays
    page = response.content.decode()
    assert "<html" not in page
    assert f'data-item-view data-item-id="{item.pk}"' in page
    region = messages_region(page)
    assert f'tabindex="-1" data-autofocus>{message}</div>' in region
    assert 'id="item-heading" tabindex="-1">' in page  # the heading is not the focus target
    row = page[page.index(f'<template data-queue-row="{item.pk}">') :].split("</template>")[0]
    assert f'id="queue-row-{item.pk}"' in row
    if status:
        assert f"data-status>{status}</span>" in row
        assert "is-handled" in row


def test_a_decision_without_javascript_focuses_its_confirmation_on_the_item_page(
    client: Client, channel, defence_communicator
) -> None:
    item = arrive(channel, "fr-1")
    client.force_login(defence_communicator)
    response = client.post(f"{BASE}{item.pk}/no-action/", {"queue": "status=open"}, follow=True)
    page = response.content.decode()
    assert "data-autofocus>Recorded: no action needed.</div>" in messages_region(page)
    assert '<div class="messages">' not in page  # shown once, beside the item


# "… and next": from every decision form, to the next item's heading, in the panel too.


def test_every_decision_form_offers_its_and_next(
    client: Client, channel, rule, defence_communicator
):
    item = arrive(channel, "fr-1")
    client.force_login(defence_communicator)
    page = client.get(f"{BASE}{item.pk}/").content.decode()
    nexts = re.findall(r'<button class="[^"]*" name="then" value="next">([^<]+)</button>', page)
    assert nexts == [
        "Reply and next", "Hide and next", "Remove and next", "No action and next",
        "Escalate and next", "Preserve and next", "Assign and next",
    ]  # fmt: skip


def test_and_next_in_the_panel_opens_the_next_item_with_its_heading_focused(
    client: Client, channel, defence_communicator
) -> None:
    first = arrive(channel, "nl-1", "nl", 50)
    arrive(channel, "fr-1", "fr", 40)  # not in this queue
    second = arrive(channel, "nl-2", "nl", 30)
    client.force_login(defence_communicator)
    queue = "status=open&language=nl"
    response = client.post(
        f"{BASE}{first.pk}/reply/",
        {"text": "Dag Sofie", "then": "next", "queue": queue},
        headers=PANEL,
    )
    assert response.status_code == 200
    assert response["HX-Push-Url"] == in_queue(second, queue)
    page = response.content.decode()
    assert f'data-item-view data-item-id="{second.pk}"' in page
    assert (
        'id="item-heading" tabindex="-1" data-autofocus aria-describedby="workspace-messages"'
        in page
    )
    region = messages_region(page)
    assert ">The reply was recorded.</div>" in region
    assert "data-autofocus" not in region
    assert f'<template data-queue-row="{first.pk}">' in page  # the decided row, answered
    assert f'value="{queue.replace("&", "&amp;")}"' in page  # the next item keeps the queue
    assert Item.objects.get(pk=first.pk).status == ItemStatus.ANSWERED


def test_and_next_in_the_panel_shows_that_a_complaint_was_opened_from_the_next_item(
    client: Client, channel, defence_communicator, defence_officer
) -> None:
    """The next item was read as the queue reads items, without the item page's markers: the
    panel said nothing of the complaint opened from it (the item page itself did)."""
    from complaints.services import cases
    from moderation.social_items import social_item

    first = arrive(channel, "fr-1", minutes_ago=50)
    second = arrive(channel, "fr-2", minutes_ago=40)
    cases.case_open_from_item(
        item=social_item(second), actor=defence_officer, category=builtin(), subject="Rita"
    )
    client.force_login(defence_communicator)
    response = client.post(
        f"{BASE}{first.pk}/no-action/", {"then": "next", "queue": "status=open"}, headers=PANEL
    )
    page = response.content.decode()
    assert f'data-item-view data-item-id="{second.pk}"' in page
    assert "A complaint was opened from this item on" in page


def test_and_next_in_the_panel_with_none_left_empties_the_panel(
    client: Client, channel, defence_communicator
) -> None:
    last = arrive(channel, "nl-1", "nl")
    client.force_login(defence_communicator)
    response = client.post(
        f"{BASE}{last.pk}/no-action/",
        {"then": "next", "queue": "status=open&language=nl"},
        headers=PANEL,
    )
    assert response.status_code == 200
    assert response["HX-Push-Url"] == "/i/defence/queue/?status=open&language=nl"
    page = response.content.decode()
    assert "data-item-view" not in page
    assert "data-panel-empty" in page
    region = messages_region(page)
    assert "data-autofocus>Recorded: no action needed.</div>" in region
    assert ">No item left after this one in the queue.</div>" in region
    assert f'<template data-queue-row="{last.pk}">' in page


def test_and_next_without_javascript_focuses_the_next_items_heading(
    client: Client, channel, defence_communicator
) -> None:
    first = arrive(channel, "fr-1", minutes_ago=50)
    second = arrive(channel, "fr-2", minutes_ago=40)
    client.force_login(defence_communicator)
    response = client.post(
        f"{BASE}{first.pk}/no-action/", {"then": "next", "queue": "status=open"}, follow=True
    )
    assert response.redirect_chain == [(in_queue(second, "status=open"), 302)]
    page = response.content.decode()
    assert 'id="item-heading" tabindex="-1" data-autofocus' in page
    assert "data-autofocus>" not in messages_region(page)
    assert ">Recorded: no action needed.</div>" in messages_region(page)


# A refusal: the reason focused, the refused form first, with what was typed.


def test_a_refused_decision_in_the_panel_keeps_what_was_typed(
    client: Client, channel, rule, defence_communicator
) -> None:
    item = arrive(channel, "fr-1")
    client.force_login(defence_communicator)
    response = client.post(
        f"{BASE}{item.pk}/remove/",
        {"rule": "999999", "reasons": "Publicité répétée.", "queue": "status=open"},
        headers=PANEL,
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "data-autofocus>Cite the rule of the house rules" in messages_region(page)
    assert 'id="action-remove" tabindex="-1" data-default' in page  # the refused form first
    assert 'id="action-reply" tabindex="-1">' in page
    assert 'value="Publicité répétée."' in page


def test_a_decision_someone_took_first_shows_the_item_as_they_left_it(
    client: Client, channel, rule, defence_communicator
) -> None:
    item = arrive(channel, "fr-1")
    decisions.item_no_action(item=item, actor=member(channel.institution, Role.COMMUNICATOR))
    client.force_login(defence_communicator)
    response = client.post(
        f"{BASE}{item.pk}/reply/", {"text": "Bonjour", "queue": "status=open"}, headers=PANEL
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "already handled this item" in messages_region(page)
    assert tabs(page) == ["reopen", "harassment", "assign"]
    assert 'id="action-reopen" tabindex="-1" data-default' in page


def test_a_refused_harassment_keeps_the_advice_ticked(
    client: Client, channel, defence_communicator
):
    item = arrive(channel, "fr-1")
    ticked = list(ADVICE_STEPS)[1]
    client.force_login(defence_communicator)
    response = client.post(
        f"{BASE}{item.pk}/harassment/",
        {"advice": [ticked], "referral_target": "", "referral_person": "Marie"},
        headers=PANEL,
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="advice-{ticked}" checked>' in page
    assert page.count(" checked>") == 1
    assert 'value="Marie"' in page


# The action bar offers only what the moderator may do here.


def tabs(page: str) -> list[str]:
    return re.findall(r'<li><a href="#action-([a-z-]+)" data-tab>', page)


def test_the_action_bar_offers_the_answers_of_an_open_item_reply_first(
    client: Client, channel, rule, defence_communicator
) -> None:
    item = arrive(channel, "fr-1")
    client.force_login(defence_communicator)
    page = client.get(f"{BASE}{item.pk}/").content.decode()
    assert tabs(page) == [
        "reply", "hide", "remove", "no-action", "escalate", "harassment", "assign",
    ]  # fmt: skip
    assert 'id="action-reply" tabindex="-1" data-default' in page
    assert 'data-shortcut="a"' in page  # assign to me: not assigned to them


def test_an_answered_item_offers_reopening_and_no_answer(
    client: Client, channel, rule, defence_communicator
) -> None:
    item = arrive(channel, "fr-1")
    decisions.item_assign(item=item, actor=defence_communicator, assignee=defence_communicator)
    decisions.item_no_action(item=item, actor=defence_communicator)
    client.force_login(defence_communicator)
    page = client.get(f"{BASE}{item.pk}/").content.decode()
    assert tabs(page) == ["reopen", "harassment", "assign"]
    assert 'id="action-reopen" tabindex="-1" data-default' in page
    assert 'id="reply-text"' not in page
    assert 'data-shortcut="a"' not in page  # already theirs


def test_without_house_rules_hiding_and_removing_are_not_offered(
    client: Client, channel, defence_communicator
) -> None:
    item = arrive(channel, "fr-1")
    client.force_login(defence_communicator)
    page = client.get(f"{BASE}{item.pk}/").content.decode()
    assert tabs(page) == ["reply", "no-action", "escalate", "harassment", "assign"]
    assert "none allows the missing action yet" in page


def test_a_saved_reply_used_in_the_panel_focuses_the_filled_box(
    client: Client, channel, defence, defence_communicator
) -> None:
    item = arrive(channel, "fr-1")
    saved = SavedReply.objects.create(
        institution=defence, language="fr", title="Merci", text="Merci {author}."
    )
    client.force_login(defence_communicator)
    page = client.get(
        f"{BASE}{item.pk}/?" + query({"queue": "status=open", "saved": saved.pk}), headers=PANEL
    ).content.decode()
    assert "data-autofocus>Merci Author fr-1.</textarea>" in page
