"""Retention of social media items: text and author erased after the institution's period,
figures and decisions kept, items linked to a complaint or kept as evidence never touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import Notification, OutgoingEmail
from channels.connectors.base import ItemEvent, Verb
from channels.models import ImportJob, InboundDelivery
from channels.tests.factories import ChannelFactory
from complaints.models import EvidenceSnapshot
from complaints.tests.factories import builtin
from deadlines.delivery import deadline_emails_write
from deadlines.engine import deadlines_check
from moderation.models import Decision, Item, ItemRevision
from moderation.services import decisions
from moderation.services.ingest import item_apply_event
from moderation.services.retention import items_anonymise_expired

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=400)  # beyond the default 12 months


def arrive(channel, external_id: str, at: datetime, **fields: str) -> Item:
    event = ItemEvent(
        external_id=external_id,
        verb=Verb.CREATE,
        occurred_at=at,
        author_name="Jan Peeters",
        author_handle="@jan",
        author_url="https://social.example/@jan",
        text="Mijn adres is Kerkstraat 1",
        permalink=f"https://social.example/p/{external_id}",
        raw={"from": "Jan Peeters"},
        **fields,
    )
    with time_machine.travel(at, tick=False):
        return item_apply_event(channel=channel, event=event, now=at)


def edit(channel, item: Item, at: datetime) -> None:
    event = ItemEvent(external_id=item.external_id, verb=Verb.EDIT, occurred_at=at, text="Edited")
    with time_machine.travel(at, tick=False):
        item_apply_event(channel=channel, event=event, now=at)


def test_old_items_lose_text_and_author_and_keep_their_figures(
    defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence)
    old = arrive(channel, "old", LONG_AGO, language="nl")
    edit(channel, old, LONG_AGO + timedelta(hours=1))
    with time_machine.travel(LONG_AGO + timedelta(hours=2), tick=False):
        decisions.item_no_action(item=old, actor=defence_communicator, note="Geen actie")
    recent = arrive(channel, "recent", NOW - timedelta(days=300))
    assert ItemRevision.objects.filter(item=old).exists()

    with time_machine.travel(NOW, tick=False):
        assert items_anonymise_expired() == 1
        assert items_anonymise_expired() == 0  # nothing twice

    old.refresh_from_db()
    erased = (old.text, old.author_name, old.author_handle, old.author_url, old.permalink)
    assert erased == ("", "", "", "", "")
    assert old.raw_payload == {}
    assert old.anonymised_at == NOW
    assert not ItemRevision.objects.filter(item=old).exists()
    kept = (old.status, old.language, old.external_id, old.received_at, old.first_response_at)
    assert kept[:3] == ("no_action", "nl", "old")
    assert kept[3] == LONG_AGO
    assert kept[4] == LONG_AGO + timedelta(hours=2)
    assert Decision.objects.filter(item=old).count() == 1
    recent.refresh_from_db()
    assert recent.text == "Mijn adres is Kerkstraat 1"
    assert recent.anonymised_at is None


def test_a_late_platform_event_brings_no_erased_text_back(defence) -> None:
    channel = ChannelFactory(institution=defence)
    item = arrive(channel, "old", LONG_AGO)
    with time_machine.travel(NOW, tick=False):
        items_anonymise_expired()
    again = arrive(channel, "old", LONG_AGO)  # a platform's retry of the creation
    edit(channel, item, NOW)
    assert again.pk == item.pk
    item.refresh_from_db()
    assert (item.text, item.author_name, item.permalink) == ("", "", "")
    assert not ItemRevision.objects.filter(item=item).exists()
    assert Item.objects.count() == 1


def test_each_institution_keeps_items_as_long_as_it_says(defence, police) -> None:
    police.item_retention_months = 1
    police.save()
    defence_item = arrive(ChannelFactory(institution=defence), "d", NOW - timedelta(days=60))
    police_item = arrive(ChannelFactory(institution=police), "p", NOW - timedelta(days=60))
    with time_machine.travel(NOW, tick=False):
        assert items_anonymise_expired() == 1
    defence_item.refresh_from_db()
    police_item.refresh_from_db()
    assert defence_item.text
    assert not police_item.text


def test_items_linked_to_a_complaint_or_kept_as_evidence_are_never_erased(
    defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence)
    escalated = arrive(channel, "escalated", LONG_AGO)
    harassment = arrive(channel, "harassment", LONG_AGO)
    with time_machine.travel(LONG_AGO + timedelta(hours=1), tick=False):
        decisions.item_escalate(
            item=escalated, actor=defence_communicator, category=builtin(), subject="Klacht"
        )
        decisions.item_mark_harassment(
            item=harassment, actor=defence_communicator, advice=["document"],
            referral_target="mediator", referral_person="Mevrouw Janssens",
        )  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        assert items_anonymise_expired() == 0
    for item in (escalated, harassment):
        item.refresh_from_db()
        assert item.text == "Mijn adres is Kerkstraat 1"
        assert item.anonymised_at is None
    assert EvidenceSnapshot.objects.filter(item=harassment, case=None).get().content["text"]


def test_notices_and_mails_naming_the_author_go_with_the_item(
    settings, defence, defence_communicator
) -> None:
    settings.EMAIL_RETENTION_DAYS = 3650  # only the item's own erasure may remove them
    channel = ChannelFactory(institution=defence)
    channel.moderators.add(defence_communicator)
    item = arrive(channel, "late", LONG_AGO)
    deadlines_check(LONG_AGO + timedelta(hours=25))  # a breach notice: "… · Jan Peeters"
    deadline_emails_write()
    assert Notification.objects.filter(subject__contains="Jan Peeters").exists()
    assert OutgoingEmail.objects.filter(body_text__contains="Jan Peeters").exists()
    with time_machine.travel(NOW, tick=False):
        assert items_anonymise_expired() == 1
    assert not Notification.objects.filter(subject__contains="Jan Peeters").exists()
    assert not OutgoingEmail.objects.filter(body_text__contains="Jan Peeters").exists()
    item.refresh_from_db()
    assert item.anonymised_at is not None


def test_raw_copies_of_old_items_are_erased_too(defence, defence_communicator) -> None:
    channel = ChannelFactory(institution=defence)

    def delivery(name: str, at: datetime, status: str) -> InboundDelivery:
        return InboundDelivery.objects.create(
            institution=defence, channel=channel, source="generic", received_at=at,
            status=status, body=b'{"author": "Jan Peeters"}', body_sha256=name * 64,
        )  # fmt: skip

    old = delivery("a", LONG_AGO, "processed")
    waiting = delivery("b", LONG_AGO, "received")  # still owed to the sweeper
    recent = delivery("c", NOW - timedelta(days=3), "processed")
    job = ImportJob.objects.create(
        institution=defence, channel=channel, uploaded_by=defence_communicator,
        file_name="oud.csv", file_format="csv", content=b"author\nJan Peeters\n", status="done",
        created_at=LONG_AGO,
    )  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        items_anonymise_expired()
    remaining = set(InboundDelivery.objects.values_list("pk", flat=True))
    assert remaining == {waiting.pk, recent.pk}
    assert old.pk not in remaining
    job.refresh_from_db()
    assert bytes(job.content) == b""
    assert job.file_name == "oud.csv"  # the job's record stays
