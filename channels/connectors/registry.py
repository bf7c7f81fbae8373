"""Which platforms have a connector, and what each can do. One line per connector.

``CONNECTORS`` holds the platform connectors (ingest and actions, see
``channels.connectors.actions``); ``capability_matrix()`` is the one place the product and the
docs (docs/platforms.md) read what each platform allows.
"""

from __future__ import annotations

from collections.abc import Mapping

from channels.connectors import linkedin, mastodon, x, youtube
from channels.connectors.actions import ActionKind, Capability, PlatformConnector
from channels.connectors.meta import facebook, instagram
from channels.connectors.polling import PollingConnector

CONNECTORS: dict[str, PlatformConnector] = {
    "facebook": facebook.CONNECTOR,
    "instagram": instagram.CONNECTOR,
    "linkedin": linkedin.CONNECTOR,
    "mastodon": mastodon.CONNECTOR,
    "x": x.CONNECTOR,
    "youtube": youtube.CONNECTOR,
}

POLLING_CONNECTORS: dict[str, PollingConnector] = {
    "linkedin": linkedin.CONNECTOR,
    "mastodon": mastodon.CONNECTOR,
    "x": x.CONNECTOR,
    "youtube": youtube.CONNECTOR,
}


def capability_matrix() -> dict[str, Mapping[ActionKind, Capability]]:
    """Platform -> the actions its connector can carry out, with the documented calls."""
    return {platform: connector.capabilities for platform, connector in CONNECTORS.items()}
