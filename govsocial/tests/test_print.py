"""Pages meant to be printed carry one Print button (a real button, wired to window.print() by
static/js/govsocial.js, hidden on paper); what must not be printed says so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import member
from charter.tests.factories import published_charter
from complaints.models import Correspondence, Recommendation
from complaints.tests.factories import register

pytestmark = pytest.mark.django_db

PRINT_BUTTON = re.compile(
    r'<button type="button" class="btn [^"]*\bd-print-none\b[^"]*" data-print>'
)


@pytest.fixture
def printable(defence, defence_admin, defence_officer, defence_communicator) -> dict[str, tuple]:
    """Each printable page with the person who reads it (None: a public page)."""
    published_charter(defence, defence_admin)
    case = register(defence)
    letter = Correspondence.objects.create(
        institution=defence, case=case, kind="answer", channel="letter", subject="s", body="b"
    )
    recommendation = Recommendation.objects.create(
        institution=defence, title="t", body="b", created_by=defence_officer
    )
    cases = f"/i/defence/complaints/{case.reference}/"
    return {
        "monthly report": ("/i/defence/reports/", defence_admin),
        "transparency": ("/transparency/defence/", None),
        "house rules": ("/charters/defence/house-rules/", None),
        "accessibility statement": ("/accessibility/defence/", None),
        "privacy notice": ("/privacy/defence/", None),
        "case": (cases, defence_officer),
        "letter": (f"{cases}letters/sent/{letter.pk}/", defence_officer),
        "complaint analysis": ("/i/defence/complaints/analysis/", defence_officer),
        "recommendation": (
            f"/i/defence/complaints/recommendations/{recommendation.pk}/",
            defence_officer,
        ),
        "editorial calendar": ("/i/defence/posts/calendar/", defence_communicator),
        "duty list": ("/i/defence/queue/duty/", defence_communicator),
    }


def test_every_printable_page_has_one_print_button_hidden_on_paper(
    client: Client, printable: dict[str, tuple]
) -> None:
    for name, (path, reader) in printable.items():
        if reader:
            client.force_login(reader)
        else:
            client.logout()
        response = client.get(path, headers={"accept-language": "en"})
        assert response.status_code == 200, name
        buttons = PRINT_BUTTON.findall(response.content.decode())
        assert len(buttons) == 1, name


def test_the_print_buttons_are_wired_by_the_script_not_inline() -> None:
    script = (Path(settings.BASE_DIR) / "static" / "js" / "govsocial.js").read_text()
    assert 'closest("[data-print]")' in script
    assert "window.print()" in script


def test_the_charter_banner_is_not_printed(client: Client, defence, defence_admin) -> None:
    published_charter(defence, defence_admin, slug="staff-charter", audience="staff")
    reader = member(defence, Role.COMMUNICATOR)
    client.force_login(reader)
    page = client.get("/i/defence/queue/").content.decode()
    banner = re.search(r'<section class="([^"]*)" aria-labelledby="ack-banner-title">', page)
    assert banner, "the banner shows while the charter is not accepted"
    assert "d-print-none" in banner.group(1).split()
