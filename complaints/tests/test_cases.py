"""Complaint cases: references, the 30-day clock, holds, the status machine, personal data."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.models import Case, Complainant, TimelineEvent, TimelineImmutableError
from complaints.services import cases
from complaints.services.cases import CaseTransitionError
from complaints.tests.factories import builtin, register

BRUSSELS = ZoneInfo("Europe/Brussels")
pytestmark = pytest.mark.django_db


class TestReferences:
    def test_prefix_year_and_sequence_per_institution(self, defence, police) -> None:
        received = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        first = register(defence, received_at=received)
        second = register(defence, received_at=received)
        other = register(police, received_at=received)
        assert (first.reference, second.reference) == ("DEF-2026-00001", "DEF-2026-00002")
        assert other.reference == "FED-2026-00001"

    def test_numbering_restarts_each_year_by_local_date(self, defence) -> None:
        register(defence, received_at=datetime(2026, 6, 1, tzinfo=UTC))
        # 31 December 23:30 UTC is already 1 January in Brussels.
        new_year = register(defence, received_at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
        assert new_year.reference == "DEF-2027-00001"

    def test_an_explicit_prefix_wins(self, defence) -> None:
        defence.complaint_prefix = "MIL"
        defence.save()
        assert register(defence).reference.startswith("MIL-")

    def test_a_rolled_back_registration_gives_its_number_back(self, defence) -> None:
        def register_then_fail() -> None:
            with transaction.atomic():
                register(defence, received_at=datetime(2026, 5, 1, tzinfo=UTC))
                raise RuntimeError

        with pytest.raises(RuntimeError):
            register_then_fail()
        assert register(defence, received_at=datetime(2026, 5, 1, tzinfo=UTC)).reference == (
            "DEF-2026-00001"
        )


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_never_share_a_number(defence) -> None:
    """Eight real connections registering at once: forty distinct, consecutive numbers."""
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(5):
                register(defence, received_at=datetime(2026, 4, 1, tzinfo=UTC))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    references = sorted(Case.objects.values_list("reference", flat=True))
    assert references == [f"DEF-2026-{n:05d}" for n in range(1, 41)]


class TestDueDates:
    # The fixture's institution is shared by the examples on purpose: only numbering would differ.
    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        received=st.datetimes(
            min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
        )
    )
    def test_end_of_the_thirtieth_local_day(self, defence, received: datetime) -> None:
        case = register(defence, received_at=received)
        local_due = case.due_at.astimezone(BRUSSELS)
        assert local_due.date() == received.astimezone(BRUSSELS).date() + timedelta(days=30)
        assert local_due.time() == time(23, 59, 59)
        assert case.warn_at < case.due_at

    @pytest.mark.parametrize(
        ("received_local", "due_local"),
        [
            (datetime(2026, 3, 1, 10, 0), datetime(2026, 3, 31, 23, 59, 59)),  # spring 2026
            (datetime(2026, 10, 1, 0, 30), datetime(2026, 10, 31, 23, 59, 59)),
            (datetime(2026, 10, 25, 2, 30), datetime(2026, 11, 24, 23, 59, 59)),  # autumn 2026
            (datetime(2027, 3, 28, 3, 30), datetime(2027, 4, 27, 23, 59, 59)),  # spring 2027
            (datetime(2027, 10, 31, 2, 30), datetime(2027, 11, 30, 23, 59, 59)),  # autumn 2027
            (datetime(2028, 1, 30, 12, 0), datetime(2028, 2, 29, 23, 59, 59)),  # 29 Feb 2028
            (datetime(2028, 2, 29, 12, 0), datetime(2028, 3, 30, 23, 59, 59)),
        ],
    )
    def test_known_dates(self, defence, received_local, due_local) -> None:
        case = register(defence, received_at=received_local.replace(tzinfo=BRUSSELS))
        assert case.due_at.astimezone(BRUSSELS).replace(tzinfo=None) == due_local

    def test_the_institutions_number_of_days(self, defence) -> None:
        defence.complaint_response_days = 15
        defence.save()
        case = register(defence, received_at=datetime(2026, 6, 1, 8, 0, tzinfo=BRUSSELS))
        assert case.due_at.astimezone(BRUSSELS).date().isoformat() == "2026-06-16"


class TestHolds:
    def test_hold_and_resume_move_the_due_date_by_the_time_on_hold(
        self, defence, defence_officer
    ) -> None:
        start = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
        case = register(defence, received_at=start)
        due, warn = case.due_at, case.warn_at
        held = start + timedelta(days=2)
        cases.case_hold(case=case, actor=defence_officer, reason="Waiting for the invoice", at=held)
        resumed = held + timedelta(days=9, hours=3, seconds=7)  # across the DST change
        case = cases.case_resume(case=case, actor=defence_officer, at=resumed)
        # ten calendar days later (9 days 3 h rounded up), still 23:59:59 local time
        assert case.due_at.astimezone(BRUSSELS) == (due.astimezone(BRUSSELS) + timedelta(days=10))
        assert case.due_at.astimezone(BRUSSELS).time().isoformat() == "23:59:59"
        assert case.warn_at - warn == case.due_at - due
        assert case.status == "in_progress"
        event = case.timeline.get(kind="resumed")
        assert event.data["due_at_before"] == due.isoformat()
        assert event.data["due_at"] == case.due_at.isoformat()
        assert event.data["held_seconds"] == 9 * 86400 + 3 * 3600 + 7
        assert case.timeline.get(kind="held").data["reason"] == "Waiting for the invoice"

    def test_without_suspension_the_due_date_stays(self, defence, defence_officer) -> None:
        defence.hold_suspends_complaint_clock = False
        defence.save()
        case = register(defence)
        due = case.due_at
        cases.case_hold(case=case, actor=defence_officer, reason="Waiting")
        case = cases.case_resume(
            case=case, actor=defence_officer, at=case.received_at + timedelta(days=5)
        )
        assert case.due_at == due
        assert case.timeline.get(kind="resumed").data["due_at"] == due.isoformat()

    def test_closing_a_held_case_ends_the_hold(self, defence, defence_officer) -> None:
        case = register(defence)
        cases.case_hold(case=case, actor=defence_officer, reason="No answer")
        case = cases.case_close(case=case, actor=defence_officer, outcome="withdrawn")
        assert (case.status, case.outcome, case.on_hold_since) == ("closed", "withdrawn", None)
        assert [e.kind for e in case.timeline.all()] == ["received", "held", "resumed", "closed"]

    def test_a_hold_needs_a_reason(self, defence, defence_officer) -> None:
        with pytest.raises(CaseTransitionError, match="Say why"):
            cases.case_hold(case=register(defence), actor=defence_officer, reason="  ")


class TestStatusMachine:
    def test_a_case_from_receipt_to_closing_and_reopening(self, defence, defence_officer) -> None:
        case = register(defence)
        case = cases.case_acknowledge(case=case, actor=defence_officer)
        case = cases.case_start(case=case, actor=defence_officer)
        case = cases.case_answer(case=case, actor=defence_officer)
        case = cases.case_close(case=case, actor=defence_officer, outcome="partly_founded")
        case = cases.case_reopen(case=case, actor=defence_officer, reason="New facts")
        assert (case.status, case.outcome, case.closed_at) == ("in_progress", "", None)
        kinds = [event.kind for event in case.timeline.all()]
        assert kinds == ["received", "acknowledged", "status", "answered", "closed", "reopened"]
        reopened = case.timeline.get(kind="reopened")
        assert reopened.data == {"reason": "New facts", "previous_outcome": "partly_founded"}
        assert reopened.actor == defence_officer

    @pytest.mark.parametrize(
        ("steps", "message"),
        [
            (["answer", "answer"], "cannot become"),
            (["acknowledge", "acknowledge"], "already acknowledged"),
            (["reopen"], "Only a closed case"),
        ],
    )
    def test_impossible_moves_are_refused_with_a_reason(
        self, defence, defence_officer, steps, message
    ) -> None:
        case = register(defence)
        calls = {
            "answer": lambda c: cases.case_answer(case=c, actor=defence_officer),
            "acknowledge": lambda c: cases.case_acknowledge(case=c, actor=defence_officer),
            "reopen": lambda c: cases.case_reopen(case=c, actor=defence_officer, reason="x"),
        }
        *possible, impossible = steps
        for step in possible:
            case = calls[step](case)
        with pytest.raises(CaseTransitionError, match=message):
            calls[impossible](case)

    def test_closing_needs_a_known_outcome(self, defence, defence_officer) -> None:
        with pytest.raises(CaseTransitionError, match="outcome"):
            cases.case_close(case=register(defence), actor=defence_officer, outcome="maybe")

    def test_the_database_refuses_a_closed_case_without_outcome(self, defence) -> None:
        case = register(defence)
        with pytest.raises(Exception, match="case_closed_has_outcome"), transaction.atomic():
            Case.objects.filter(pk=case.pk).update(status="closed")

    def test_a_category_of_another_institution_is_refused(self, defence, police) -> None:
        from complaints.models import Category

        own = Category.objects.create(
            institution=police, code="traffic", name_fr="Trafic", name_nl="Verkeer", name_en="T"
        )
        with pytest.raises(CaseTransitionError, match="another institution"):
            cases.case_register(
                institution=defence,
                actor=None,
                source="phone",
                category=own,
                subject="s",
                description="d",
                language="fr",
                complainant=cases.ComplainantData(),
            )


class TestTimelineAndPersonalData:
    def test_the_timeline_is_append_only_for_the_orm(self, defence) -> None:
        event = register(defence).timeline.get()
        event.data = {"forged": True}
        with pytest.raises(TimelineImmutableError):
            event.save()
        with pytest.raises(TimelineImmutableError):
            event.delete()
        with pytest.raises(TimelineImmutableError):
            TimelineEvent.objects.filter(pk=event.pk).update(data={})
        with pytest.raises(TimelineImmutableError):
            TimelineEvent.objects.filter(pk=event.pk).delete()

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE complaints_timelineevent SET data = '{}'::jsonb",
            "DELETE FROM complaints_timelineevent",
        ],
    )
    def test_the_database_refuses_raw_changes(self, defence, statement: str) -> None:
        register(defence)
        with (
            pytest.raises(InternalError, match="timeline_append_only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)

    def test_personal_data_is_kept_apart_from_case_and_timeline(self, defence) -> None:
        case = register(defence)
        complainant = Complainant.objects.get(case=case)
        assert (complainant.name, complainant.email) == ("Anne Dupont", "anne@example.be")
        stored = [str(v) for v in Case.objects.filter(pk=case.pk).values().get().values()]
        stored += [str(e.data) for e in case.timeline.all()]
        assert not any("Anne" in value or "anne@" in value for value in stored)

    def test_builtin_categories_exist_in_three_languages(self) -> None:
        category = builtin("cyber_harassment")
        assert (category.name_fr, category.name_nl, category.name_en) == (
            "Cyberharcèlement",
            "Cyberpesten",
            "Cyber-harassment",
        )


def test_an_item_escalated_to_a_complaint_keeps_both_clocks(defence, defence_officer) -> None:
    from channels.connectors.base import ItemEvent, Verb
    from channels.tests.factories import ChannelFactory
    from moderation.services.ingest import item_apply_event
    from moderation.social_items import social_item

    channel = ChannelFactory(institution=defence)
    posted = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
    item = item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id="c-1",
            verb=Verb.CREATE,
            occurred_at=posted,
            author_name="Luc Martin",
            author_url="https://www.facebook.com/luc.martin",
            text="Trois semaines sans réponse à mon dossier de recrutement, c'est honteux.",
            language="fr",
        ),
        now=posted,
    )
    item_due = item.due_at
    case = cases.case_open_from_item(
        item=social_item(item),
        actor=defence_officer,
        category=builtin(),
        subject="Dossier de recrutement",
    )
    item.refresh_from_db()
    assert item.due_at == item_due  # the 24-hour clock is untouched
    assert case.source == "social_media"
    assert case.received_at == posted
    assert case.due_at.astimezone(BRUSSELS).date().isoformat() == "2026-12-20"
    assert list(case.items.all()) == [item]
    assert case.description.startswith("Trois semaines")
    complainant = Complainant.objects.get(case=case)
    assert complainant.name == "Luc Martin"
    assert complainant.social_account == "https://www.facebook.com/luc.martin"
    linked = case.timeline.get(kind="item_linked")
    assert linked.data == {"item_id": item.pk, "channel_id": channel.pk}
