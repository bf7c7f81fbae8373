"""The interface of a connector that can post a reply on the platform.

Only platforms whose API lets a page or account answer a comment or mention get one (Mastodon
today); for the others the reply is recorded and the moderator posts it by hand. Adding one is a
module implementing ``ReplyConnector`` plus a line in ``channels.connectors.registry``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from channels.models import Channel


class ReplyRejected(Exception):
    """The platform refused the reply for good (deleted status, invalid token, text refused):
    retrying will not help, the moderator posts it by hand."""


@dataclass(frozen=True)
class SentReply:
    platform_id: str
    url: str


class ReplyConnector(Protocol):
    def configured(self, channel: Channel) -> bool:
        """Whether the channel has what this connector needs (token, address)."""
        ...

    def reply(
        self, channel: Channel, *, in_reply_to: str, text: str, direct: bool, key: str
    ) -> SentReply:
        """Post ``text`` as an answer to the platform's ``in_reply_to``.

        ``key`` is the same on every attempt for one reply: platforms that support it
        (Mastodon's Idempotency-Key) then never publish it twice. Raises ``ReplyRejected`` for
        a final refusal, ``ConnectorError`` or ``RateLimited`` for a failure worth retrying.
        """
        ...
