"""The deadline check on real PostgreSQL: warnings and breaches once, catch-up after an outage,
recipients, concurrency, cost, crisis mode, holds; the e-mail phase and the daily summary."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification, OutgoingEmail, Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.services.channels import channel_crisis_set
from channels.tests.factories import ChannelFactory
from complaints.services.cases import (
    case_answer,
    case_close,
    case_hold,
    case_reopen,
    case_resume,
    case_start,
)
from complaints.tests.factories import register
from deadlines import delivery
from deadlines.engine import deadlines_check
from govsocial.models import DeadlineCheckRun, DeadlineDigest
from moderation.models import Item
from moderation.services import decisions
from moderation.services.assignment import duty_set
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def channel(defence, defence_communicator):
    channel = ChannelFactory(institution=defence, name="Defensie FB", response_hours=24)
    channel.moderators.set([defence_communicator])
    return channel


def received(channel, hours_ago: float, number: int = 1, now: datetime = NOW) -> Item:
    return item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id=f"e{number}-{hours_ago}", verb=Verb.CREATE, author_name="Lien",
            occurred_at=now - timedelta(hours=hours_ago), text="Vraag",
        ),
        now=now - timedelta(hours=hours_ago),  # received then: the clock counts from receipt
    )  # fmt: skip


def notices(kind: str = "") -> list[Notification]:
    found = Notification.objects.filter(kind__startswith="deadline.")
    return list(found.filter(kind=f"deadline.{kind}") if kind else found)


def test_a_warning_then_a_breach_each_once(channel, defence_communicator, defence_admin) -> None:
    item = received(channel, hours_ago=19)  # warning at 18 h, deadline at 24 h
    result = deadlines_check(NOW)
    assert (result.warnings, result.breaches) == (1, 0)
    [warning] = notices("warning")
    assert warning.recipient == defence_communicator  # the channel's team: nobody assigned
    assert "Defensie FB · Lien" in warning.subject
    assert deadlines_check(NOW + timedelta(minutes=1)).warnings == 0

    result = deadlines_check(NOW + timedelta(hours=5, minutes=1))
    assert (result.warnings, result.breaches) == (0, 1)
    breaches = notices("breach")
    assert {n.recipient for n in breaches} == {defence_communicator, defence_admin}
    assert "late by 1 min" in breaches[0].body
    assert "No warning was sent" not in breaches[0].body
    item.refresh_from_db()
    assert item.warned_at == NOW
    assert item.breached_at == NOW + timedelta(hours=5, minutes=1)
    assert deadlines_check(NOW + timedelta(hours=6)).breaches == 0
    assert len(notices()) == 3


def test_the_assignee_is_warned_and_not_the_team(channel, defence, defence_communicator) -> None:
    other = member(defence, Role.COMMUNICATOR)
    duty_set(institution=defence, user=other, on_duty=True)
    item = received(channel, hours_ago=19)
    decisions.item_assign(item=item, actor=defence_communicator, assignee=other)
    deadlines_check(NOW)
    assert [n.recipient for n in notices("warning")] == [other]


def test_after_an_outage_only_the_breach_is_sent_with_the_real_crossing_time(
    channel, defence_communicator
) -> None:
    late = received(channel, hours_ago=25)  # both thresholds passed while nothing ran
    answered = received(channel, hours_ago=26, number=2)
    decisions.item_reply(item=answered, actor=defence_communicator, text="Dag Lien")
    result = deadlines_check(NOW)
    assert (result.warnings, result.breaches) == (0, 1)
    [breach] = [n for n in notices("breach") if n.recipient == defence_communicator]
    assert "late by 1 h" in breach.body
    assert "12:00" in breach.body  # due at 11:00 UTC, stated in Brussels time (12:00)
    assert "No warning was sent" in breach.body
    late.refresh_from_db()
    assert late.warned_at == late.breached_at == NOW  # the warning is recorded as superseded
    assert deadlines_check(NOW + timedelta(hours=1)).warnings == 0


def test_an_outage_of_an_hour_is_caught_up_once(channel) -> None:
    with time_machine.travel(NOW, tick=False):
        deadlines_check()
        for minutes in range(0, 60, 5):  # warnings and deadlines falling inside the outage
            received(channel, hours_ago=18 - minutes / 60 - 0.01, number=minutes)
            received(channel, hours_ago=24 - minutes / 60 - 0.01, number=100 + minutes)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        result = deadlines_check()
    assert (result.warnings, result.breaches) == (12, 12)
    with time_machine.travel(NOW + timedelta(hours=1, minutes=1), tick=False):
        again = deadlines_check()
    assert (again.warnings, again.breaches) == (0, 0)


def test_a_run_is_recorded_and_old_runs_pruned(channel) -> None:
    deadlines_check(NOW - timedelta(days=8))
    received(channel, hours_ago=19)
    deadlines_check(NOW)
    [run] = DeadlineCheckRun.objects.all()
    assert (run.warnings, run.breaches, run.notifications) == (1, 0, 1)


def test_the_cost_follows_the_rows_changing_not_the_rows_open(channel) -> None:
    for number in range(5):
        received(channel, hours_ago=1, number=number)
    deadlines_check(NOW)
    with CaptureQueriesContext(connection) as few:
        deadlines_check(NOW)
    for number in range(5, 60):
        received(channel, hours_ago=1, number=number)
    with CaptureQueriesContext(connection) as many:
        deadlines_check(NOW)
    assert len(few.captured_queries) == len(many.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_two_checks_at_once_notify_each_crossing_once(defence, defence_communicator) -> None:
    """R25: 1,000 items crossing their warning, then their deadline, while two threads on real
    connections each run the check 50 times: one warning and one breach notice per item."""
    channel = ChannelFactory(institution=defence)
    channel.moderators.set([defence_communicator])
    posted = NOW - timedelta(hours=19)  # warning passed an hour ago, deadline in five hours
    Item.objects.bulk_create(
        Item(institution=defence, channel=channel, external_id=f"c{number}", posted_at=posted,
             received_at=posted, due_at=posted + timedelta(hours=24),
             warn_at=posted + timedelta(hours=18))
        for number in range(1000)
    )  # fmt: skip
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            for round_ in range(50):  # from now to ten hours later: warnings, then breaches
                deadlines_check(NOW + timedelta(minutes=12 * round_))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    notices = Notification.objects.filter(recipient=defence_communicator)
    assert notices.filter(kind="deadline.warning").count() == 1000
    assert notices.filter(kind="deadline.breach").count() == 1000
    assert deadlines_check(NOW + timedelta(hours=11)).notifications == 0  # a re-run adds nothing


def test_crisis_mode_shortens_the_deadline_of_new_items_only(
    channel, defence_admin, defence_communicator
) -> None:
    before = received(channel, hours_ago=0.8)
    channel_crisis_set(channel=channel, actor=defence_admin, on=True, reason="Storm")
    channel.refresh_from_db()
    during = received(channel, hours_ago=0.8, number=2)  # warning at 45 min, deadline at 1 h
    assert during.due_at - during.posted_at == timedelta(hours=1)
    before.refresh_from_db()
    assert before.due_at - before.posted_at == timedelta(hours=24)
    deadlines_check(NOW)
    assert [n.url.rsplit("/", 2)[-2] for n in notices("warning")] == [str(during.pk)]
    record = channel.history.order_by("-history_date").first()
    assert (record.crisis_mode, record.history_user, record.history_change_reason) == (
        True,
        defence_admin,
        "Storm",
    )
    with pytest.raises(ValueError, match="already on"):
        channel_crisis_set(channel=channel, actor=defence_admin, on=True, reason="Again")
    with pytest.raises(ValueError, match="Say why"):
        channel_crisis_set(channel=channel, actor=defence_admin, on=False, reason=" ")


def test_a_case_on_hold_is_not_breached_and_its_moved_deadline_is_checked(
    defence, defence_officer
) -> None:
    defence.hold_suspends_complaint_clock = True
    defence.save()
    case = register(defence, received_at=NOW - timedelta(days=25))
    case.assigned_officer = defence_officer
    case.save()
    assert deadlines_check(NOW).warnings == 1  # 75 % of 30 days is past
    case_hold(case=case, actor=defence_officer, reason="Waiting for documents", at=NOW)
    assert deadlines_check(NOW + timedelta(days=10)).breaches == 0  # held past its old deadline
    case = case_resume(case=case, actor=defence_officer, at=NOW + timedelta(days=10))
    result = deadlines_check(NOW + timedelta(days=15))
    assert (result.warnings, result.breaches) == (1, 0)  # moved by the ten days held, re-warned
    assert deadlines_check(NOW + timedelta(days=16)).breaches == 1
    assert len(notices("warning")) == 2  # before the hold, and of the moved deadline
    [breach_to_officer] = [n for n in notices("breach") if n.recipient == defence_officer]
    assert case.reference in breach_to_officer.subject
    assert "Anne Dupont" not in breach_to_officer.body  # complainants are never named


def checked(at: datetime):  # type: ignore[no-untyped-def]
    """The real deadline check with the clock moved to ``at``."""
    with time_machine.travel(at, tick=False):
        return deadlines_check(at)


def test_after_a_hold_the_moved_deadline_is_warned_and_stays_23_59_59_local_across_dst(
    defence, defence_officer
) -> None:
    """Issue 13/10: resuming re-arms the warning; the moved deadline is the end of a local day
    (here across the October change: 23:59:59 CET is 22:59:59 UTC, not 21:59:59)."""
    defence.hold_suspends_complaint_clock = True
    defence.save()
    brussels = ZoneInfo("Europe/Brussels")
    case = register(defence, received_at=datetime(2026, 9, 20, 10, 0, tzinfo=UTC))
    assert case.due_at == datetime(2026, 10, 20, 21, 59, 59, tzinfo=UTC)  # 23:59:59 CEST
    case.assigned_officer = defence_officer
    case.save()
    held, resumed = datetime(2026, 10, 14, 12, tzinfo=UTC), datetime(2026, 10, 24, 12, tzinfo=UTC)
    assert checked(held).warnings == 1
    with time_machine.travel(held, tick=False):
        case = case_hold(case=case, actor=defence_officer, reason="Waiting for the invoice")
    with time_machine.travel(resumed, tick=False):
        case = case_resume(case=case, actor=defence_officer)
    assert case.due_at.astimezone(brussels) == datetime(2026, 10, 30, 23, 59, 59, tzinfo=brussels)
    assert checked(resumed + timedelta(minutes=1)).warnings == 1  # the moved deadline
    first, second = sorted(notices("warning"), key=lambda n: n.created_at)
    assert first.dedupe_key != second.dedupe_key
    assert "30" in second.subject  # names the new due date
    assert checked(datetime(2026, 10, 30, 22, 30, tzinfo=UTC)).breaches == 0  # 23:30 CET
    assert checked(datetime(2026, 10, 30, 23, 0, 30, tzinfo=UTC)).breaches == 1
    assert len(notices("warning")) == 2


def test_an_answered_case_moved_back_to_in_progress_never_breaches(
    defence, defence_officer
) -> None:
    """Issue 13/9: the answer was given in time; the 30-day obligation was met for good."""
    case = register(defence, received_at=NOW - timedelta(days=10))
    case.assigned_officer = defence_officer
    case.save()
    with time_machine.travel(NOW, tick=False):
        case = case_answer(case=case, actor=defence_officer)
        case = case_start(case=case, actor=defence_officer)  # answered → in progress
    result = checked(NOW + timedelta(days=40))  # far past the 30 days
    assert (result.warnings, result.breaches) == (0, 0)
    with time_machine.travel(NOW + timedelta(days=41), tick=False):
        case = case_answer(case=case, actor=defence_officer)  # answered again
        case = case_close(case=case, actor=defence_officer, outcome="founded")
        case = case_reopen(case=case, actor=defence_officer, reason="New facts")
    assert case.answered_at == NOW  # the first answer counts, in reports too
    assert checked(NOW + timedelta(days=60)).breaches == 0
    assert notices() == []


def test_a_case_closed_on_time_without_an_answer_and_reopened_keeps_its_time_left(
    defence, defence_officer
) -> None:
    """Issue 13/9: no retroactive breach; the time closed is paused like a hold."""
    case = register(defence, received_at=NOW - timedelta(days=10))
    case.assigned_officer = defence_officer
    case.save()
    left = case.due_at - NOW
    with time_machine.travel(NOW, tick=False):
        case = case_close(case=case, actor=defence_officer, outcome="withdrawn")
    reopened = NOW + timedelta(days=40)
    with time_machine.travel(reopened, tick=False):
        case = case_reopen(case=case, actor=defence_officer, reason="The complainant came back")
    assert timedelta(0) <= case.due_at - reopened - left < timedelta(days=1)
    assert case.timeline.get(kind="reopened").data["due_at"] == case.due_at.isoformat()
    assert checked(reopened + timedelta(minutes=1)).breaches == 0
    assert checked(case.due_at - timedelta(minutes=1)).warnings == 1
    assert checked(case.due_at + timedelta(minutes=1)).breaches == 1


@pytest.mark.parametrize(
    ("language", "subject"),
    [("fr", "Répondre bientôt"), ("nl", "Binnenkort antwoorden"), ("en", "Answer soon")],
)
def test_notices_and_e_mails_are_in_the_recipients_language(
    channel, defence_communicator, language, subject
) -> None:
    defence_communicator.preferred_language = language
    defence_communicator.save()
    received(channel, hours_ago=19)
    deadlines_check(NOW)
    assert delivery.deadline_emails_write() == 1
    mail = OutgoingEmail.objects.get()
    assert mail.subject.startswith(subject)
    assert mail.to_address == defence_communicator.email


def test_the_e_mail_phase_writes_each_mail_once_even_after_a_crash(
    channel, defence, defence_communicator, monkeypatch
) -> None:
    others = [member(defence, Role.COMMUNICATOR) for _ in range(3)]
    channel.moderators.add(*others)
    received(channel, hours_ago=19)
    deadlines_check(NOW)
    calls = {"n": 0}
    real_queue = delivery.email_queue

    def crash_on_the_third(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return real_queue(**kwargs)

    monkeypatch.setattr(delivery, "email_queue", crash_on_the_third)
    with pytest.raises(SystemExit):
        delivery.deadline_emails_write()
    assert OutgoingEmail.objects.count() == 0  # the whole batch rolled back
    monkeypatch.setattr(delivery, "email_queue", real_queue)
    assert delivery.deadline_emails_write() == 4
    assert delivery.deadline_emails_write() == 0
    assert OutgoingEmail.objects.count() == 4
    assert Notification.objects.filter(kind="deadline.warning").count() == 4


def test_the_daily_summary_goes_out_at_eight_once_a_day(channel, defence_communicator) -> None:
    defence_communicator.deadline_email = "digest"
    defence_communicator.save()
    received(channel, hours_ago=19, now=datetime(2026, 11, 24, 20, 0, tzinfo=UTC))
    deadlines_check(datetime(2026, 11, 24, 20, 0, tzinfo=UTC))
    assert delivery.deadline_emails_write() == 0  # digest readers get no immediate mail
    brussels_0759 = datetime(2026, 11, 25, 6, 59, tzinfo=UTC)
    assert delivery.deadline_digests_send(brussels_0759) == 0
    assert delivery.deadline_digests_send(brussels_0759 + timedelta(minutes=1)) == 1
    received(channel, hours_ago=19, number=2, now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    deadlines_check(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    assert delivery.deadline_digests_send(datetime(2026, 11, 25, 10, 0, tzinfo=UTC)) == 0
    assert delivery.deadline_digests_send(datetime(2026, 11, 26, 7, 0, tzinfo=UTC)) == 1
    assert DeadlineDigest.objects.count() == 2
    first, second = OutgoingEmail.objects.order_by("pk")
    assert "1 deadline notice" in first.subject
    assert first.body_text.count("Open GovSocial") == 1
    assert "2 deadline notices" in second.subject  # the new warning, and the first item's breach
    assert second.body_text.count("Open GovSocial") == 2


def test_a_check_killed_mid_batch_is_redone_without_duplicates(
    channel, defence_communicator, monkeypatch
) -> None:
    from deadlines import engine

    for number in range(3):
        received(channel, hours_ago=19, number=number)
    real_insert = engine.notifications_insert

    def killed(rows):
        raise SystemExit("worker killed")

    monkeypatch.setattr(engine, "notifications_insert", killed)
    with pytest.raises(SystemExit):
        deadlines_check(NOW)
    assert not Item.objects.filter(warned_at__isnull=False).exists()  # the claim rolled back
    monkeypatch.setattr(engine, "notifications_insert", real_insert)
    assert deadlines_check(NOW).warnings == 3
    assert deadlines_check(NOW).warnings == 0
    assert len(notices("warning")) == 3


def test_the_october_night_in_brussels_notifies_each_item_once(channel) -> None:
    """Items every 10 minutes through the night the clocks go back (2026-10-25, 01:00 UTC), checked
    every 10 minutes until all are past their deadline: one warning and one breach each, the
    warning 18 elapsed hours after receipt."""
    start = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 00:00 CEST
    items = [
        received(channel, hours_ago=0, number=n, now=start + timedelta(minutes=10 * n))
        for n in range(24)  # until 04:00 local, through the repeated 02:00-03:00 hour
    ]
    moment = start
    while moment <= start + timedelta(hours=28):
        deadlines_check(moment)
        moment += timedelta(minutes=10)
    for item in items:
        item.refresh_from_db()
        assert item.warn_at - item.posted_at == timedelta(hours=18)
        assert item.due_at - item.posted_at == timedelta(hours=24)
    warnings = Notification.objects.filter(kind="deadline.warning")
    breaches = Notification.objects.filter(kind="deadline.breach")
    assert warnings.count() == 24  # one team member
    assert breaches.count() == 24  # the team member (no admin in this institution)
    assert breaches.values("dedupe_key").distinct().count() == 24


def test_a_row_whose_notice_cannot_be_written_does_not_stop_the_others(
    channel, defence_communicator, monkeypatch, caplog
) -> None:
    from moderation.deadlines import ITEMS

    items = [received(channel, hours_ago=19, number=n) for n in range(3)]
    poison = items[1].pk
    real_subjects = type(ITEMS).subjects

    def subjects(self, ids, threshold):  # type: ignore[no-untyped-def]
        if poison in ids:
            raise ValueError("cannot describe this row")
        return real_subjects(self, ids, threshold)

    monkeypatch.setattr(type(ITEMS), "subjects", subjects)
    result = deadlines_check(NOW)
    assert (result.warnings, result.failed) == (2, 1)
    assert Item.objects.get(pk=poison).warned_at is None  # unclaimed: tried again next run
    assert "failed" in caplog.text
    assert DeadlineCheckRun.objects.get().failed == 1
    monkeypatch.setattr(type(ITEMS), "subjects", real_subjects)
    assert deadlines_check(NOW).warnings == 1
    assert len(notices("warning")) == 3
