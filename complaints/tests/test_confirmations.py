"""Every step an officer or an admin takes on the complaint screens ends with a message saying
what was done (the refusals already say why)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import member
from complaints.models import RoutingRule, Team
from complaints.tests.factories import register

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def confirmed(client: Client, url: str, data: dict[str, object]) -> list[str]:
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[0][1] == 302, (url, response.content.decode()[:300])
    return [str(message) for message in response.context["messages"]]


def test_every_case_action_confirms_what_was_done(client: Client, defence, defence_officer) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    base = f"/i/defence/complaints/{case.reference}/"
    colleague = member(defence, Role.COMPLAINT_OFFICER, full_name="Bart")
    steps = [
        ("acknowledge", {}, "Receipt acknowledged."),
        ("start", {}, "The case is in progress."),
        ("hold", {"reason": "Waiting for the photos"}, "The case is on hold."),
        ("resume", {}, "The case is in progress again."),
        ("notes/", {"text": "Called back."}, "The note was added."),
        ("attachments/", {"file": SimpleUploadedFile("photo.png", PNG)}, "The file was attached."),
        ("answer", {}, "The case is marked as answered."),
        ("close", {"outcome": "founded"}, "The case was closed."),
        ("reopen", {"reason": "New facts"}, "The case was reopened."),
        ("reroute/", {"officer": colleague.pk, "reason": "Holiday"}, "The case was passed on."),
    ]
    for action, data, message in steps:
        url = f"{base}{action}" if action.endswith("/") else f"{base}{action}/"
        assert confirmed(client, url, data) == [message], action


def test_advice_and_referral_are_confirmed(client: Client, defence, defence_officer) -> None:
    case = register(defence, category="cyber_harassment")
    client.force_login(defence_officer)
    base = f"/i/defence/complaints/{case.reference}/"
    assert confirmed(client, f"{base}advice/", {"step": "do_not_respond"}) == [
        "Recorded: the advice was given."
    ]
    assert confirmed(
        client, f"{base}referral/", {"target": "mediator", "person": "M. Janssens"}
    ) == ["Recorded: the referral."]


def test_moving_a_routing_rule_is_confirmed(client: Client, defence, defence_admin) -> None:
    team = Team.objects.create(institution=defence, name="Second line")
    for position, name in enumerate(("Dutch", "German")):
        RoutingRule.objects.create(institution=defence, name=name, position=position, team=team)
    german = RoutingRule.objects.get(name="German")
    client.force_login(defence_admin)
    assert confirmed(client, f"/i/defence/complaints/routing/rules/{german.pk}/up/", {}) == [
        "The routing rule was moved."
    ]
