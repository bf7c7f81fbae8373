"""Creating a charter and starting a draft end with a message saying what was done."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import member
from charter.tests.factories import published_charter

pytestmark = pytest.mark.django_db


def test_creating_a_charter_and_starting_a_draft_are_confirmed(
    client: Client, defence, defence_admin
) -> None:
    published_charter(defence, defence_admin)
    client.force_login(member(defence, Role.CHARTER_EDITOR))
    created = client.post(
        "/i/defence/charters/new/",
        {"audience": "staff", "title": "Staff charter", "slug": "staff"},
        follow=True,
    )
    assert [str(m) for m in created.context["messages"]] == [
        "Charter created: write its first draft."
    ]
    started = client.post("/i/defence/charters/house-rules/draft/start/", follow=True)
    assert [str(m) for m in started.context["messages"]] == ["Draft 2 is ready to edit."]
