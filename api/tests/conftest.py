"""Data for the API tests: one of each resource in Defence (and a channel in Police), and
tokens with each scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Institution, User
from api.models import Scope
from api.services import NewToken, token_create
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from charter.selectors import rules_justifying
from charter.tests.factories import published_charter
from complaints.tests.factories import register
from moderation.models import Item
from moderation.services.decisions import item_hide, item_no_action
from moderation.services.ingest import item_apply_event


def make_token(institution: Institution, actor: User | None, *scopes: str, name: str = "") -> str:
    created: NewToken = token_create(
        institution=institution,
        actor=actor,
        name=name or "+".join(scopes) or "none",
        scopes=list(scopes),
        expires_at=timezone.now() + timedelta(days=30),
    )
    return created.secret


class ApiClient(Client):
    """A test client that sends its token and JSON."""

    def __init__(self, secret: str = "", **kwargs: object) -> None:
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        super().__init__(headers=headers, **kwargs)  # type: ignore[arg-type]

    def post_json(self, path: str, data: object) -> object:
        return self.post(path, data, content_type="application/json")


@dataclass
class World:
    channel_id: int
    item_id: int
    decision_id: int
    reference: str
    charter_id: int
    police_item_id: int
    police_reference: str


def item_in(channel, external_id: str) -> Item:
    return item_apply_event(
        channel=channel,
        event=ItemEvent(external_id=external_id, verb=Verb.CREATE, text="Bonjour", author_name="A"),
    )


@pytest.fixture
def world(defence, police, defence_admin, defence_communicator) -> World:
    charter = published_charter(defence, defence_admin)
    channel = ChannelFactory(institution=defence)
    item = item_in(channel, "api-1")
    item_in(channel, "api-4")
    decided = item_in(channel, "api-2")
    decision = item_no_action(item=decided, actor=defence_communicator).decision
    hidden = item_in(channel, "api-3")
    rule = rules_justifying(defence, "hide").first()
    item_hide(item=hidden, actor=defence_communicator, rule=rule, reasons="Spam: hidden")
    case = register(defence)
    police_channel = ChannelFactory(institution=police)
    police_item = item_in(police_channel, "police-1")
    return World(
        channel_id=channel.pk,
        item_id=item.pk,
        decision_id=decision.pk,
        reference=case.reference,
        charter_id=charter.pk,
        police_item_id=police_item.pk,
        police_reference=register(police).reference,
    )


ALL_SCOPES = tuple(Scope.values)
