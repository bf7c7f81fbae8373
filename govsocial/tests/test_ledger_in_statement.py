"""Rows and their ledger entries written inside a caller's own statement
(``govsocial.ledger.append.ledger_insert_ctes``): the same chain, verified the same way."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from complaints.models import TimelineEvent
from complaints.services.timeline import timeline_record
from complaints.tests.factories import register
from govsocial.ledger.append import document_around_id, ledger_insert_ctes
from govsocial.ledger.canonical import document_bytes, link_hash
from govsocial.ledger.models import LedgerEntry, LedgerHead
from govsocial.ledger.registry import recorded_model
from govsocial.ledger.verify import ledger_verify
from govsocial.tests.test_ledger import an_item, verify
from moderation.models import Decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(defence):
    """A case of defence: its registration is in the chain already."""
    registered = register(defence)
    timeline_record(registered, None, "note_added", text="checked")
    return registered


def insert_in_statement(rows: list, *, go: bool = True) -> int:
    """The caller's statement: a CTE ``go`` (one row, or none) and the ledger's CTEs after it;
    how many rows ``go`` returned."""
    ctes, params = ledger_insert_ctes(rows, when="go")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH go AS (SELECT 1 WHERE %s), {ctes} SELECT count(*) FROM go",  # noqa: S608
            [go, *params],
        )
        (count,) = cursor.fetchone()
    return int(count)


def test_the_document_around_the_id_is_the_canonical_document(case, defence) -> None:
    event = TimelineEvent.objects.filter(institution=defence).last()
    recorded = recorded_model(TimelineEvent)
    assert event is not None
    assert recorded is not None
    before, after = document_around_id(recorded, event, "ab" * 16)
    expected = document_bytes(
        kind=recorded.kind, object_id=str(event.pk), salt="ab" * 16, record=recorded.record(event)
    )
    assert (before + str(event.pk) + after).encode("ascii") == expected


def test_rows_and_their_entries_are_one_statement_and_verify(
    case, defence, django_assert_num_queries
) -> None:
    head = LedgerHead.objects.get(institution=defence)
    rows = [
        TimelineEvent(institution=defence, case=case, kind="note_added", data={"text": text})
        for text in ("première", "zweite é")  # non-ASCII text: escaped in the document
    ]
    with django_assert_num_queries(1):
        assert insert_in_statement(rows) == 1

    entries = list(LedgerEntry.objects.filter(institution=defence, seq__gt=head.seq))
    assert [e.seq for e in entries] == [head.seq + 1, head.seq + 2]
    assert entries[0].prev_hash == head.head_hash
    assert entries[1].prev_hash == entries[0].entry_hash
    assert all(e.entry_hash == link_hash(e.prev_hash, e.content_hash) for e in entries)
    stored = [TimelineEvent.objects.get(pk=int(e.object_id)) for e in entries]
    assert [s.data["text"] for s in stored] == ["première", "zweite é"]
    assert LedgerHead.objects.get(institution=defence).head_hash == entries[1].entry_hash
    assert ledger_verify(defence.pk).broken is None
    verify()  # manage.py verify_ledger


def test_an_institutions_first_entries_create_its_head(police, police_communicator) -> None:
    item = an_item(police)
    assert not LedgerHead.objects.filter(institution=police).exists()
    rows = [
        Decision(institution=police, item=item, actor=police_communicator, action="assign"),
        Decision(institution=police, item=item, action="no_action", advice={"why": "ok"}),
    ]
    assert insert_in_statement(rows) == 1

    head = LedgerHead.objects.get(institution=police)
    entries = list(LedgerEntry.objects.filter(institution=police).order_by("seq"))
    assert [e.seq for e in entries] == [1, 2] == [1, head.seq]
    assert Decision.objects.filter(item=item).count() == 2
    assert ledger_verify(police.pk).broken is None


def test_nothing_is_written_when_the_callers_cte_writes_nothing(case, defence) -> None:
    head = LedgerHead.objects.get(institution=defence)
    events = TimelineEvent.objects.count()
    row = TimelineEvent(institution=defence, case=case, kind="note_added")
    assert insert_in_statement([row], go=False) == 0
    assert TimelineEvent.objects.count() == events
    assert LedgerHead.objects.get(institution=defence).seq == head.seq
    assert ledger_verify(defence.pk).broken is None


@pytest.mark.django_db(transaction=True)
def test_statements_and_ordinary_appends_at_once_never_fork_the_chain(case, defence) -> None:
    """One worker appends through ``timeline_record`` (the ORM's path), another through the
    caller's statement, at the same moment: they take turns on the head."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def ordinary() -> None:
        for number in range(10):
            timeline_record(case, None, "note_added", number=number)

    def in_statement() -> None:
        for number in range(10):
            insert_in_statement(
                [
                    TimelineEvent(
                        institution=defence, case=case, kind="note_added", at=timezone.now()
                    )
                    for _ in range(1 + number % 2)
                ]
            )

    def run(work) -> None:
        try:
            barrier.wait(timeout=10)
            work()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in (ordinary, in_statement)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entries = LedgerEntry.objects.filter(institution=defence).order_by("seq")
    total = entries.count()
    assert total == TimelineEvent.objects.filter(case=case).count() > 25
    assert [e.seq for e in entries] == list(range(1, total + 1))
    assert len({e.prev_hash for e in entries}) == total
    assert ledger_verify(defence.pk).broken is None
