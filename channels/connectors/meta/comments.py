"""What Facebook pages and Instagram professional accounts share: comments replied to, hidden,
unhidden, deleted and read back through Graph, and messages answered through the Send API.

The two platforms differ only in names (``MetaVariant``): Facebook replies on ``/comments``
with ``is_hidden`` and ``message``; Instagram on ``/replies`` with ``hide``/``hidden`` and
``text``. The channel's ``handle`` is the page id (Facebook) or the Instagram professional
account id; its access token is the page access token.

Publishing (only where ``ActionKind.PUBLISH`` is in the capabilities, i.e. Facebook pages) is a
post on the page's feed: ``POST /{page-id}/feed message=...`` answers ``{"id":
"{page-id}_{post-id}"}``, read back like a comment (``is_hidden``, gone once deleted).

Graph has no idempotency key: before an attempt whose outcome is unknown the engine calls
``find_done``, which looks for our reply with the same text under the comment (or our post with
the same text on the page's feed). Hide, unhide and delete are idempotent; a delete of what is
already gone counts as done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from channels.connectors.actions import (
    ActionDone,
    ActionKind,
    ActionRejected,
    ActionRequest,
    Capability,
    Observed,
)
from channels.connectors.meta.graph import Graph, GraphRefused
from channels.connectors.meta.messaging import is_message_id

if TYPE_CHECKING:
    from channels.models import Channel

OUTSIDE_WINDOW = (
    "{platform}: Meta's standard messaging window is closed (more than 24 hours since the "
    "person's last message), so the answer cannot be sent through the API; send it by hand."
)


@dataclass(frozen=True)
class MetaVariant:
    platform: str
    replies_edge: str
    """The edge a reply is created on and listed from."""
    hide_param: str
    hidden_field: str
    text_field: str
    url: str
    """A link to a comment, ``{id}`` filled in; empty when the platform has none by id."""
    list_params: Mapping[str, str]


class MetaCommentsConnector:
    """A ``PlatformConnector`` for one of Meta's platforms (see ``MetaVariant``)."""

    def __init__(self, variant: MetaVariant, capabilities: Mapping[ActionKind, Capability]):
        self.variant = variant
        self.platform = variant.platform
        self.capabilities = capabilities

    def configured(self, channel: Channel) -> bool:
        return bool(channel.access_token_encrypted) and channel.handle.strip().isdigit()

    def perform(self, channel: Channel, request: ActionRequest) -> ActionDone:
        graph = Graph(self.platform, channel.access_token)
        target = request.target_id
        if request.kind in (ActionKind.REPLY, ActionKind.PRIVATE_REPLY) and is_message_id(target):
            return self._answer_message(graph, channel, target, request.text)
        if request.kind == ActionKind.REPLY:
            created = graph.post(f"{target}/{self.variant.replies_edge}", {"message": request.text})
            return self._done(str(created.get("id") or ""))
        if request.kind == ActionKind.PRIVATE_REPLY:
            return self._send(graph, channel, {"comment_id": target}, request.text)
        if request.kind in (ActionKind.HIDE, ActionKind.UNHIDE):
            hide = "true" if request.kind == ActionKind.HIDE else "false"
            graph.post(target, {self.variant.hide_param: hide})
            return self._done(target)
        if request.kind == ActionKind.DELETE:
            return self._delete(graph, target)
        if request.kind == ActionKind.PUBLISH and ActionKind.PUBLISH in self.capabilities:
            feed = f"{channel.handle.strip()}/feed"
            created = graph.post(feed, {self.variant.text_field: request.text})
            return self._done(str(created.get("id") or ""))
        raise ActionRejected(f"{self.platform}: {request.kind} is not available here.")

    def find_done(self, channel: Channel, request: ActionRequest) -> ActionDone | None:
        if request.kind == ActionKind.PUBLISH:
            return self._find_post(channel, request.text)
        if request.kind != ActionKind.REPLY or is_message_id(request.target_id):
            return None  # the Send API cannot be searched; the other kinds are idempotent
        graph = Graph(self.platform, channel.access_token)
        fields = f"from,{self.variant.text_field}"
        listing = graph.get(
            f"{request.target_id}/{self.variant.replies_edge}",
            fields=fields,
            **self.variant.list_params,
        )
        for reply in _rows(listing):
            author = _object(reply.get("from"))
            ours = str(author.get("id", "")) == channel.handle.strip()
            if ours and reply.get(self.variant.text_field) == request.text:
                return self._done(str(reply.get("id") or ""))
        return None

    def _find_post(self, channel: Channel, text: str) -> ActionDone | None:
        """Our post with this text among the newest of the page's feed (which also holds
        visitors' posts: the author must be the page)."""
        graph = Graph(self.platform, channel.access_token)
        page = channel.handle.strip()
        listing = graph.get(
            f"{page}/feed", fields=f"from,{self.variant.text_field},created_time", limit="100"
        )
        for post in _rows(listing):
            ours = str(_object(post.get("from")).get("id", "")) == page
            if ours and post.get(self.variant.text_field) == text:
                return self._done(str(post.get("id") or ""))
        return None

    def observe(self, channel: Channel, kind: ActionKind, object_id: str) -> Observed:
        graph = Graph(self.platform, channel.access_token)
        message = is_message_id(object_id)
        fields = "id" if message else f"{self.variant.hidden_field},{self.variant.text_field}"
        try:
            node = graph.get(object_id, fields=fields)
        except GraphRefused as refusal:
            if refusal.gone:
                return Observed.GONE
            raise
        return Observed.HIDDEN if node.get(self.variant.hidden_field) is True else Observed.VISIBLE

    def _answer_message(
        self, graph: Graph, channel: Channel, message_id: str, text: str
    ) -> ActionDone:
        """Answer a direct message: to its author, through the Send API."""
        node = graph.get(message_id, fields="from")
        author = _object(node.get("from"))
        person = str(author.get("id") or "")
        if not person:
            raise ActionRejected(f"{self.platform}: the message's author could not be read.")
        return self._send(graph, channel, {"id": person}, text, messaging_type="RESPONSE")

    def _send(
        self,
        graph: Graph,
        channel: Channel,
        recipient: dict[str, str],
        text: str,
        messaging_type: str = "",
    ) -> ActionDone:
        payload: dict[str, Any] = {"recipient": recipient, "message": {"text": text}}
        if messaging_type:
            payload["messaging_type"] = messaging_type
        try:
            sent = graph.post(f"{channel.handle.strip()}/messages", json=payload)
        except GraphRefused as refusal:
            if refusal.outside_window:
                raise ActionRejected(OUTSIDE_WINDOW.format(platform=self.platform)) from None
            raise
        return ActionDone(object_id=str(sent.get("message_id") or ""))

    def _delete(self, graph: Graph, target: str) -> ActionDone:
        try:
            graph.delete(target)
        except GraphRefused as refusal:
            if not refusal.gone:
                raise
        return self._done(target)

    def _done(self, object_id: str) -> ActionDone:
        if not object_id:
            raise ActionRejected(f"{self.platform}: Graph answered without the object's id.")
        url = self.variant.url.format(id=object_id) if self.variant.url else ""
        return ActionDone(object_id=object_id, url=url)


def _rows(listing: dict[str, Any]) -> list[dict[str, Any]]:
    data = listing.get("data")
    return [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []


def _object(value: Any) -> dict[str, Any]:
    """A JSON object from an answer, or an empty one when it is something else."""
    return value if isinstance(value, dict) else {}
