"""The institution settings page's history names each changed setting with its old and new
value, and who changed it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from accounts.selectors import settings_history
from accounts.services.institutions import institution_update_settings
from accounts.tests.factories import settings_form_data

pytestmark = pytest.mark.django_db
URL = "/i/defence/settings/"


def form(institution, **overrides: object) -> dict[str, object]:
    return settings_form_data(institution, **overrides)


def test_the_history_names_each_changed_setting_with_old_and_new_values(
    client: Client, defence, defence_admin
) -> None:
    defence.refresh_from_db()
    client.force_login(defence_admin)
    changed = {k: v for k, v in form(defence).items() if k != "hold_suspends_complaint_clock"}
    changed |= {"social_response_hours": 12, "default_language": "nl"}
    assert client.post(URL, changed).status_code == 302
    page = client.get(URL, headers={"accept-language": "en"}).content.decode()
    assert "social media response time (hours): 24 → 12" in page
    assert "“on hold” suspends the complaint clock: yes → no" in page
    assert "default language: Français → Nederlands" in page
    assert "complaint response time" not in page.split("Recent changes")[1]


def test_each_entry_lists_only_its_own_changes(defence, defence_admin) -> None:
    defence.refresh_from_db()
    institution_update_settings(institution=defence, actor=defence_admin, warning_share_percent=80)
    institution_update_settings(institution=defence, actor=defence_admin, name_en="MoD")
    institution_update_settings(institution=defence, actor=defence_admin, name_en="MoD")
    with translation.override("en"):
        history = settings_history(defence)
    shown = [[(c.label, c.old, c.new) for c in entry.changes] for entry in history]
    assert shown == [
        [],
        [("name in English", "Defence", "MoD")],
        [("warn when this share of the time has elapsed (%)", "75", "80")],
        [],  # created
    ]
    assert history[0].record.history_user == defence_admin
