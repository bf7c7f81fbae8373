"""Every date input of the project gets an ISO value, in every language (issue 13/27).

Browsers reject anything but ``yyyy-mm-dd`` in ``<input type="date">`` (and
``yyyy-mm-ddThh:mm`` in ``datetime-local``) and show the field blank; Django's default
``DateInput`` writes the language's ``dd/mm/yyyy``. The walk finds every form class of the
project's apps and renders each date and date-time input in French, Dutch and English.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import translation

from govsocial.widgets import IsoDateInput

LANGUAGES = ("fr", "nl", "en")
EXPECTED = {
    "date": (date(2026, 3, 5), 'value="2026-03-05"'),
    "datetime-local": (datetime(2026, 3, 5, 14, 30), 'value="2026-03-05T14:30"'),
}


def project_apps() -> list[str]:
    """The project's own apps: folders at the project's root (installed packages live deeper,
    e.g. in ``.venv/lib/...``, which may itself sit inside the project)."""
    root = Path(settings.BASE_DIR).resolve()
    return [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == root
    ]


def project_form_classes() -> Iterator[type[forms.BaseForm]]:
    """Every form class defined in the project's apps (their modules imported first)."""
    names = project_apps()
    for name in names:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            if ".tests" not in module.name and ".migrations" not in module.name:
                importlib.import_module(module.name)
    todo: list[type] = [forms.BaseForm]
    seen: set[type] = set()
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
                if sub.__module__.split(".")[0] in names:
                    yield sub


def date_fields() -> list[tuple[str, str, forms.Field]]:
    found = []
    for form_class in project_form_classes():
        for name, field in getattr(form_class, "base_fields", {}).items():
            if getattr(field.widget, "input_type", "") in EXPECTED:
                found.append((f"{form_class.__module__}.{form_class.__qualname__}", name, field))
    return found


def test_the_walk_finds_the_date_inputs() -> None:
    where = {f"{form}.{name}" for form, name, _field in date_fields()}
    assert "complaints.forms.PeriodForm.start" in where
    assert "complaints.forms.PeriodForm.end" in where


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_input_renders_an_iso_value(language: str) -> None:
    for form, name, field in date_fields():
        value, expected = EXPECTED[field.widget.input_type]
        if field.widget.input_type == "date":
            assert isinstance(field.widget, IsoDateInput), f"{form}.{name}: use IsoDateInput"
        with translation.override(language):
            html = field.widget.render(name, value)
        assert expected in html, f"{form}.{name} in {language}: {html}"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_complaint_analysis_period_is_shown_and_kept(
    client: Client, defence_officer, language: str
) -> None:
    defence_officer.preferred_language = language
    defence_officer.save()
    client.force_login(defence_officer)
    url = "/i/defence/complaints/analysis/"
    page = client.get(url).content.decode()
    assert 'type="date" name="start" value="20' in page  # the default period, ISO
    again = client.get(url, {"start": "2026-03-01", "end": "2026-03-31"}).content.decode()
    assert 'name="start" value="2026-03-01"' in again
    assert 'name="end" value="2026-03-31"' in again
