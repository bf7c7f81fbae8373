"""Item 12: the institution's social and crisis response times are the defaults of new
channels, and apply to existing channels when the admin asks (recorded in each history)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.tests.factories import settings_form_data
from channels.connectors.base import ItemEvent, Verb
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db
URL = "/i/defence/settings/"


def settings_data(institution, **changes) -> dict[str, object]:
    return settings_form_data(institution, **changes)


@pytest.fixture
def channels(defence, police):
    following = ChannelFactory(institution=defence, name="Follows", response_hours=24)
    own = ChannelFactory(institution=defence, name="Own time", response_hours=4)
    foreign = ChannelFactory(institution=police, name="Police", response_hours=24)
    return following, own, foreign


def test_the_settings_page_says_what_the_response_times_change(
    client: Client, defence_admin
) -> None:
    client.force_login(defence_admin)
    page = client.get(URL).content.decode()
    assert "Response times apply to items and complaints received from now on." not in page
    assert "The social media and crisis response times are those of new channels" in page
    assert "Also apply the response times to existing channels" in page


def test_applying_new_times_updates_the_channels_that_used_the_old_ones(
    client: Client, defence, defence_admin, channels
) -> None:
    following, own, foreign = channels
    client.force_login(defence_admin)
    response = client.post(
        URL,
        settings_data(
            defence, social_response_hours=12, crisis_response_hours=2, apply_to_channels="on"
        ),
        follow=True,
    )
    assert "2 channels now use the new response times." in response.content.decode()
    following.refresh_from_db()
    own.refresh_from_db()
    foreign.refresh_from_db()
    assert (following.response_hours, following.crisis_response_hours) == (12, 2)
    assert (own.response_hours, own.crisis_response_hours) == (4, 2)  # its own time kept
    assert foreign.response_hours == 24  # another institution: untouched
    record = following.history.latest()
    assert record.history_user == defence_admin
    assert record.history_change_reason == "Response times of the institution settings applied."
    assert own.history.latest().history_change_reason.startswith("Response times")
    assert defence.history.latest().history_change_reason == (
        "Response times applied to 2 existing channels."
    )
    # A new item on the channel is now due within the new time.
    item = item_apply_event(
        channel=Channel.objects.get(pk=following.pk),
        event=ItemEvent(external_id="n1", verb=Verb.CREATE, text="Vraag"),
    )
    assert (item.due_at - item.received_at).total_seconds() == 12 * 3600


def test_without_the_box_existing_channels_keep_their_times(
    client: Client, defence, defence_admin, channels
) -> None:
    following, _, _ = channels
    client.force_login(defence_admin)
    response = client.post(URL, settings_data(defence, social_response_hours=12), follow=True)
    assert "Settings saved." in response.content.decode()
    following.refresh_from_db()
    assert following.response_hours == 24
    defence.refresh_from_db()
    assert defence.social_response_hours == 12
    # ... and a new channel's form proposes the new time.
    form = client.get("/i/defence/channels/new/").content.decode()
    assert re.search(r'name="response_hours" value="12"|value="12"[^>]*name="response_hours"', form)
