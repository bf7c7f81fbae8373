"""What people see of deadlines: the crisis switch and banner, missed deadlines for admins, the
e-mail preference."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from complaints.tests.factories import register
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db


def test_a_spokesperson_switches_crisis_mode_and_the_queue_shows_it(
    client: Client, defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence, name="Defensie X", crisis_response_hours=2)
    spokesperson = member(defence, Role.SPOKESPERSON)
    client.force_login(spokesperson)
    url = f"/i/defence/channels/{channel.pk}/crisis/"
    refused = client.post(url, {"crisis_mode": "on", "reason": ""}, follow=True)
    assert "Say why crisis mode is switched." in refused.content.decode()
    response = client.post(url, {"crisis_mode": "on", "reason": "Explosion at the barracks",
                                 "next": "/i/defence/queue/"})  # fmt: skip
    assert response.url == "/i/defence/queue/"
    channel.refresh_from_db()
    assert channel.crisis_mode
    client.force_login(defence_communicator)
    queue = client.get("/i/defence/queue/").content.decode()
    assert "Defensie X: new items must be answered within 2 hours." in queue
    assert client.post(url, {"crisis_mode": "off", "reason": "Over"}).status_code == 403
    client.force_login(spokesperson)
    client.post(url, {"crisis_mode": "off", "reason": "Over", "next": "https://evil.example/"})
    channel.refresh_from_db()
    assert not channel.crisis_mode
    assert (
        "new items must be answered within" not in client.get("/i/defence/queue/").content.decode()
    )


def test_admins_see_the_missed_deadlines(client: Client, defence, defence_admin, police) -> None:
    channel = ChannelFactory(institution=defence, name="Defensie FB")
    now = timezone.now()
    for external_id, author, hours_ago in (("late", "Pieter V.", 30), ("fresh", "Fresh Author", 0)):
        event = ItemEvent(external_id=external_id, verb=Verb.CREATE, author_name=author,
                          occurred_at=now - timedelta(hours=hours_ago))  # fmt: skip
        item_apply_event(channel=channel, event=event, now=now - timedelta(hours=hours_ago))
    late_case = register(defence, received_at=now - timedelta(days=40))
    register(police, received_at=now - timedelta(days=40))
    client.force_login(defence_admin)
    page = client.get("/i/defence/deadlines/missed/").content.decode()
    assert "1 social media item" in page
    assert "Pieter V." in page
    assert "Fresh Author" not in page
    assert "1 complaint" in page
    assert late_case.reference in page
    assert "overdue by" in page


def test_people_choose_immediate_e_mails_or_a_daily_summary(
    client: Client, defence_communicator
) -> None:
    client.force_login(defence_communicator)
    page = client.get("/profile/").content.decode()
    assert "One summary a day, at 08:00" in page
    client.post("/profile/", {"full_name": "Nathan", "preferred_language": "nl",
                              "spoken_languages": ["nl"], "deadline_email": "digest"})  # fmt: skip
    defence_communicator.refresh_from_db()
    assert defence_communicator.deadline_email == "digest"
