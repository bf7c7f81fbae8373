"""Marking every notification as read ends with a message saying so."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.services.notifications import notification_send

pytestmark = pytest.mark.django_db


def test_marking_all_notifications_read_is_confirmed(
    client: Client, defence, defence_communicator
) -> None:
    notification_send(recipient=defence_communicator, institution=defence, kind="t",
                      subject="Nouvel élément", url="/i/defence/")  # fmt: skip
    client.force_login(defence_communicator)
    response = client.post(reverse("accounts:notification-read-all"), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "All notifications are marked as read."
    ]
