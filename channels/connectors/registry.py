"""Which platforms have a polling connector. One line per connector."""

from __future__ import annotations

from channels.connectors import mastodon
from channels.connectors.polling import PollingConnector

POLLING_CONNECTORS: dict[str, PollingConnector] = {
    "mastodon": mastodon.CONNECTOR,
}
