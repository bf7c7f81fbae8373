"""Officer screens: list, registration, case page and its actions; personal data for officers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from complaints.models import Case
from complaints.tests.factories import builtin, register

pytestmark = pytest.mark.django_db


def form(**overrides: object) -> dict[str, object]:
    data = {
        "source": "phone",
        "received_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "category": builtin("staff_behaviour").pk,
        "language": "nl",
        "subject": "Onvriendelijk onthaal",
        "description": "De bezoeker werd onbeleefd te woord gestaan.",
        "name": "Jan Peeters",
        "email": "jan@example.be",
        "phone": "",
        "postal_address": "",
    }
    return {**data, **overrides}


def test_an_officer_registers_a_phone_complaint(client: Client, defence, defence_officer) -> None:
    client.force_login(defence_officer)
    response = client.post("/i/defence/complaints/new/", form())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == f"/i/defence/complaints/{case.reference}/"
    page = client.get(response.url).content.decode()
    assert case.reference in page
    assert "Jan Peeters" in page
    assert "jan@example.be" in page
    assert "Onvriendelijk onthaal" in page
    assert case.timeline.get().actor == defence_officer


def test_bad_registration_gets_messages_and_stores_nothing(
    client: Client, defence, defence_officer
) -> None:
    client.force_login(defence_officer)
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/i/defence/complaints/new/",
        form(received_at=future, subject="", email="not-an-address", source="web_form"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "A complaint cannot be received in the future." in body
    assert "This field is required." in body
    assert "Enter a valid email address." in body
    assert "Select a valid choice" in body  # officers do not register web-form complaints
    assert not Case.objects.exists()


def test_the_list_shows_open_cases_earliest_deadline_first(
    client: Client, defence, defence_officer, police
) -> None:
    late = register(defence, received_at=timezone.now() - timedelta(days=40))
    fresh = register(defence)
    closed = register(defence, received_at=timezone.now() - timedelta(days=3))
    Case.objects.filter(pk=closed.pk).update(status="closed", outcome="unfounded")
    foreign = register(police)
    client.force_login(defence_officer)
    page = client.get("/i/defence/complaints/").content.decode()
    assert page.index(late.reference) < page.index(fresh.reference)
    assert closed.reference not in page
    assert foreign.reference not in page
    assert 'data-urgency="overdue"' in page
    everything = client.get("/i/defence/complaints/?status=").content.decode()
    assert closed.reference in everything
    found = client.get(f"/i/defence/complaints/?q={fresh.reference}").content.decode()
    assert fresh.reference in found
    assert late.reference not in found


def test_the_case_moves_through_its_actions(client: Client, defence, defence_officer) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    base = f"/i/defence/complaints/{case.reference}/"
    for action, data in [
        ("acknowledge", {}),
        ("hold", {"reason": "Waiting for the photos"}),
        ("resume", {}),
        ("answer", {}),
        ("close", {"outcome": "founded"}),
    ]:
        response = client.post(f"{base}{action}/", data)
        assert response.status_code == 302, (action, response.content.decode()[:500])
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "founded")
    page = client.get(base).content.decode()
    assert "Waiting for the photos" in page
    assert "Outcome: Founded" in page


def test_an_impossible_action_is_refused_with_the_reason(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    base = f"/i/defence/complaints/{case.reference}/"
    response = client.post(f"{base}hold/", {"reason": ""})
    assert response.status_code == 400
    assert "Say why the case is put on hold." in response.content.decode()
    assert client.post(f"{base}reopen/", {"reason": "x"}).status_code == 400
    assert client.post(f"{base}teleport/").status_code == 404
    case.refresh_from_db()
    assert case.status == "received"


def test_communicators_never_see_complainants(
    client: Client, defence, defence_communicator
) -> None:
    case = register(defence)
    client.force_login(defence_communicator)
    assert client.get(f"/i/defence/complaints/{case.reference}/").status_code == 403
    assert client.get("/i/defence/complaints/").status_code == 403


def test_an_answered_case_moved_back_to_in_progress_shows_no_overdue_deadline(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence, received_at=timezone.now() - timedelta(days=40))
    Case.objects.filter(pk=case.pk).update(
        status="in_progress", answered_at=case.received_at + timedelta(days=5)
    )
    client.force_login(defence_officer)
    for url in (f"/i/defence/complaints/{case.reference}/", "/i/defence/complaints/"):
        page = client.get(url).content.decode()
        assert case.reference in page
        assert 'data-urgency="overdue"' not in page


@time_machine.travel(datetime(2026, 11, 21, 12, 0, tzinfo=UTC), tick=False)
def test_received_at_is_read_and_shown_in_the_institutions_time_zone(
    client: Client, defence, defence_officer, settings
) -> None:
    """An office in New York registers a letter received at 00:30 its time (05:30 UTC, 06:30 in
    Brussels, the server's zone)."""
    assert settings.TIME_ZONE == "Europe/Brussels"
    defence.time_zone = "America/New_York"
    defence.save()
    client.force_login(defence_officer)

    new_form = client.get("/i/defence/complaints/new/").content.decode()
    assert 'value="2026-11-21T07:00"' in new_form  # now, in New York
    client.post("/i/defence/complaints/new/", form(received_at="2026-11-20T00:30"))

    case = Case.objects.get()
    assert case.received_at == datetime(2026, 11, 20, 5, 30, tzinfo=UTC)
    page = client.get(f"/i/defence/complaints/{case.reference}/").content.decode()
    assert "00:30" in page
    assert timezone.get_current_timezone_name() == "Europe/Brussels"  # not left active
