"""Access and erasure rights, and anonymisation after the retention period."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from complaints.models import Case, Complainant
from complaints.services import cases
from complaints.services.personal_data import anonymise_expired
from complaints.tests.factories import register

pytestmark = pytest.mark.django_db


def closed(institution, officer, *, days_ago: int) -> Case:
    case = register(institution, received_at=timezone.now() - timedelta(days=days_ago + 10))
    return cases.case_close(
        case=case,
        actor=officer,
        outcome="unfounded",
        at=timezone.now() - timedelta(days=days_ago),
    )


def test_retention_erases_only_what_is_due(defence, police, defence_officer) -> None:
    defence.complaint_retention_months = 24
    defence.save()
    old = closed(defence, defence_officer, days_ago=740)
    recent = closed(defence, defence_officer, days_ago=700)
    still_open = register(defence, received_at=timezone.now() - timedelta(days=900))
    police.complaint_retention_months = 1
    police.save()
    police_old = closed(police, None, days_ago=40)

    assert anonymise_expired() == 2
    assert anonymise_expired() == 0  # nothing twice

    def erased(case: Case) -> bool:
        return Complainant.objects.get(case=case).erased_at is not None

    assert erased(old)
    assert erased(police_old)
    assert not erased(recent)
    assert not erased(still_open)
    old.refresh_from_db()
    assert (old.subject, old.description) == ("—", "—")
    assert (old.category.code, old.source, old.outcome) == ("service_quality", "phone", "unfounded")
    assert Complainant.objects.get(case=old).name == ""
    event = old.timeline.get(kind="personal_data_erased")
    assert event.actor is None
    assert event.data == {"retention_months": 24}


def test_an_officer_exports_then_erases_on_request(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence)
    client.force_login(defence_officer)
    base = f"/i/defence/complaints/{case.reference}/personal-data/"
    response = client.post(f"{base}export/")
    assert response["Content-Disposition"].endswith(f'{case.reference}-personal-data.json"')
    export = json.loads(response.content)
    assert export["complainant"]["name"] == "Anne Dupont"
    assert export["reference"] == case.reference

    refused = client.post(f"{base}erase/", {"reason": ""}, follow=True)
    assert "Say why the personal data is erased." in refused.content.decode()
    client.post(f"{base}erase/", {"reason": "Request by e-mail of 3 March"})
    page = client.get(f"/i/defence/complaints/{case.reference}/").content.decode()
    assert "Anne Dupont" not in page
    assert "Personal data erased." in page
    kinds = list(case.timeline.values_list("kind", flat=True))
    assert kinds[-2:] == ["personal_data_exported", "personal_data_erased"]
    for event in case.timeline.all():
        assert "Anne" not in json.dumps(event.data)
