"""The interface of a platform connector: what it can do on the platform, and how it does it.

One connector per platform owns both directions: it turns what the platform sends (webhook
deliveries, polled pages) into ``ItemEvent``s, and it carries GovSocial's decisions out (reply,
private reply, hide, unhide, delete, publish) and reads the result back to verify it. What each
platform allows, and through which documented API call, is the connector's ``capabilities``;
``channels.connectors.registry.capability_matrix()`` gathers them for the code and the docs
(docs/platforms.md), so that nothing else keeps its own list.

Errors: ``ActionRejected`` is a final refusal (the object is gone, the permission is missing,
the text is refused): the action goes to the manual list. ``RateLimited`` and
``ConnectorError`` are worth retrying later. A connector never sleeps and never logs a token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from channels.connectors.polling import ConnectorError, RateLimited

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = [
    "EXPECTED",
    "ActionDone",
    "ActionKind",
    "ActionRejected",
    "ActionRequest",
    "Capability",
    "ConnectorError",
    "Observed",
    "PlatformConnector",
    "RateLimited",
]


class ActionKind(StrEnum):
    REPLY = "reply"
    """A public answer under the item (a comment reply, a reply post)."""
    PRIVATE_REPLY = "private_reply"
    """A private message to the item's author (a direct message, Messenger's Send API)."""
    HIDE = "hide"
    """Hidden from the public, still visible to its author (Facebook's is_hidden)."""
    UNHIDE = "unhide"
    DELETE = "delete"
    PUBLISH = "publish"
    """A new post of the institution on the channel (an approved outgoing post)."""


class Observed(StrEnum):
    """What reading an object back on the platform shows."""

    VISIBLE = "visible"
    HIDDEN = "hidden"
    GONE = "gone"


EXPECTED: Mapping[ActionKind, Observed] = {
    ActionKind.REPLY: Observed.VISIBLE,
    ActionKind.PRIVATE_REPLY: Observed.VISIBLE,
    ActionKind.HIDE: Observed.HIDDEN,
    ActionKind.UNHIDE: Observed.VISIBLE,
    ActionKind.DELETE: Observed.GONE,
    ActionKind.PUBLISH: Observed.VISIBLE,
}
"""What a verification must observe after each kind of action succeeded."""


class ActionRejected(Exception):
    """The platform refused the action for good; retrying will not help. The message (the
    platform's own answer, never a token) is shown to admins."""


@dataclass(frozen=True)
class Capability:
    """One thing a platform lets a connector do, and the documented calls it uses."""

    call: str
    """The API call that does it, as the platform documents it, e.g.
    ``POST /{comment-id} is_hidden=true``."""
    verify: str = ""
    """The call that reads the result back; empty when the platform offers none."""
    note: str = ""
    """A limit worth knowing (a messaging window, a permission, a scope)."""
    own_only: bool = False
    """The platform allows it only on the account's own objects (Mastodon deletes only the
    account's own statuses): a decision about someone else's item goes to the manual list."""


@dataclass(frozen=True)
class ActionRequest:
    kind: ActionKind
    target_id: str
    """The platform id of the object acted upon: the comment or message for REPLY,
    PRIVATE_REPLY, HIDE, UNHIDE and DELETE (for a DELETE of our own reply: that reply);
    empty for PUBLISH."""
    key: str
    """The same on every attempt of one action: platforms that take an idempotency key get
    it; the others are asked ``find_done`` before an attempt whose outcome is unknown."""
    text: str = ""
    """The reply, message or post text (REPLY, PRIVATE_REPLY, PUBLISH)."""
    mention: str = ""
    """The handle of the target's author (``@name@server``), for platforms where an answer
    reaches its addressee only when it names them (Mastodon); empty when unknown."""


@dataclass(frozen=True)
class ActionDone:
    object_id: str
    """The platform id to read back to verify: the created reply, message or post; the
    target itself for HIDE, UNHIDE and DELETE."""
    url: str = ""
    """A link to it on the platform, when it has one."""


class PlatformConnector(Protocol):
    platform: str
    """The ``channels.models.Platform`` value it serves."""

    capabilities: Mapping[ActionKind, Capability]
    """What this platform lets GovSocial do; a kind that is absent goes to the manual list."""

    def configured(self, channel: Channel) -> bool:
        """Whether the channel has what actions need (token, page or account id, address)."""
        ...

    def perform(self, channel: Channel, request: ActionRequest) -> ActionDone:
        """Carry out one action. Raises ``ActionRejected`` (final), ``RateLimited`` or
        ``ConnectorError`` (retry later)."""
        ...

    def find_done(self, channel: Channel, request: ActionRequest) -> ActionDone | None:
        """After an attempt whose outcome is unknown (the worker died, the request timed out),
        look on the platform for what it may already have done (our reply under the target with
        the same text, a post with the same text); None when nothing is there. Idempotent kinds
        (hide, unhide, delete) may simply return None."""
        ...

    def observe(self, channel: Channel, kind: ActionKind, object_id: str) -> Observed:
        """Read ``object_id`` back: visible, hidden or gone. Raises like ``perform``."""
        ...
