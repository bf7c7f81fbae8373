"""Marking an item as harassment: evidence with its SHA-256, advice, referral; who may do it."""

from __future__ import annotations

import hashlib

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from complaints.models import EvidenceSnapshot
from moderation.models import Decision, Item
from moderation.services import decisions
from moderation.services.decisions import DecisionRefused
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(defence) -> Item:
    return item_apply_event(
        channel=ChannelFactory(institution=defence),
        event=ItemEvent(
            external_id="abuse-1",
            verb=Verb.CREATE,
            author_name="Troll Anonyme",
            author_handle="@troll",
            text="On sait où tu habites.",
            permalink="https://facebook.example/p/abuse-1",
            raw={"id": "abuse-1", "from": {"name": "Troll Anonyme"}},
        ),
    )


def mark(item: Item, actor, **overrides):
    values = {
        "advice": ["do_not_respond", "document", "police_complaint"],
        "referral_target": "mediator",
        "referral_person": "Mme Janssens, médiatrice",
        "note": "Menaces répétées",
    }
    return decisions.item_mark_harassment(item=item, actor=actor, **(values | overrides))


def test_marking_preserves_the_item_with_a_verifiable_hash(item, defence_communicator) -> None:
    from complaints.services.evidence import snapshot_bytes

    decision = mark(item, defence_communicator).decision
    snapshot = decision.evidence
    assert snapshot.case is None
    assert snapshot.content["text"] == "On sait où tu habites."
    assert snapshot.content["author_name"] == "Troll Anonyme"
    assert snapshot.content["permalink"] == "https://facebook.example/p/abuse-1"
    assert snapshot.content["raw_payload"] == {"id": "abuse-1", "from": {"name": "Troll Anonyme"}}
    assert snapshot.content["captured_at"]
    assert snapshot.sha256 == hashlib.sha256(snapshot_bytes(snapshot.content)).hexdigest()
    assert decision.advice == ["do_not_respond", "document", "police_complaint"]
    assert (decision.referral_target, decision.referral_person) == (
        "mediator",
        "Mme Janssens, médiatrice",
    )


def test_marking_answers_nothing(item, defence_communicator) -> None:
    outcome = mark(item, defence_communicator)
    assert outcome.item.status == "open"
    assert outcome.item.first_response_at is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"referral_target": ""}, "trusted person or a mediator"),
        ({"referral_person": "  "}, "to whom the victim was referred"),
        ({"advice": ["buy_a_gun"]}, "Unknown advice"),
    ],
)
def test_an_incomplete_mark_is_refused_and_keeps_nothing(
    item, defence_communicator, overrides, message
) -> None:
    with pytest.raises(DecisionRefused, match=message):
        mark(item, defence_communicator, **overrides)
    assert not EvidenceSnapshot.objects.exists()
    assert not Decision.objects.exists()


def test_the_database_refuses_a_harassment_decision_without_evidence(
    item, defence_communicator
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            institution=item.institution, item=item, actor=defence_communicator,
            action="harassment",
        )  # fmt: skip


def test_the_item_page_marks_shows_and_serves_the_evidence(
    client: Client, item, defence_communicator
) -> None:
    client.force_login(defence_communicator)
    base = f"/i/defence/queue/items/{item.pk}/"
    form = client.get(base).content.decode()
    assert "Talk to a trusted person or a mediator" in form
    response = client.post(
        f"{base}harassment/",
        {"advice": ["trusted_person"], "referral_target": "trusted_person",
         "referral_person": "Jan Peeters"},
    )  # fmt: skip
    assert response.status_code == 302
    snapshot = EvidenceSnapshot.objects.get()
    page = client.get(base).content.decode()
    assert snapshot.sha256 in page
    assert "Jan Peeters" in page
    download = client.get(f"{base}evidence/{snapshot.pk}/")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == snapshot.sha256

    refused = client.post(f"{base}harassment/", {"referral_target": "mediator"})
    assert refused.status_code == 400
    assert "Say to whom the victim was referred." in refused.content.decode()


def test_a_complaint_officer_cannot_mark_and_an_outsider_cannot_download(
    client: Client, item, defence_communicator, defence_officer, police_communicator
) -> None:
    snapshot = mark(item, defence_communicator).decision.evidence
    base = f"/i/defence/queue/items/{item.pk}/"
    client.force_login(defence_officer)
    assert client.post(f"{base}harassment/", {}).status_code == 403
    client.force_login(police_communicator)
    assert client.get(f"{base}evidence/{snapshot.pk}/").status_code == 404


def test_a_spokesperson_marks_too(item, defence) -> None:
    spokesperson = member(defence, Role.SPOKESPERSON)
    assert mark(item, spokesperson).decision.actor == spokesperson
