"""Token health: Meta's debug_token and Mastodon's verify_credentials over the sandbox, the
stored state, admins warned once, "check now", and no token in logs or stored messages."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client

from accounts.models import Notification, Role
from accounts.tests.factories import member
from channels.connectors.credentials import missing_scopes
from channels.connectors.redaction import redact
from channels.models import Channel
from channels.services.tokens import channel_token_check, channel_tokens_check_all
from channels.tests.factories import ChannelFactory
from devtools.platform_sandbox import mastodon_accounts, meta_tokens
from govsocial.schedules import CatchUpJob

pytestmark = pytest.mark.django_db

PAGE_TOKEN = "EAAGpageTOKENsecret0123456789abcdef"
MASTODON_TOKEN = "mastodonTOKENsecret0123456789"
APP_SECRET = "appSECRET0123456789"


@pytest.fixture
def meta_app(settings) -> None:
    settings.META_APP_ID = "4242"
    settings.META_APP_SECRET = APP_SECRET


def facebook_channel(institution, token: str = PAGE_TOKEN, **fields) -> Channel:
    channel = ChannelFactory(institution=institution, platform="facebook", **fields)
    channel.access_token = token
    channel.save()
    return channel


def mastodon_channel(institution, sandbox, token: str = MASTODON_TOKEN) -> Channel:
    channel = ChannelFactory(
        institution=institution, platform="mastodon", url=f"{sandbox.url}/@institution"
    )
    channel.access_token = token
    channel.save()
    return channel


def notices(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="channel_token"))


def test_a_valid_page_token_that_never_expires_is_stored_and_warns_nobody(
    platform_sandbox, meta_app, defence, defence_admin
) -> None:
    channel = facebook_channel(defence)
    status = channel_token_check(channel=channel)
    channel.refresh_from_db()
    assert status is not None
    assert status.valid
    assert status.expires_at is None
    assert channel.token_valid is True
    assert channel.token_checked_at is not None
    assert channel.token_expires_at is None
    assert channel.token_missing_scopes == []
    assert notices(defence_admin) == []
    (call,) = platform_sandbox.calls_to("GET", "/facebook/debug_token")
    assert call["query"]["input_token"] == [PAGE_TOKEN]
    assert call["query"]["access_token"] == [f"4242|{APP_SECRET}"]


def test_expiry_within_two_weeks_warns_the_admins_once_per_expiry(
    platform_sandbox, meta_app, defence, defence_admin, police
) -> None:
    other_admin = member(defence, Role.INSTITUTION_ADMIN, email="admin2@defence.test")
    police_admin = member(police, Role.INSTITUTION_ADMIN, email="admin@police.test")
    communicator = member(defence, Role.COMMUNICATOR, email="c@defence.test")
    channel = facebook_channel(defence)
    expires = int(time.time()) + 10 * 86400
    meta_tokens.set_token(platform_sandbox, PAGE_TOKEN, expires_at=expires)
    now = datetime.now(UTC)
    for day in range(3):  # the daily check, three days in a row
        channel_token_check(channel=channel, now=now + timedelta(days=day))
    channel.refresh_from_db()
    assert channel.token_expires_at == datetime.fromtimestamp(expires, UTC)
    assert len(notices(defence_admin)) == 1
    assert len(notices(other_admin)) == 1
    assert "expires on" in notices(defence_admin)[0].subject
    assert notices(police_admin) == []
    assert notices(communicator) == []
    # A renewed token that expires again later is warned about again.
    meta_tokens.set_token(platform_sandbox, PAGE_TOKEN, expires_at=expires + 5 * 86400)
    channel_token_check(channel=channel, now=now + timedelta(days=9))
    assert len(notices(defence_admin)) == 2


def test_a_far_expiry_does_not_warn(platform_sandbox, meta_app, defence, defence_admin) -> None:
    channel = facebook_channel(defence)
    meta_tokens.set_token(platform_sandbox, PAGE_TOKEN, expires_at=int(time.time()) + 60 * 86400)
    channel_token_check(channel=channel)
    assert notices(defence_admin) == []


def test_data_access_expiry_counts_when_it_comes_first(
    platform_sandbox, meta_app, defence, defence_admin
) -> None:
    channel = facebook_channel(defence)
    soon = int(time.time()) + 3 * 86400
    meta_tokens.set_token(platform_sandbox, PAGE_TOKEN, expires_at=0, data_access_expires_at=soon)
    status = channel_token_check(channel=channel)
    assert status is not None
    assert status.expires_at == datetime.fromtimestamp(soon, UTC)
    assert len(notices(defence_admin)) == 1


def test_an_invalid_token_is_recorded_and_warned_once_per_token(
    platform_sandbox, meta_app, defence, defence_admin
) -> None:
    channel = facebook_channel(defence)
    meta_tokens.set_token(platform_sandbox, PAGE_TOKEN, valid=False)
    channel_token_check(channel=channel)
    channel_token_check(channel=channel)
    channel.refresh_from_db()
    assert channel.token_valid is False
    assert "Error validating access token" in channel.token_error
    (notice,) = notices(defence_admin)
    assert "no longer works" in notice.subject
    assert notice.url == f"/i/defence/channels/{channel.pk}/"
    # The admin enters another token, which is refused too: a new warning.
    channel.access_token = "EAAGanotherTOKEN"
    channel.save()
    meta_tokens.set_token(platform_sandbox, "EAAGanotherTOKEN", valid=False)
    channel_token_check(channel=channel)
    assert len(notices(defence_admin)) == 2


def test_missing_permissions_are_listed_and_warned_once(
    platform_sandbox, meta_app, defence, defence_admin
) -> None:
    channel = facebook_channel(defence)
    meta_tokens.set_token(
        platform_sandbox, PAGE_TOKEN, scopes=["pages_read_engagement", "pages_manage_metadata"]
    )
    channel_token_check(channel=channel)
    channel_token_check(channel=channel)
    channel.refresh_from_db()
    assert channel.token_missing_scopes == [
        "pages_manage_engagement", "pages_manage_posts", "pages_messaging",
    ]  # fmt: skip
    (notice,) = notices(defence_admin)
    assert "pages_manage_engagement, pages_manage_posts, pages_messaging" in notice.body


def test_instagram_needs_its_own_permissions(platform_sandbox, meta_app, defence) -> None:
    channel = facebook_channel(defence)
    Channel.objects.filter(pk=channel.pk).update(platform="instagram")
    channel.refresh_from_db()
    meta_tokens.set_token(platform_sandbox, PAGE_TOKEN, scopes=["instagram_basic"])
    status = channel_token_check(channel=channel)
    assert status is not None
    assert status.missing == {"instagram_manage_comments", "instagram_manage_messages"}
    assert platform_sandbox.calls_to("GET", "/instagram/debug_token")


def test_a_check_the_platform_cannot_answer_is_no_verdict_and_never_stores_the_token(
    platform_sandbox, meta_app, defence, defence_admin
) -> None:
    channel = facebook_channel(defence)
    channel_token_check(channel=channel)  # valid first
    echo = f"Invalid parameter input_token={PAGE_TOKEN} access_token=4242|{APP_SECRET}"
    platform_sandbox.fail_next(
        "/facebook/debug_token", 500, {"error": {"message": echo, "type": "OAuthException",
                                                 "code": 1}},
    )  # fmt: skip
    assert channel_token_check(channel=channel) is None
    channel.refresh_from_db()
    assert channel.token_valid is None
    assert "Meta answered 500 (code 1)" in channel.token_error
    assert PAGE_TOKEN not in channel.token_error
    assert APP_SECRET not in channel.token_error
    assert notices(defence_admin) == []


def test_without_the_meta_app_settings_nothing_is_asked(
    platform_sandbox, settings, defence
) -> None:
    settings.META_APP_ID = ""
    channel = facebook_channel(defence)
    assert channel_token_check(channel=channel) is None
    channel.refresh_from_db()
    assert "META_APP_ID" in channel.token_error
    assert platform_sandbox.calls_to("GET", "/facebook/debug_token") == []


def test_an_unreachable_platform_leaves_no_token_in_the_stored_error(
    settings, meta_app, defence
) -> None:
    settings.PLATFORM_API_URLS = {**settings.PLATFORM_API_URLS, "facebook": "http://127.0.0.1:1"}
    channel = facebook_channel(defence)
    assert channel_token_check(channel=channel) is None
    channel.refresh_from_db()
    assert channel.token_error.startswith("Meta could not be reached")
    assert PAGE_TOKEN not in channel.token_error
    assert APP_SECRET not in channel.token_error


def test_mastodon_token_valid_invalid_and_scopes(platform_sandbox, defence, defence_admin) -> None:
    channel = mastodon_channel(defence, platform_sandbox)
    status = channel_token_check(channel=channel)
    assert status is not None
    assert status.valid
    assert status.expires_at is None
    assert status.missing == frozenset()  # "read" and "write" cover the narrower scopes
    mastodon_accounts.set_token(platform_sandbox, MASTODON_TOKEN, scopes=["read"])
    status = channel_token_check(channel=channel)
    assert status is not None
    assert status.missing == {"write:statuses"}
    mastodon_accounts.set_token(platform_sandbox, MASTODON_TOKEN, valid=False)
    status = channel_token_check(channel=channel)
    channel.refresh_from_db()
    assert status is not None
    assert not status.valid
    assert channel.token_valid is False
    assert channel.token_error == "The access token is invalid"
    assert {n.subject.split(" ")[-1] for n in notices(defence_admin)} == {"permissions", "works"}
    (_call, *_rest) = platform_sandbox.calls_to("GET", "/api/v1/apps/verify_credentials")


def test_the_sandbox_control_endpoints_describe_tokens(platform_sandbox, meta_app, defence) -> None:
    import requests

    requests.post(
        f"{platform_sandbox.url}/_sandbox/meta_tokens/{PAGE_TOKEN}",
        json={"valid": True, "scopes": ["pages_read_engagement"]},
        timeout=5,
    ).raise_for_status()
    requests.post(
        f"{platform_sandbox.url}/_sandbox/mastodon_tokens/{MASTODON_TOKEN}",
        json={"valid": False},
        timeout=5,
    ).raise_for_status()
    facebook = channel_token_check(channel=facebook_channel(defence))
    mastodon = channel_token_check(channel=mastodon_channel(defence, platform_sandbox))
    assert facebook is not None
    assert "pages_manage_posts" in facebook.missing
    assert mastodon is not None
    assert not mastodon.valid


def test_graph_refuses_debug_token_without_an_app_token(platform_sandbox) -> None:
    import requests

    answer = requests.get(
        f"{platform_sandbox.url}/facebook/debug_token", params={"input_token": "x"}, timeout=5
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 104


def test_no_token_appears_in_the_logs(platform_sandbox, meta_app, defence, caplog) -> None:
    """Every check, with urllib3's request lines at DEBUG: no token, no app secret."""
    caplog.set_level(logging.DEBUG)
    facebook = facebook_channel(defence)
    mastodon = mastodon_channel(defence, platform_sandbox)
    channel_token_check(channel=facebook)
    meta_tokens.set_token(platform_sandbox, PAGE_TOKEN, valid=False)
    channel_token_check(channel=facebook)
    platform_sandbox.fail_next("/facebook/debug_token", 500, {"error": {"message": PAGE_TOKEN}})
    channel_token_check(channel=facebook)
    channel_token_check(channel=mastodon)
    mastodon_accounts.set_token(platform_sandbox, MASTODON_TOKEN, valid=False)
    channel_tokens_check_all()
    assert "debug_token" in caplog.text  # urllib3's request lines were captured...
    for secret in (PAGE_TOKEN, MASTODON_TOKEN, APP_SECRET):
        assert secret not in caplog.text  # ...without the secrets
    for channel in Channel.objects.all():
        for secret in (PAGE_TOKEN, MASTODON_TOKEN, APP_SECRET):
            assert secret not in channel.token_error


def test_the_daily_check_covers_active_channels_with_a_token(
    platform_sandbox, meta_app, defence, police
) -> None:
    checked = [facebook_channel(defence), facebook_channel(police)]
    inactive = facebook_channel(defence, is_active=False)
    tokenless = ChannelFactory(institution=defence, platform="facebook")
    unsupported = ChannelFactory(institution=defence, platform="website")
    unsupported.access_token = "whatever"
    unsupported.save()
    assert channel_tokens_check_all() == 2
    for channel in checked:
        channel.refresh_from_db()
        assert channel.token_checked_at is not None
    for channel in (inactive, tokenless, unsupported):
        channel.refresh_from_db()
        assert channel.token_checked_at is None


def test_the_daily_check_is_a_catch_up_job() -> None:
    job = django_settings.CATCH_UP_JOBS["channel-tokens-check"]
    assert isinstance(job, CatchUpJob)
    assert job.weekday is None
    assert job.function == "channels.tasks.channel_tokens_check_task"


def test_scopes_and_redaction_helpers() -> None:
    assert missing_scopes("mastodon", frozenset({"read:notifications", "write"})) == set()
    assert missing_scopes("facebook", frozenset()) == {
        "pages_manage_engagement", "pages_read_engagement", "pages_manage_metadata",
        "pages_messaging", "pages_manage_posts",
    }  # fmt: skip
    line = 'GET /debug_token?input_token=abc&access_token=1|s HTTP/1.1" 200'
    assert (
        redact(line)
        == 'GET /debug_token?input_token=[redacted]&access_token=[redacted] HTTP/1.1" 200'
    )


def test_admins_see_the_token_state_and_check_now(
    client: Client, platform_sandbox, meta_app, defence, defence_admin
) -> None:
    channel = facebook_channel(defence)
    meta_tokens.set_token(
        platform_sandbox, PAGE_TOKEN, expires_at=int(time.time()) + 5 * 86400,
        scopes=["pages_read_engagement"],
    )  # fmt: skip
    client.force_login(defence_admin)
    page = client.get(f"/i/defence/channels/{channel.pk}/").content.decode()
    assert "Not checked yet" in page
    assert "Check now" in page
    response = client.post(f"/i/defence/channels/{channel.pk}/token-check/")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "The token needs attention" in page
    assert "<code>pages_manage_posts</code>" in page
    assert "Expires on" in page
    assert PAGE_TOKEN not in page


def test_check_now_is_for_admins_of_the_channel_institution(
    client: Client, platform_sandbox, meta_app, defence, police, defence_communicator
) -> None:
    channel = facebook_channel(defence)
    police_admin = member(police, Role.INSTITUTION_ADMIN, email="admin@police.test")
    from conftest import enrol_totp

    enrol_totp(police_admin)
    client.force_login(police_admin)
    assert client.post(f"/i/defence/channels/{channel.pk}/token-check/").status_code == 404
    assert client.post(f"/i/federal-police/channels/{channel.pk}/token-check/").status_code == 404
    client.force_login(defence_communicator)
    assert client.post(f"/i/defence/channels/{channel.pk}/token-check/").status_code in (403, 404)
    channel.refresh_from_db()
    assert channel.token_checked_at is None
    assert platform_sandbox.calls_to("GET", "/facebook/debug_token") == []


def test_a_channel_without_a_checker_shows_no_token_section(
    client: Client, defence, defence_admin
) -> None:
    channel = ChannelFactory(institution=defence, platform="website")
    client.force_login(defence_admin)
    page = client.get(f"/i/defence/channels/{channel.pk}/").content.decode()
    assert "Check now" not in page
    response = client.post(f"/i/defence/channels/{channel.pk}/token-check/", follow=True)
    assert "no token GovSocial can check" in response.content.decode()
