"""The token form (validation only: the rules are in api.services)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import Scope
from govsocial.widgets import IsoDateInput


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_(
            "What uses it, e.g. “Ticketing system”: writes through it are shown under this name."
        ),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=_("Expires on"), widget=IsoDateInput, help_text=_("At most a year from today.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = (timezone.localdate() + timedelta(days=90)).isoformat()
