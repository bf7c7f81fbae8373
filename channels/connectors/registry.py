"""Which platforms have a polling or a reply connector. One line per connector."""

from __future__ import annotations

from channels.connectors import mastodon
from channels.connectors.polling import PollingConnector
from channels.connectors.replies import ReplyConnector

POLLING_CONNECTORS: dict[str, PollingConnector] = {
    "mastodon": mastodon.CONNECTOR,
}

REPLY_CONNECTORS: dict[str, ReplyConnector] = {
    "mastodon": mastodon.CONNECTOR,
}
