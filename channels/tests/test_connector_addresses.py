"""Connectors call public servers only: loopback, private and link-local addresses are refused,
by resolved address, in the channel form and again at each connection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from channels.connectors.addresses import AddressRefused, public_server_check
from channels.models import Channel, PollState
from channels.services.polling import channel_poll
from channels.tests.factories import ChannelFactory
from channels.tests.test_channel_screens import form
from devtools.platform_sandbox import mastodon as sandbox_mastodon
from devtools.platform_sandbox.server import Sandbox, build, running

INTERNAL = [
    "http://127.0.0.1:8000",
    "http://localhost",  # a name, resolved to loopback
    "http://[::1]",
    "http://0.0.0.0",
    "http://10.1.2.3",
    "http://172.16.0.1",
    "http://192.168.1.10",
    "http://100.64.0.1",  # carrier-grade NAT
    "http://169.254.169.254",  # cloud metadata
    "http://[fe80::1]",
    "http://[fd00::1]",
    "http://[::ffff:127.0.0.1]",
    "http://2130706433",  # 127.0.0.1 written as one number
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused(url: str) -> None:
    with pytest.raises(AddressRefused, match="private, loopback or link-local"):
        public_server_check(url)


def test_public_addresses_pass() -> None:
    public_server_check("https://194.78.0.1")
    public_server_check("https://[2a02:2788::1]")


def test_an_unknown_name_is_refused_at_connection_and_left_to_it_by_the_form() -> None:
    with pytest.raises(AddressRefused, match="could not be found"):
        public_server_check("https://no-such-server.invalid")
    public_server_check("https://no-such-server.invalid", unresolvable_ok=True)


def test_the_setting_allows_local_servers_for_tests(settings) -> None:
    settings.CONNECTORS_ALLOW_PRIVATE_HOSTS = True
    public_server_check("http://127.0.0.1:8000")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["http://169.254.169.254/@x", "http://localhost:6379/@x"])
def test_the_channel_form_refuses_an_internal_server(client: Client, defence_admin, url) -> None:
    client.force_login(defence_admin)
    response = client.post(
        "/i/defence/channels/new/",
        form(platform="mastodon", url=url, access_token="mastodon-token-abcdef"),
    )
    assert response.status_code == 200
    assert "GovSocial only connects to public servers." in response.content.decode()
    assert not Channel.objects.exists()


@pytest.fixture
def stub() -> Iterator[Sandbox]:
    """The sandbox's Mastodon on 127.0.0.1, without the fixture that allows private hosts."""
    with running(build([sandbox_mastodon])) as sandbox:
        yield sandbox


@pytest.mark.django_db
def test_the_connector_checks_again_when_it_connects(defence, stub, settings) -> None:
    """An address saved while allowed (or whose name now resolves inward) is never called."""
    assert settings.CONNECTORS_ALLOW_PRIVATE_HOSTS is False
    channel = ChannelFactory(institution=defence, platform="mastodon", url=f"{stub.url}/@x")
    channel.access_token = sandbox_mastodon.TOKEN
    channel.save()

    assert channel_poll(channel.pk) == 0
    assert stub.calls == []
    assert "GovSocial only connects to public servers." in PollState.objects.get().last_error
