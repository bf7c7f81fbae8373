"""The report screens: dashboard, monthly report and its CSV, statements of reasons, the public
transparency page (no personal data), languages."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import time_machine
from django.test import Client

from reports.tests.world import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_now():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.usefixtures("at_now")
def test_the_dashboard_links_each_figure_to_its_list(
    client: Client,
    world,
    defence_communicator,
    defence_admin,
) -> None:
    client.force_login(defence_communicator)
    page = client.get("/i/defence/dashboard/").content.decode()
    assert "/i/defence/queue/?status=open&amp;due_within=4" in page
    assert "/i/defence/queue/?status=open&amp;breached=on" in page
    assert "/i/defence/queue/?status=open&amp;assigned=unassigned" in page
    client.force_login(defence_admin)
    page = client.get("/i/defence/dashboard/").content.decode()
    assert "/i/defence/deadlines/missed/" in page  # admins do not moderate: missed deadlines
    assert "/i/defence/queue/?status=open&amp;due_within=4" not in page


@pytest.mark.usefixtures("at_now")
def test_the_monthly_report_and_its_csv_agree(client: Client, world, defence_admin) -> None:
    client.force_login(defence_admin)
    page = re.sub(r">\s+<", "><", client.get("/i/defence/reports/?month=2026-11").content.decode())
    assert "November 2026" in page
    assert '<svg class="report-chart" role="img"' in page
    response = client.get("/i/defence/reports/?month=2026-11&table=items_platform&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Platform", "November 2026", "October 2026", "November 2025", "unit"]
    assert rows[1:] == [["Facebook", "3", "1", "1", ""], ["X (Twitter)", "2", "0", "0", ""]]
    keys = re.findall(r"table=([a-z_]+)&amp;format=csv", page)
    assert len(keys) == 12  # every table of the page
    for key in keys:
        url = f"/i/defence/reports/?month=2026-11&table={key}&format=csv"
        body = client.get(url).content.decode("utf-8-sig")
        for label, *values, unit in list(csv.reader(io.StringIO(body), delimiter=";"))[1:]:
            shown = [
                "—" if value == "" else f"{value.removesuffix('.0')} {unit}".strip()
                for value in values
            ]
            cells = "".join(f'<td class="text-end">{value}</td>' for value in shown)
            assert f'<th scope="row" class="fw-normal">{label}</th>{cells}' in page, (key, label)
    assert client.get("/i/defence/reports/?month=2026-11&table=nope&format=csv").status_code == 404
    assert client.get("/i/defence/reports/?month=garbage").status_code == 200  # last month


@pytest.mark.parametrize(("language", "point"), [("fr", ","), ("nl", ","), ("en", ".")])
@pytest.mark.usefixtures("at_now")
def test_the_csv_writes_fractions_with_the_decimal_separator_of_the_readers_language(
    client: Client, world, defence_admin, language: str, point: str
) -> None:
    """Belgian spreadsheets in French and Dutch read 24,5 as a number (and 24.5 as text);
    counts stay plain integers, and no number gets a thousands separator."""
    defence_admin.preferred_language = language
    defence_admin.save()
    client.force_login(defence_admin)
    response = client.get("/i/defence/reports/?month=2026-11&table=complaints&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[1:4] for row in rows[1:]] == [
        ["3", "1", "0"],  # received
        ["2", "1", "0"],  # answered
        ["1", "0", "0"],  # answered within 30 days
        ["0", "0", "0"],  # not answered, due date passed
        [f"50{point}0", f"0{point}0", ""],  # share answered in time (%)
        [f"24{point}5", f"45{point}0", ""],  # average handling time (days)
    ]


@pytest.mark.usefixtures("at_now")
def test_statements_of_reasons_without_personal_data(client: Client, world, defence_admin) -> None:
    from moderation.models import Decision, PlatformAction

    removal, hide = Decision.objects.filter(action__in=("hide", "remove")).order_by("created_at")
    for decision, state in ((removal, "verified"), (hide, "queued")):
        PlatformAction.objects.create(
            institution=decision.institution, channel=decision.item.channel, decision=decision,
            kind="delete" if decision.action == "remove" else "hide", state=state,
            executed_at=decision.created_at if state == "verified" else None,
        )  # fmt: skip
    client.force_login(defence_admin)
    response = client.get("/i/defence/reports/statements/?month=2026-11")
    lines = b"".join(response.streaming_content).decode().splitlines()
    statements = [json.loads(line) for line in lines]
    # the removal is confirmed on the platform; the hide is decided, not carried out yet
    assert [s["decision_visibility"] for s in statements] == [
        ["DECISION_VISIBILITY_CONTENT_REMOVED"], ["DECISION_VISIBILITY_OTHER"],
    ]  # fmt: skip
    assert statements[1]["decision_visibility_other"] == (
        "Hiding decided on 2026-11-20, not carried out on the platform yet (waiting to be sent)."
    )
    assert [s["application_date"] for s in statements] == ["2026-11-12", None]
    first = statements[0]
    assert first["incompatible_content_ground"] == "R1 — Règle 1"
    assert first["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert (first["content_language"], first["decision_date"]) == ("FR", "2026-11-12")
    text = "\n".join(lines)
    assert "Author C" not in text
    assert "Secret text" not in text


@pytest.mark.parametrize(("language", "heading"), [("fr", "Messages traités"),
                                                   ("nl", "Behandelde berichten"),
                                                   ("en", "Messages handled")])  # fmt: skip
@pytest.mark.usefixtures("at_now")
def test_the_public_transparency_page_has_no_personal_data(
    client: Client,
    world,
    language: str,
    heading: str,
) -> None:
    client.cookies["django_language"] = language
    page = client.get("/transparency/defence/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert heading in page
    assert "/charters/defence/house-rules/?v=1#R1" in page  # the version that was applied
    for secret in ("Author ", "Secret text", "Anne Dupont", "anne@example.be", "Publicité"):
        assert secret not in page
    assert client.get("/transparency/no-such-place/").status_code == 404


def test_the_home_page_links_to_the_dashboard_for_its_readers(
    client: Client, defence, defence_communicator
) -> None:
    from accounts.models import Role
    from accounts.tests.factories import member

    client.force_login(defence_communicator)
    assert "/i/defence/dashboard/" in client.get("/").content.decode()
    client.force_login(member(defence, Role.CHARTER_EDITOR))
    assert "/i/defence/dashboard/" not in client.get("/").content.decode()
