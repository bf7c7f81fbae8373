"""The interface of a polling connector, and the registry of those that exist.

A polling connector reads a platform's API on a schedule. It only fetches: what it returns is
stored as an inbound delivery and goes through the same processing as a webhook (one
transaction, idempotent on platform ids, failures kept for re-processing). Adding YouTube or
Bluesky means one module implementing ``PollingConnector`` plus one line in
``channels.connectors.registry``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from channels.connectors.base import ItemEvent, PayloadError

if TYPE_CHECKING:
    from channels.models import Channel


class RateLimited(Exception):
    """The platform asks us to wait until ``retry_at``; the scheduler comes back then."""

    def __init__(self, retry_at: datetime) -> None:
        super().__init__(f"Rate limited until {retry_at.isoformat()}")
        self.retry_at = retry_at


class ConnectorError(Exception):
    """The platform could not be read (network, credentials, server error); shown to admins."""


@dataclass(frozen=True)
class Page:
    """One fetch: the records as JSON-ready data, the cursor after them, whether more wait."""

    records: list[dict[str, Any]]
    cursor: str
    more: bool


def page_records(payload: object) -> list[Any]:
    """The records of a stored page (``{"records": [...]}``); ``PayloadError`` if it is not one."""
    if not isinstance(payload, dict) or not isinstance(payload.get("records"), list):
        raise PayloadError("Expected an object with a 'records' list.")
    return payload["records"]


class PollingConnector(Protocol):
    source: str
    """The ``InboundDelivery.Source`` its pages are stored under."""

    def parse(self, payload: object) -> list[ItemEvent]:
        """Item events from a stored page (``{"records": [...]}``); ``PayloadError`` if bad."""
        ...

    def configured(self, channel: Channel) -> bool:
        """Whether the channel has what this connector needs (token, address)."""
        ...

    def fetch(self, channel: Channel, cursor: str) -> Page:
        """Records newer than ``cursor`` (all recent ones when it is empty), oldest first."""
        ...
