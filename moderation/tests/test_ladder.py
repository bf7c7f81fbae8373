"""The escalation ladder on real PostgreSQL, with time-machine: each step once per item and
threshold, recorded and shown on the item page; later steps only while nobody acts; an empty
step passes on at once; two sweeps at once never send a step twice; the ladder page."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, Role
from accounts.tests.factories import member
from channels.tests.factories import ChannelFactory
from conftest import enrol_totp
from deadlines.engine import deadlines_check
from deadlines.tests.test_engine import NOW, received
from moderation.models import Item, LadderAlert, LadderStep
from moderation.services import decisions, ladder
from moderation.services.assignment import duty_set

pytestmark = pytest.mark.django_db
WARN = NOW  # ``received(hours_ago=18)`` crosses its warning threshold at NOW


def person(institution, name: str, languages: list[str], *, on_duty: bool, role=Role.COMMUNICATOR):
    user = member(institution, role, full_name=name, spoken_languages=languages)
    duty_set(institution=institution, user=user, on_duty=on_duty)
    return user


@pytest.fixture
def team(defence):
    return {
        "jan": person(defence, "Jan", ["nl"], on_duty=True),
        "els": person(defence, "Els", ["nl", "fr"], on_duty=True),
        "mia": person(defence, "Mia", ["nl"], on_duty=False),
    }


@pytest.fixture
def admin(defence):
    user = member(defence, Role.INSTITUTION_ADMIN, full_name="Ada")
    enrol_totp(user)  # admins must use a second factor
    return user


@pytest.fixture
def channel(defence, team):
    channel = ChannelFactory(institution=defence, name="Defensie FB", response_hours=24)
    channel.moderators.set(team.values())
    return channel


def item_of(channel, assignee, number: int = 1) -> Item:
    with time_machine.travel(NOW - timedelta(hours=18), tick=False):
        item = received(channel, hours_ago=0, number=number, now=NOW - timedelta(hours=18))
    Item.objects.filter(pk=item.pk).update(assigned_to=assignee, language="nl")
    return item


def alerted(kind: str = "warning") -> list[str]:
    return sorted(
        n.recipient.full_name for n in Notification.objects.filter(kind=f"deadline.{kind}")
    )


def check(at):
    with time_machine.travel(at, tick=False):
        deadlines_check(at)


def sweep(at) -> int:
    with time_machine.travel(at, tick=False):
        return ladder.ladder_sweep(at)


def test_the_default_ladder_warns_the_assignee_then_the_duty_officer_half_an_hour_later(
    defence, channel, team, admin
) -> None:
    ladder.duty_officer_set(
        institution=defence, actor=admin, week=ladder.week_start(defence, NOW), user=team["mia"]
    )
    item = item_of(channel, team["jan"])
    check(WARN)
    assert alerted() == ["Jan"]  # today's first line: the assignee, on duty
    assert sweep(WARN + timedelta(minutes=29)) == 0
    assert sweep(WARN + timedelta(minutes=30)) == 1
    assert alerted() == ["Jan", "Mia"]  # the duty officer, off duty or not
    assert sweep(WARN + timedelta(minutes=31)) == 0
    check(WARN + timedelta(minutes=32))
    assert alerted() == ["Jan", "Mia"]  # each step once
    steps = [(a.audience, a.recipient_names) for a in LadderAlert.objects.filter(item=item)]
    assert steps == [("first_line", ["Jan"]), ("duty_officer", ["Mia"])]
    item.refresh_from_db()
    assert item.ladder_next_at is None


def test_an_assignee_off_duty_is_passed_over_for_the_on_duty_speakers(
    defence, channel, team
) -> None:
    item_of(channel, team["mia"])  # off duty
    check(WARN)
    assert alerted() == ["Els", "Jan"]


def test_a_breach_alerts_the_first_line_the_admins_and_the_duty_officer_at_once(
    defence, channel, team, admin
) -> None:
    ladder.duty_officer_set(
        institution=defence, actor=admin, week=ladder.week_start(defence, NOW), user=team["mia"]
    )
    item = item_of(channel, team["jan"])
    check(WARN)
    check(WARN + timedelta(hours=6, minutes=1))  # past the deadline: the breach
    assert alerted("breach") == ["Ada", "Jan", "Mia"]
    # the breach replaced the warning's remaining step: the duty officer heard once, of it
    assert sweep(WARN + timedelta(hours=7)) == 0
    assert alerted("warning") == ["Jan"]
    audiences = set(
        LadderAlert.objects.filter(item=item, threshold="breach").values_list("audience", flat=True)
    )
    assert audiences == {"first_line", "admins", "duty_officer"}


def test_later_steps_stop_once_someone_acts_on_the_item(defence, channel, team, admin) -> None:
    ladder.ladder_save(
        institution=defence,
        actor=admin,
        steps={
            "warning": {"first_line": 0, "speakers": 15, "admins": 60},
            "breach": {"first_line": 0},
        },
    )
    item = item_of(channel, team["jan"])
    check(WARN)
    assert sweep(WARN + timedelta(minutes=15)) == 1
    assert alerted() == ["Els", "Jan"]  # the on-duty speakers; Jan heard once only
    with time_machine.travel(WARN + timedelta(minutes=20), tick=False):
        decisions.item_assign(item=item, actor=team["els"], assignee=team["els"])
    assert sweep(WARN + timedelta(minutes=60)) == 0
    assert alerted() == ["Els", "Jan"]  # no admin: Els acted
    item.refresh_from_db()
    assert item.ladder_next_at is None


def test_a_step_reaching_nobody_passes_on_to_the_next_at_once(
    defence, channel, team, admin
) -> None:
    ladder.ladder_save(
        institution=defence,
        actor=admin,
        steps={"warning": {"duty_officer": 0, "admins": 45}, "breach": {"admins": 0}},
    )
    item = item_of(channel, team["jan"])
    check(WARN)  # no duty officer this week: the admins at once, not 45 minutes later
    assert alerted() == ["Ada"]
    rows = list(LadderAlert.objects.filter(item=item).values_list("audience", "recipient_ids"))
    assert rows == [("duty_officer", []), ("admins", [admin.pk])]


def test_the_item_page_lists_who_was_alerted(client: Client, defence, channel, team) -> None:
    item = item_of(channel, team["jan"])
    check(WARN)
    client.force_login(team["jan"])
    page = client.get(
        reverse(
            "moderation:item-detail", kwargs={"institution_slug": "defence", "item_id": item.pk}
        )
    ).text
    assert "Alerted" in page
    assert "The assignee if on duty" in page
    assert "Jan" in page


def test_a_step_is_recorded_once_whatever_the_number_of_workers(defence, channel, team) -> None:
    """The unique constraint is the guarantee: a second record of the same step fails, so the
    worker that loses sends nothing."""
    item = item_of(channel, team["jan"])
    plan = ladder.Plan(item.warn_at, (("admins", (team["els"],)),), None, NOW)
    ladder.alerts_record(ladder.alerts_of(item.pk, defence.pk, "warning", plan, NOW))
    with pytest.raises(IntegrityError), transaction.atomic():
        ladder.alerts_record(ladder.alerts_of(item.pk, defence.pk, "warning", plan, NOW))


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_step_once(defence, channel, team, admin) -> None:
    ladder.duty_officer_set(
        institution=defence, actor=admin, week=ladder.week_start(defence, NOW), user=team["mia"]
    )
    items = [item_of(channel, team["jan"], number) for number in range(60)]
    check(WARN)
    assert Item.objects.filter(ladder_next_at__isnull=False).count() == 60
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            for minute in range(30, 40):
                ladder.ladder_sweep(WARN + timedelta(minutes=minute))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    with time_machine.travel(WARN + timedelta(minutes=30), tick=False):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    mia = Notification.objects.filter(recipient=team["mia"], kind="deadline.warning")
    assert mia.count() == 60
    assert LadderAlert.objects.filter(audience="duty_officer").count() == len(items)


# --- the ladder page -------------------------------------------------------------------------

LADDER = reverse("moderation:ladder", kwargs={"institution_slug": "defence"})


def test_an_admin_configures_the_ladder_and_the_history_keeps_who(
    client: Client, defence, admin
) -> None:
    client.force_login(admin)
    page = client.get(LADDER).text
    assert "Escalation ladder" in page
    data = {"form": "ladder", "warning__first_line": "0", "warning__speakers": "20"}
    data |= {"breach__first_line": "0", "breach__admins": "10"}
    response = client.post(LADDER, data)
    assert response.status_code == 302
    steps = {(s.threshold, s.audience, s.delay_minutes) for s in LadderStep.objects.all()}
    assert steps == {
        ("warning", "first_line", 0),
        ("warning", "speakers", 20),
        ("breach", "first_line", 0),
        ("breach", "admins", 10),
    }
    assert LadderStep.history.filter(history_user=admin).count() == 4


def test_a_threshold_without_steps_is_refused_with_a_message(
    client: Client, defence, admin
) -> None:
    client.force_login(admin)
    response = client.post(LADDER, {"form": "ladder", "warning__first_line": "0"})
    assert response.status_code == 400
    assert "needs at least one step" in response.text
    assert not LadderStep.objects.exists()


def test_the_duty_officer_is_chosen_among_the_institutions_members_only(
    client: Client, defence, police_communicator, team, admin
) -> None:
    client.force_login(admin)
    week = ladder.week_start(defence, NOW).isoformat()
    with time_machine.travel(NOW, tick=False):
        refused = client.post(
            LADDER, {"form": "officer", "week": week, "user": police_communicator.pk}
        )
        assert refused.status_code == 400
        saved = client.post(LADDER, {"form": "officer", "week": week, "user": team["mia"].pk})
    assert saved.status_code == 302
    officers = ladder.duty_officers({defence.pk: defence}, NOW)
    assert officers == {defence.pk: team["mia"]}


def test_another_institutions_admin_cannot_open_the_ladder(client: Client, police) -> None:
    outsider = member(police, Role.INSTITUTION_ADMIN)
    enrol_totp(outsider)
    client.force_login(outsider)
    assert client.get(LADDER).status_code == 404
    assert client.post(LADDER, {"form": "ladder"}).status_code == 404


def test_the_week_of_the_duty_officer_starts_on_monday_in_the_institutions_time_zone(
    defence,
) -> None:
    from datetime import UTC, date, datetime

    # Sunday 22:30 UTC is already Monday 00:30 in Brussels (summer time since that morning)
    assert ladder.week_start(defence, datetime(2026, 3, 29, 22, 30, tzinfo=UTC)) == date(
        2026, 3, 30
    )
    assert ladder.week_start(defence, datetime(2026, 3, 29, 21, 30, tzinfo=UTC)) == date(
        2026, 3, 23
    )
