"""Channel screens: every member sees the list; admins edit; secrets are never shown back."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.models import Channel, PollState
from channels.tests.factories import TEST_SECRET, ChannelFactory
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db


def test_members_see_channels_with_platform_and_open_item_count(
    client: Client, defence, defence_communicator, police
) -> None:
    channel = ChannelFactory(institution=defence, name="Belgian Defence", platform="youtube")
    ChannelFactory(institution=police, name="CANARY-POLICE-7f3a")
    for n in range(3):
        item_apply_event(channel=channel, event=ItemEvent(external_id=f"i{n}", verb=Verb.CREATE))
    client.force_login(defence_communicator)
    page = client.get("/i/defence/channels/").content.decode()
    assert "Belgian Defence" in page
    assert "#youtube" in page
    assert "<td>3</td>" in page
    assert "CANARY-POLICE-7f3a" not in page


def form(**overrides: object) -> dict[str, object]:
    data = {
        "platform": "facebook",
        "name": "Diplomatie.Belgium",
        "handle": "diplomatie",
        "url": "https://www.facebook.com/diplomatie.belgium",
        "audience": "public",
        "languages": ["fr", "nl"],
        "purpose": "Consular information",
        "response_hours": "24",
        "crisis_response_hours": "1",
        "is_active": "on",
        "signing_secret": "s3cret-value-123",
        "verify_token": "verify-me-please",
    }
    return {**data, **overrides}


def test_admin_creates_a_channel_and_the_secret_is_stored_encrypted(
    client: Client, defence, defence_admin, defence_communicator
) -> None:
    client.force_login(defence_admin)
    response = client.post("/i/defence/channels/new/", form(moderators=[defence_communicator.pk]))
    assert response.status_code == 302
    channel = Channel.objects.get(name="Diplomatie.Belgium")
    assert channel.signing_secret == "s3cret-value-123"
    assert "s3cret-value-123" not in channel.signing_secret_encrypted
    assert list(channel.moderators.all()) == [defence_communicator]
    page = client.get(response.url).content.decode()
    assert "s3cret-value-123" not in page
    assert "••••••••23" in page
    assert str(channel.webhook_id) in page


def test_a_blank_secret_keeps_the_stored_one(client: Client, defence, defence_admin) -> None:
    channel = ChannelFactory(institution=defence)
    client.force_login(defence_admin)
    client.post(f"/i/defence/channels/{channel.pk}/", form(signing_secret="", verify_token=""))
    channel.refresh_from_db()
    assert channel.signing_secret == TEST_SECRET
    assert channel.name == "Diplomatie.Belgium"


def test_moderators_must_belong_to_the_institution(
    client: Client, defence, defence_admin, defence_communicator, police
) -> None:
    outsider = member(police, Role.COMMUNICATOR)
    client.force_login(defence_admin)
    response = client.post("/i/defence/channels/new/", form(moderators=[outsider.pk]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Channel.objects.exists()


def test_the_moderation_team_offers_only_the_institutions_moderators(
    client: Client, defence, defence_admin, defence_communicator, defence_officer
) -> None:
    """A complaint officer or an admin does not work the queue: never on a channel's team."""
    client.force_login(defence_admin)
    page = client.get("/i/defence/channels/new/").content.decode()
    assert f'name="moderators" value="{defence_communicator.pk}"' in page
    assert f'name="moderators" value="{defence_officer.pk}"' not in page
    response = client.post("/i/defence/channels/new/", form(moderators=[defence_officer.pk]))
    assert "Select a valid choice" in response.content.decode()
    assert not Channel.objects.exists()


def test_bad_values_get_messages(client: Client, defence, defence_admin) -> None:
    client.force_login(defence_admin)
    response = client.post(
        "/i/defence/channels/new/",
        form(response_hours="0", languages=[], url="javascript:alert(1)"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in body
    assert "Enter a valid URL." in body


def test_a_mastodon_token_needs_the_account_address(client: Client, defence_admin) -> None:
    client.force_login(defence_admin)
    response = client.post(
        "/i/defence/channels/new/",
        form(platform="mastodon", url="", access_token="mastodon-token-abcdef"),
    )
    assert response.status_code == 200
    assert "give the account&#x27;s address" in response.content.decode()
    assert not Channel.objects.exists()


def test_mastodon_token_is_masked_and_polling_status_shown(
    client: Client, defence, defence_admin
) -> None:
    client.force_login(defence_admin)
    response = client.post(
        "/i/defence/channels/new/",
        form(
            platform="mastodon",
            url="https://social.example/@defensie",
            access_token="mastodon-token-abcdef",
        ),
    )
    channel = Channel.objects.get()
    assert channel.access_token == "mastodon-token-abcdef"
    PollState.objects.create(channel=channel, last_error="Mastodon: MastodonUnauthorizedError")
    page = client.get(response.url).content.decode()
    assert "mastodon-token-abcdef" not in page
    assert "••••••••ef" in page
    assert "MastodonUnauthorizedError" in page
