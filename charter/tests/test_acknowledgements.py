"""Members accept the staff charter in force; admins see who did; reminders come once a week."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import Notification, Role
from accounts.tests.factories import member
from charter.models import Acknowledgement, CharterVersion
from charter.services import acknowledgement_reminders_send
from charter.tests.factories import publish_new_version, published_charter

pytestmark = pytest.mark.django_db
ACK = "/i/defence/charters/staff-charter/acknowledge/"


@pytest.fixture
def staff_charter(defence, defence_admin):
    return published_charter(defence, defence_admin, slug="staff-charter", audience="staff")


def test_banner_until_the_member_accepts(
    client: Client, staff_charter, defence_communicator
) -> None:
    client.force_login(defence_communicator)
    assert "Please read and accept" in client.get("/").content.decode()
    response = client.post(ACK)
    assert response.status_code == 302
    assert "Please read and accept" not in client.get("/").content.decode()
    assert Acknowledgement.objects.filter(user=defence_communicator).count() == 1
    client.post(ACK)
    assert Acknowledgement.objects.filter(user=defence_communicator).count() == 1


def test_the_cached_banner_shows_a_newly_published_version_at_once(
    client: Client, staff_charter, defence_admin, defence_communicator
) -> None:
    """The banner is read from the cache on every page (issue 21); publishing a staff version
    and accepting one renew it."""
    client.force_login(defence_communicator)
    client.post(ACK)
    assert "Please read and accept" not in client.get("/").content.decode()
    publish_new_version(staff_charter, defence_admin, (1, 2, 3, 4))
    assert "Please read and accept" in client.get("/").content.decode()
    client.post(ACK)
    assert "Please read and accept" not in client.get("/").content.decode()


def test_the_banner_is_cached_per_language_and_memberships(
    staff_charter, defence, defence_communicator, django_assert_num_queries
) -> None:
    from charter.selectors import pending_acknowledgements_cached

    memberships = list(defence_communicator.memberships.select_related("institution"))
    with django_assert_num_queries(1):
        [first] = pending_acknowledgements_cached(defence_communicator, "nl", memberships)
    with django_assert_num_queries(0):
        [again] = pending_acknowledgements_cached(defence_communicator, "nl", memberships)
    assert again.version.pk == first.version.pk
    assert again.title == "Huisregels"
    defence.default_language = "en"
    defence.save()
    memberships = list(defence_communicator.memberships.select_related("institution"))
    with django_assert_num_queries(1):  # another fallback language: another key
        [english] = pending_acknowledgements_cached(defence_communicator, "en", memberships)
    assert english.title == "Règles de la page"


def test_a_new_version_asks_again(
    client: Client, staff_charter, defence_admin, defence_communicator
) -> None:
    client.force_login(defence_communicator)
    client.post(ACK)
    publish_new_version(staff_charter, defence_admin, rule_numbers=(1, 2, 3, 4))
    page = client.get("/").content.decode()
    assert "Please read and accept" in page
    assert "version 2" in page


def test_outsiders_see_no_banner_and_cannot_accept(
    client: Client, staff_charter, police_communicator
) -> None:
    client.force_login(police_communicator)
    assert "Please read and accept" not in client.get("/").content.decode()
    assert client.post(ACK).status_code == 404


def test_admin_sees_who_accepted_and_exports_csv(
    client: Client, staff_charter, defence_admin, defence_communicator, defence_officer
) -> None:
    member_client = Client()
    member_client.force_login(defence_communicator)
    member_client.post(ACK)
    client.force_login(defence_admin)
    page = client.get("/i/defence/charters/staff-charter/acknowledgements/").content.decode()
    assert defence_communicator.email in page
    assert defence_officer.email in page
    export = client.get("/i/defence/charters/staff-charter/acknowledgements/", {"format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    assert export.content.startswith("\ufeff".encode())  # Belgian Excel: BOM and semicolons
    lines = export.content.decode("utf-8-sig")
    rows = {row[1]: row for row in csv.reader(io.StringIO(lines), delimiter=";")}
    assert rows[defence_communicator.email][3] != ""
    assert rows[defence_officer.email][3] == ""


def test_names_in_the_acknowledgements_export_cannot_run_as_formulas(
    client: Client, staff_charter, defence, defence_admin
) -> None:
    """Members edit their own names: a name is a cell a spreadsheet must never execute."""
    member(defence, Role.COMMUNICATOR, email="tab@defence.test", full_name="\t=cmd|' /C calc'!A0")
    member(defence, Role.COMMUNICATOR, email="eq@defence.test", full_name='=HYPERLINK("x")')
    client.force_login(defence_admin)
    export = client.get("/i/defence/charters/staff-charter/acknowledgements/", {"format": "csv"})
    rows = {row[1]: row for row in csv.reader(
        io.StringIO(export.content.decode("utf-8-sig")), delimiter=";")}  # fmt: skip
    assert rows["tab@defence.test"][0] == "'\t=cmd|' /C calc'!A0"
    assert rows["eq@defence.test"][0] == '\'=HYPERLINK("x")'


def test_reminders_after_seven_days_once_per_week(
    staff_charter, defence_communicator, defence_officer
) -> None:
    version = CharterVersion.objects.get(charter=staff_charter)
    Acknowledgement.objects.create(
        institution=version.institution, version=version, user=defence_communicator
    )
    reminders = Notification.objects.filter(kind="charter.reminder")
    assert acknowledgement_reminders_send(timezone.now() + timedelta(days=6)) == 0
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        first = acknowledgement_reminders_send()
        second = acknowledgement_reminders_send()
    assert second == 0
    assert first == reminders.count()
    assert set(reminders.values_list("recipient__email", flat=True)) >= {defence_officer.email}
    assert not reminders.filter(recipient=defence_communicator).exists()
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        assert acknowledgement_reminders_send() == first


def test_the_banner_title_follows_the_language_then_the_institutions_then_fr_nl_en_in_one_query(
    staff_charter, defence, defence_communicator, django_assert_num_queries
) -> None:
    from charter.selectors import pending_acknowledgements

    with django_assert_num_queries(1):
        [dutch] = pending_acknowledgements(defence_communicator, "nl")
    assert dutch.title == "Huisregels"
    defence.default_language = "nl"
    defence.save()
    [english] = pending_acknowledgements(defence_communicator, "en")  # no English text
    assert english.title == "Huisregels"
    defence.default_language = "en"
    defence.save()
    [fallback] = pending_acknowledgements(defence_communicator, "en")
    assert fallback.title == "Règles de la page"
