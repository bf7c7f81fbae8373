"""The queue's rows, drawn in Python (moderation/templatetags/queue_rows.py), and the filter
form's cached HTML: what people and scripts read in them stays true."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from moderation.models import Item, ItemStatus
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db
QUEUE = "/i/defence/queue/"


def arrive(channel, external_id: str, **fields) -> Item:
    now = timezone.now()
    return item_apply_event(
        channel=channel,
        event=ItemEvent(external_id=external_id, verb=Verb.CREATE, occurred_at=now, **fields),
        now=now - timedelta(minutes=5),
    )


def row_of(page: str, item: Item) -> str:
    start = page.index('<li class="queue-row')
    start = page.index(f'id="queue-row-{item.pk}"', start)
    return page[page.rindex("<li", 0, start) : page.index("</li>", start)]


def test_a_row_escapes_what_the_platform_sent_and_links_the_item_with_the_filters(
    client: Client, defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence, name="Défense <FR>")
    item = arrive(
        channel,
        "x-1",
        author_name='<img src=x onerror="alert(1)">',
        text="<script>alert('x')</script> " + "long " * 60,
        language="nl",
    )
    client.force_login(defence_communicator)
    page = client.get(QUEUE, {"status": "open", "language": "nl"}).content.decode()
    row = row_of(page, item)
    assert "<script>" not in row
    assert "<img src=x" not in row
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in row
    assert "Défense &lt;FR&gt;" in row
    assert f'href="/i/defence/queue/items/{item.pk}/?queue=status%3Dopen%26language%3Dnl"' in row
    excerpt = re.search(r'data-item-link href="[^"]+">([^<]*)</a>', row).group(1)
    assert excerpt.endswith("…")
    assert len(html.unescape(excerpt)) == 140
    assert "<span data-language>NL</span>" in row
    assert 'data-urgency="ok"' in row
    assert "is-handled" not in row
    assert "unassigned" in row


def test_a_handled_row_says_its_status_and_a_watched_one_its_terms(
    client: Client, defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence)
    item = arrive(channel, "x-2", author_name="", author_handle="@someone", text="")
    Item.objects.filter(pk=item.pk).update(
        status=ItemStatus.NO_ACTION,
        keyword_hits=[{"term_id": 1, "term": "bombe", "urgent": True}],
        assigned_to=defence_communicator,
    )
    client.force_login(defence_communicator)
    page = client.get(QUEUE, {"status": "no_action"}).content.decode()
    row = row_of(page, item)
    assert "is-handled" in row
    assert "data-status>No action needed<" in row
    assert '<span class="badge text-bg-danger">bombe</span>' in row
    assert "@someone" in row
    assert "(no text)" in row
    assert f"assigned to {defence_communicator}" in row


def test_rows_are_in_the_language_of_the_person(client: Client, defence, defence_communicator):
    channel = ChannelFactory(institution=defence)
    item = arrive(channel, "x-3", text="Bonjour")
    defence_communicator.preferred_language = "nl"
    defence_communicator.save()
    client.force_login(defence_communicator)
    row = row_of(client.get(QUEUE).content.decode(), item)
    assert "niet toegewezen" in row or "Niet toegewezen" in row


def test_the_cached_filter_form_follows_the_query_the_language_and_the_channels(
    client: Client, defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence, name="First name")
    arrive(channel, "x-4", text="Bonjour")
    client.force_login(defence_communicator)
    page = client.get(QUEUE).content.decode()
    assert ">First name</option>" in page
    assert '<option value="open" selected>' in page
    page = client.get(QUEUE, {"status": "answered"}).content.decode()
    assert '<option value="answered" selected>' in page
    channel.name = "Renamed"
    channel.save()
    page = client.get(QUEUE, {"status": "answered"}).content.decode()
    assert ">Renamed</option>" in page
    assert ">First name</option>" not in page
    page = client.get(QUEUE, {"due_within": "abc"}).content.decode()
    assert "is-invalid" in page  # an error in the form is shown, not a cached clean form
    defence_communicator.preferred_language = "fr"
    defence_communicator.save()
    assert "Tous les statuts" in client.get(QUEUE).content.decode()
