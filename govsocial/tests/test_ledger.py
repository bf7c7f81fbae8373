"""The ledger: chaining, verification against the live rows, tampering caught and named."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import InternalError, connection, transaction
from django.utils import timezone

from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from complaints.models import Complainant, TimelineEvent
from complaints.services.personal_data import complainant_erase
from complaints.services.timeline import timeline_record
from complaints.tests.factories import register
from govsocial.append_only import AppendOnlyError
from govsocial.ledger.canonical import GENESIS, document_bytes, link_hash, sha256_hex
from govsocial.ledger.models import LedgerEntry, LedgerHead
from govsocial.ledger.registry import ledger_register, recorded_model
from govsocial.ledger.selectors import entry_for
from govsocial.ledger.verify import ledger_verify
from moderation.models import Decision, Item, PlatformAction
from moderation.services import decisions
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


def an_item(institution, external_id: str = "1") -> Item:
    return item_apply_event(
        channel=ChannelFactory(institution=institution),
        event=ItemEvent(
            external_id=external_id, verb=Verb.CREATE, author_name="Jan Peeters", text="Bonjour"
        ),
    )


@pytest.fixture
def world(defence, defence_communicator):
    """Decisions and timeline events of defence, interleaved."""
    item = an_item(defence)
    case = register(defence)
    decisions.item_no_action(item=item, actor=defence_communicator, note="Rien à faire")
    timeline_record(case, None, "note_added", text="checked")
    return item, case


def verify(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_ledger", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def broken(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        verify(*args)
    assert error.value.returncode != 0
    return str(error.value)


def tamper(sql: str, table: str, params: list[object]) -> None:
    """Superuser SQL behind the application's back: the table's triggers off, then on."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check pending
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_every_recorded_row_is_chained_in_order_and_verifies(world, defence) -> None:
    entries = list(LedgerEntry.objects.filter(institution=defence).order_by("seq"))
    kinds = {entry.kind for entry in entries}
    assert kinds == {"moderation.decision", "complaints.timeline_event"}
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    prev = GENESIS
    for entry in entries:
        assert entry.prev_hash == prev
        assert entry.entry_hash == link_hash(prev, entry.content_hash)
        prev = entry.entry_hash
    head = LedgerHead.objects.get(institution=defence)
    assert (head.seq, head.head_hash) == (len(entries), prev)
    assert f"defence: {len(entries)} entries verified" in verify("--institution", "defence")


def test_the_content_hash_is_the_documented_canonical_json(world, defence) -> None:
    decision = Decision.objects.filter(note="Rien à faire").get()
    entry = entry_for(decision)
    assert entry is not None
    document = document_bytes(
        kind="moderation.decision",
        object_id=str(decision.pk),
        salt=entry.salt,
        record={
            "institution": defence.pk,
            "item": decision.item_id,
            "actor": decision.actor_id,
            "action": "no_action",
            "created_at": decision.created_at,
            "note": "Rien à faire",
            "rule": None,
            "reasons": "",
            "reply_text": "",
            "assignee": None,
            "case": None,
            "evidence": None,
            "advice": [],
            "referral_target": "",
            "referral_person": "",
            "proposed_by": None,
        },
    )
    assert document.startswith(b'{"id":"%d","kind":"moderation.decision"' % decision.pk)
    assert b"Rien \\u00e0 faire" in document  # ASCII only, whatever the language
    assert sha256_hex(document) == entry.content_hash


def test_a_decision_changed_behind_the_applications_back_is_named(world) -> None:
    decision = Decision.objects.filter(note="Rien à faire").get()
    entry = entry_for(decision)
    assert entry is not None
    tamper(
        "UPDATE moderation_decision SET note = %s WHERE id = %s",
        "moderation_decision",
        ["Supprimé", decision.pk],
    )
    message = broken()
    assert f"entry #{entry.seq} (moderation.decision {decision.pk})" in message
    assert "live Decision row does not match" in message


def test_a_changed_chain_entry_is_named(world, defence) -> None:
    tamper(
        "UPDATE govsocial_ledgerentry SET entry_hash = %s WHERE institution_id = %s AND seq = 2",
        "govsocial_ledgerentry",
        ["f" * 64, defence.pk],
    )
    message = broken("--institution", "defence")
    assert "entry #2" in message
    assert "entry hash" in message


def test_a_chain_rewritten_consistently_still_disagrees_with_the_published_digest(
    world, defence
) -> None:
    from govsocial.ledger.models import LedgerDigest

    last = LedgerEntry.objects.filter(institution=defence).order_by("seq").last()
    LedgerDigest.objects.create(
        institution=defence, day="2026-01-01", head_seq=last.seq, head_hash="a" * 64, entries=1
    )
    assert "digest published for 2026-01-01" in broken()


def test_a_deleted_row_and_a_deleted_entry_are_named(world, defence) -> None:
    event = TimelineEvent.objects.filter(kind="note_added").get()
    tamper(
        "DELETE FROM complaints_timelineevent WHERE id = %s", "complaints_timelineevent", [event.pk]
    )
    assert f"(complaints.timeline_event {event.pk}): the recorded TimelineEvent row no longer" in (
        broken()
    )
    tamper(
        "DELETE FROM govsocial_ledgerentry WHERE institution_id = %s AND seq = 1",
        "govsocial_ledgerentry",
        [defence.pk],
    )
    assert "entry #1 is missing" in broken()


def test_the_last_entry_deleted_is_named_by_the_head(world, defence) -> None:
    head = LedgerHead.objects.get(institution=defence)
    tamper(
        "DELETE FROM govsocial_ledgerentry WHERE institution_id = %s AND seq = %s",
        "govsocial_ledgerentry",
        [defence.pk, head.seq],
    )
    assert f"entry #{head.seq}: entries at the end of the chain are missing" in broken()


def test_a_row_inserted_behind_the_applications_back_is_named(world, defence) -> None:
    case = world[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO complaints_timelineevent (institution_id, case_id, at, kind, data)"
            " VALUES (%s, %s, now(), 'note_added', '{}') RETURNING id",
            [defence.pk, case.pk],
        )
        (stray,) = cursor.fetchone()
    assert f"complaints.timeline_event {stray}): this row has no entry" in broken()


def test_other_institutions_are_verified_apart(world, police, defence) -> None:
    an_item(police, "p")  # the automatic assignment, if any, goes to police's own chain
    decision = Decision.objects.filter(note="Rien à faire").get()
    tamper(
        "UPDATE moderation_decision SET note = 'x' WHERE id = %s",
        "moderation_decision",
        [decision.pk],
    )
    assert "police" not in broken()
    verify("--institution", "federal-police")


def test_an_unknown_institution_is_a_clear_error() -> None:
    assert "No institution has the slug 'nowhere'" in broken("--institution", "nowhere")


def test_erasing_a_complainants_data_keeps_the_ledger_verifying(
    world, defence_officer, defence
) -> None:
    case = world[1]
    complainant_erase(case=case, actor=defence_officer, reason="Asked by e-mail")
    assert Complainant.objects.get(case=case).name == ""
    assert entry_for(TimelineEvent.objects.get(kind="personal_data_erased")) is not None
    verify()


def test_entries_and_recorded_rows_cannot_be_changed(world) -> None:
    entry = LedgerEntry.objects.first()
    assert entry is not None
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().update(kind="x")
    with (
        connection.cursor() as cursor,
        pytest.raises(InternalError, match="Cannot update or delete"),
    ):
        cursor.execute("UPDATE govsocial_ledgerentry SET kind = 'x'")


def test_bulk_inserted_rows_are_chained_too(defence) -> None:
    case = register(defence)
    before = LedgerEntry.objects.count()
    events = TimelineEvent.objects.bulk_create(
        [TimelineEvent(institution=defence, case=case, kind="note_added") for _ in range(3)]
    )
    assert LedgerEntry.objects.count() == before + 3
    assert all(entry_for(event) for event in events)
    with pytest.raises(ValueError, match="on conflict"):
        TimelineEvent.objects.bulk_create(
            [TimelineEvent(institution=defence, case=case, kind="x")], ignore_conflicts=True
        )
    verify()


def test_only_append_only_models_with_an_institution_can_be_recorded() -> None:
    with pytest.raises(TypeError, match="append-only"):
        ledger_register(PlatformAction, "moderation.platform_action", fields=(), time_field="at")
    assert recorded_model(PlatformAction) is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_for_one_institution_never_fork_the_chain(defence) -> None:
    """Several real connections append to one chain at the same moment: they take turns."""
    case = register(defence)
    workers, each = 4, 5
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            barrier.wait(timeout=10)
            for number in range(each):
                with transaction.atomic():
                    timeline_record(case, None, "note_added", worker=worker, number=number)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entries = LedgerEntry.objects.filter(institution=defence).order_by("seq")
    total = TimelineEvent.objects.filter(case=case).count()
    assert [e.seq for e in entries] == list(range(1, total + 1))
    assert len({e.prev_hash for e in entries}) == total  # no two entries follow the same one
    assert ledger_verify(defence.pk).broken is None


def test_rows_written_before_the_ledger_are_chained_in_the_order_they_were_written(
    world, defence
) -> None:
    from django.apps import apps
    from django.db.models import QuerySet

    from govsocial.ledger.backfill import ledger_backfill

    item, case = world
    head = LedgerHead.objects.get(institution=defence)
    older = timezone.now() - timedelta(days=30)
    unrecorded = QuerySet(TimelineEvent).bulk_create(  # the plain queryset: no entry
        [TimelineEvent(institution=defence, case=case, kind="note_added", at=older)]
    ) + QuerySet(Decision).bulk_create(
        [Decision(institution=defence, item=item, action="assign", created_at=older - HOUR)]
    )
    assert "this row has no entry" in broken()
    assert ledger_backfill(apps, ["complaints.timeline_event", "moderation.decision"]) == 2
    added = LedgerEntry.objects.filter(institution=defence, seq__gt=head.seq).order_by("seq")
    assert [(e.kind, e.object_id) for e in added] == [
        ("moderation.decision", str(unrecorded[1].pk)),
        ("complaints.timeline_event", str(unrecorded[0].pk)),
    ]
    assert ledger_backfill(apps, ["complaints.timeline_event", "moderation.decision"]) == 0
    verify()


def test_appending_one_row_costs_one_statement(world, defence, django_assert_num_queries) -> None:
    from django.db.models import QuerySet

    from govsocial.ledger.append import ledger_append

    [event] = QuerySet(TimelineEvent).bulk_create(  # the plain queryset: no entry yet
        [TimelineEvent(institution=defence, case=world[1], kind="note_added")]
    )
    with django_assert_num_queries(1):
        entry = ledger_append(event)
    assert entry.seq == LedgerHead.objects.get(institution=defence).seq
    assert entry.entry_hash == link_hash(entry.prev_hash, entry.content_hash)
    verify()


def test_a_few_rows_take_one_statement_each_and_many_the_locked_path(
    world, defence, django_assert_num_queries
) -> None:
    from django.db.models import QuerySet

    from govsocial.ledger.append import ONE_BY_ONE, ledger_append_many

    few, many = ONE_BY_ONE, ONE_BY_ONE + 5
    events = QuerySet(TimelineEvent).bulk_create(
        [TimelineEvent(institution=defence, case=world[1], kind="x") for _ in range(few + many)]
    )
    with django_assert_num_queries(few):
        ledger_append_many(events[:few])
    with django_assert_num_queries(3):  # lock the head, insert the entries, update the head
        ledger_append_many(events[few:])
    verify()
