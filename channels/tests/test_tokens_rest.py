"""Token health of YouTube (Google tokeninfo), X (users/me) and LinkedIn (introspectToken) over
the sandbox: valid, expiring soon (warned once), invalid, missing permissions where the platform
says them, "could not check", and no token or secret in logs or stored messages."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.test import Client

from accounts.models import Notification
from channels.models import Channel
from channels.services.tokens import channel_token_check, channel_tokens_check_all
from channels.tests.factories import ChannelFactory
from devtools.platform_sandbox import google_oauth, linkedin_oauth, x_accounts

pytestmark = pytest.mark.django_db

GOOGLE_TOKEN = "ya29.googleTOKENsecret0123456789"
X_TOKEN = "xUSERtokenSECRET0123456789"
LINKEDIN_TOKEN = "AQVlinkedinTOKENsecret0123456789"
LINKEDIN_SECRET = "linkedinCLIENTsecret0123"
X_ACCOUNT = "1500000000000000001"
YOUTUBE_SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"


@pytest.fixture
def linkedin_app(settings) -> None:
    settings.LINKEDIN_CLIENT_ID = "77linkedinclient"
    settings.LINKEDIN_CLIENT_SECRET = LINKEDIN_SECRET


@pytest.fixture
def x_account(platform_sandbox) -> None:
    requests.post(
        f"{platform_sandbox.url}/_sandbox/x/accounts",
        timeout=5,
        json={"id": X_ACCOUNT, "username": "BelgiumMFA", "name": "MFA", "token": X_TOKEN},
    ).raise_for_status()


def channel_with(institution, platform: str, token: str) -> Channel:
    channel = ChannelFactory(institution=institution, platform=platform, handle=X_ACCOUNT)
    channel.access_token = token
    channel.save()
    return channel


def notices(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="channel_token"))


# -- YouTube ---------------------------------------------------------------------------------


def test_youtube_token_valid_for_an_hour_is_reported_as_expiring_and_warned_once(
    platform_sandbox, defence, defence_admin
) -> None:
    """Google access tokens live an hour and GovSocial does not refresh them: the check says
    so, once, however often it runs."""
    channel = channel_with(defence, "youtube", GOOGLE_TOKEN)
    before = datetime.now(UTC)
    status = channel_token_check(channel=channel)
    channel_token_check(channel=channel)
    channel.refresh_from_db()
    assert status is not None
    assert status.valid
    assert status.scopes == {YOUTUBE_SCOPE}
    assert status.missing == frozenset()
    assert channel.token_valid is True
    assert channel.token_expires_at is not None
    assert before + timedelta(minutes=55) < channel.token_expires_at
    assert channel.token_expires_at <= before + timedelta(hours=1, seconds=5)
    (notice,) = notices(defence_admin)
    assert "expires on" in notice.subject
    (call, _again) = platform_sandbox.calls_to("GET", "/google_oauth/tokeninfo")
    assert call["query"]["access_token"] == [GOOGLE_TOKEN]


def test_youtube_token_far_expiry_does_not_warn(platform_sandbox, defence, defence_admin) -> None:
    google_oauth.set_token(platform_sandbox, GOOGLE_TOKEN, expires_in=30 * 86400)
    channel_token_check(channel=channel_with(defence, "youtube", GOOGLE_TOKEN))
    assert notices(defence_admin) == []


def test_youtube_token_invalid_and_missing_scope(platform_sandbox, defence, defence_admin) -> None:
    channel = channel_with(defence, "youtube", GOOGLE_TOKEN)
    google_oauth.set_token(
        platform_sandbox, GOOGLE_TOKEN, expires_in=30 * 86400,
        scopes=["https://www.googleapis.com/auth/youtube.readonly"],
    )  # fmt: skip
    status = channel_token_check(channel=channel)
    assert status is not None
    assert status.missing == {YOUTUBE_SCOPE}
    channel.refresh_from_db()
    assert channel.token_missing_scopes == [YOUTUBE_SCOPE]
    google_oauth.set_token(platform_sandbox, GOOGLE_TOKEN, valid=False)
    channel_token_check(channel=channel)
    channel_token_check(channel=channel)
    channel.refresh_from_db()
    assert channel.token_valid is False
    assert channel.token_error == "Invalid Value"
    subjects = sorted(n.subject for n in notices(defence_admin))
    assert len(subjects) == 2
    assert "lacks permissions" in subjects[0]
    assert "no longer works" in subjects[1]


def test_youtube_unreachable_or_failing_is_no_verdict(
    platform_sandbox, settings, defence, defence_admin
) -> None:
    channel = channel_with(defence, "youtube", GOOGLE_TOKEN)
    platform_sandbox.fail_next(
        "/google_oauth/tokeninfo", 503,
        {"error": "backend_error", "error_description": f"failed for {GOOGLE_TOKEN}"},
    )  # fmt: skip
    assert channel_token_check(channel=channel) is None
    channel.refresh_from_db()
    assert channel.token_valid is None
    assert channel.token_error.startswith("Google answered 503")
    assert GOOGLE_TOKEN not in channel.token_error
    settings.PLATFORM_API_URLS = {
        **settings.PLATFORM_API_URLS,
        "google_oauth": "http://127.0.0.1:1",
    }
    assert channel_token_check(channel=channel) is None
    channel.refresh_from_db()
    assert channel.token_error.startswith("Google could not be reached")
    assert notices(defence_admin) == []


# -- X ---------------------------------------------------------------------------------------


def test_x_token_valid_then_revoked(platform_sandbox, x_account, defence, defence_admin) -> None:
    channel = channel_with(defence, "x", X_TOKEN)
    status = channel_token_check(channel=channel)
    assert status is not None
    assert status.valid
    assert status.expires_at is None
    assert status.missing == frozenset()  # X cannot say which scopes a token has
    assert notices(defence_admin) == []
    (call,) = platform_sandbox.calls_to("GET", "/x/users/me")
    assert call["query"] == {}  # the token travels in the Authorization header only
    x_accounts.revoke(platform_sandbox, X_TOKEN)
    channel_token_check(channel=channel)
    channel_token_check(channel=channel)
    channel.refresh_from_db()
    assert channel.token_valid is False
    assert channel.token_error == "Unauthorized: Unauthorized"
    (notice,) = notices(defence_admin)
    assert "no longer works" in notice.subject


def test_x_rate_limit_and_server_error_are_no_verdict(
    platform_sandbox, x_account, defence, defence_admin
) -> None:
    channel = channel_with(defence, "x", X_TOKEN)
    platform_sandbox.fail_next(
        "/x/users/me", 429, {"title": "Too Many Requests", "status": 429},
        {"x-rate-limit-reset": str(int(time.time()) + 600)},
    )  # fmt: skip
    assert channel_token_check(channel=channel) is None
    channel.refresh_from_db()
    assert channel.token_valid is None
    assert channel.token_error.startswith("Rate limited until")
    platform_sandbox.fail_next("/x/users/me", 503, {"title": "Service Unavailable"})
    assert channel_token_check(channel=channel) is None
    channel.refresh_from_db()
    assert channel.token_error == "X answered 503: Service Unavailable"
    assert notices(defence_admin) == []


def test_x_channel_page_says_scopes_and_expiry_are_unknown(
    client: Client, platform_sandbox, x_account, defence, defence_admin
) -> None:
    channel = channel_with(defence, "x", X_TOKEN)
    client.force_login(defence_admin)
    response = client.post(f"/i/defence/channels/{channel.pk}/token-check/", follow=True)
    page = response.content.decode()
    assert "the platform does not say which permissions it has" in page
    assert "unknown: the platform does not say which permissions" in page
    assert "unknown: the platform does not say" in page
    assert "does not expire" not in page
    assert X_TOKEN not in page


# -- LinkedIn --------------------------------------------------------------------------------


def test_linkedin_token_valid_far_from_expiry(
    platform_sandbox, linkedin_app, defence, defence_admin
) -> None:
    channel = channel_with(defence, "linkedin", LINKEDIN_TOKEN)
    status = channel_token_check(channel=channel)
    assert status is not None
    assert status.valid
    assert status.missing == frozenset()
    assert status.expires_at is not None
    assert status.expires_at > datetime.now(UTC) + timedelta(days=50)
    assert notices(defence_admin) == []
    (call,) = platform_sandbox.calls_to("POST", "/linkedin_oauth/introspectToken")
    assert call["query"] == {}  # token and secret travel in the form body
    assert "client_id=77linkedinclient" in call["body"]


def test_linkedin_expiry_within_two_weeks_warns_once(
    platform_sandbox, linkedin_app, defence, defence_admin
) -> None:
    channel = channel_with(defence, "linkedin", LINKEDIN_TOKEN)
    expires = int(time.time()) + 10 * 86400
    linkedin_oauth.set_token(platform_sandbox, LINKEDIN_TOKEN, expires_at=expires)
    now = datetime.now(UTC)
    for day in range(3):
        channel_token_check(channel=channel, now=now + timedelta(days=day))
    channel.refresh_from_db()
    assert channel.token_expires_at == datetime.fromtimestamp(expires, UTC)
    (notice,) = notices(defence_admin)
    assert "expires on" in notice.subject


def test_linkedin_missing_scopes_revoked_expired_and_unknown(
    platform_sandbox, linkedin_app, defence, defence_admin
) -> None:
    channel = channel_with(defence, "linkedin", LINKEDIN_TOKEN)
    linkedin_oauth.set_token(platform_sandbox, LINKEDIN_TOKEN, scopes=["r_organization_social"])
    status = channel_token_check(channel=channel)
    assert status is not None
    assert status.missing == {"w_organization_social"}
    # The newer names of the permissions count as the permissions.
    linkedin_oauth.set_token(
        platform_sandbox, LINKEDIN_TOKEN,
        scopes=["r_organization_social_feed", "w_organization_social_feed"],
    )  # fmt: skip
    status = channel_token_check(channel=channel)
    assert status is not None
    assert status.missing == frozenset()
    for state, error in (("revoked", "The token is revoked."), ("unknown", "The token is invalid")):
        linkedin_oauth.set_token(platform_sandbox, LINKEDIN_TOKEN, status=state)
        status = channel_token_check(channel=channel)
        channel.refresh_from_db()
        assert status is not None
        assert not status.valid
        assert channel.token_error == error
    linkedin_oauth.set_token(platform_sandbox, LINKEDIN_TOKEN, expires_at=int(time.time()) - 60)
    status = channel_token_check(channel=channel)
    assert status is not None
    assert not status.valid
    assert status.error == "The token is expired."
    subjects = [n.subject for n in notices(defence_admin)]
    assert len(subjects) == 2  # missing permissions once, "no longer works" once for this token
    assert any("lacks permissions" in subject for subject in subjects)


def test_linkedin_without_client_settings_asks_nothing(
    platform_sandbox, settings, defence, defence_admin
) -> None:
    settings.LINKEDIN_CLIENT_ID = ""
    settings.LINKEDIN_CLIENT_SECRET = ""
    channel = channel_with(defence, "linkedin", LINKEDIN_TOKEN)
    assert channel_token_check(channel=channel) is None
    channel.refresh_from_db()
    assert "LINKEDIN_CLIENT_ID" in channel.token_error
    assert platform_sandbox.calls_to("POST", "/linkedin_oauth/introspectToken") == []
    assert notices(defence_admin) == []


def test_linkedin_refused_client_secret_or_unreachable_is_no_verdict(
    platform_sandbox, settings, linkedin_app, defence
) -> None:
    channel = channel_with(defence, "linkedin", LINKEDIN_TOKEN)
    platform_sandbox.fail_next(
        "/linkedin_oauth/introspectToken", 401,
        {"error": "invalid_client", "error_description": f"bad secret {LINKEDIN_SECRET}"},
    )  # fmt: skip
    assert channel_token_check(channel=channel) is None
    channel.refresh_from_db()
    assert channel.token_valid is None
    assert channel.token_error == "LinkedIn answered 401: bad secret [redacted]"
    settings.PLATFORM_API_URLS = {
        **settings.PLATFORM_API_URLS, "linkedin_oauth": "http://127.0.0.1:1",
    }  # fmt: skip
    assert channel_token_check(channel=channel) is None
    channel.refresh_from_db()
    assert channel.token_error.startswith("LinkedIn could not be reached")


# -- all three -------------------------------------------------------------------------------


def test_no_token_or_secret_appears_in_the_logs_or_stored_errors(
    platform_sandbox, linkedin_app, x_account, defence, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    channel_with(defence, "youtube", GOOGLE_TOKEN)
    channel_with(defence, "x", X_TOKEN)
    channel_with(defence, "linkedin", LINKEDIN_TOKEN)
    assert channel_tokens_check_all() == 3
    google_oauth.set_token(platform_sandbox, GOOGLE_TOKEN, valid=False)
    x_accounts.revoke(platform_sandbox, X_TOKEN)
    linkedin_oauth.set_token(platform_sandbox, LINKEDIN_TOKEN, status="unknown")
    assert channel_tokens_check_all() == 3
    # Each platform echoes what it was sent.
    echo = {"error": "x", "error_description": f"bad {LINKEDIN_TOKEN} {LINKEDIN_SECRET}"}
    platform_sandbox.fail_next("/linkedin_oauth/introspectToken", 500, echo)
    echo = {"error": "x", "error_description": f"bad {GOOGLE_TOKEN}"}
    platform_sandbox.fail_next("/google_oauth/tokeninfo", 500, echo)
    platform_sandbox.fail_next("/x/users/me", 500, {"title": "e", "detail": X_TOKEN})
    assert channel_tokens_check_all() == 3
    assert "tokeninfo" in caplog.text  # urllib3's request lines were captured...
    secrets = (GOOGLE_TOKEN, X_TOKEN, LINKEDIN_TOKEN, LINKEDIN_SECRET)
    for secret in secrets:
        assert secret not in caplog.text  # ...without the secrets
    for channel in Channel.objects.all():
        assert channel.token_error
        for secret in secrets:
            assert secret not in channel.token_error


def test_the_sandbox_control_endpoints_describe_tokens(platform_sandbox, x_account) -> None:
    base = platform_sandbox.url
    for path, body in (
        (f"/_sandbox/google_tokens/{GOOGLE_TOKEN}", {"valid": False}),
        (f"/_sandbox/linkedin_tokens/{LINKEDIN_TOKEN}", {"status": "revoked"}),
        (f"/_sandbox/x_tokens/{X_TOKEN}", {"valid": False}),
    ):
        requests.post(f"{base}{path}", json=body, timeout=5).raise_for_status()
    google = requests.get(f"{base}/google_oauth/tokeninfo", params={"access_token": GOOGLE_TOKEN},
                          timeout=5)  # fmt: skip
    assert (google.status_code, google.json()["error"]) == (400, "invalid_token")
    linkedin = requests.post(
        f"{base}/linkedin_oauth/introspectToken",
        data={"client_id": "a", "client_secret": "b", "token": LINKEDIN_TOKEN}, timeout=5,
    )  # fmt: skip
    assert linkedin.json()["active"] is False
    assert linkedin.json()["status"] == "revoked"
    headers = {"Authorization": f"Bearer {X_TOKEN}"}
    assert requests.get(f"{base}/x/users/me", headers=headers, timeout=5).status_code == 401
    requests.post(
        f"{base}/_sandbox/x_tokens/{X_TOKEN}", json={"user_id": X_ACCOUNT}, timeout=5
    ).raise_for_status()
    me = requests.get(f"{base}/x/users/me", headers=headers, timeout=5)
    assert me.json()["data"]["username"] == "BelgiumMFA"
