"""The public complaint form: fields, and the spam defences that replace a captcha.

- a honeypot field people do not see (hidden from screen readers and the keyboard too);
- a signed time stamp: a form sent less than ``MIN_SECONDS`` after it was shown is a robot's,
  one older than ``MAX_AGE`` is stale; neither can be forged without the secret key;
- per-IP and per-institution rate limits (see the view).
"""

from __future__ import annotations

import time
from typing import Any, cast

from django import forms
from django.core import signing
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution, SpokenLanguage
from complaints.models import Category

MIN_SECONDS = 3
MAX_AGE = 24 * 3600
SALT = "complaints.public-form"


def started_token(salt: str = SALT) -> str:
    return signing.dumps(time.time(), salt=salt)


def seconds_since_started(value: str, salt: str = SALT) -> float | None:
    """How long ago the form carrying ``value`` (a ``started_token``) was shown; None when the
    stamp is forged, broken or older than ``MAX_AGE``."""
    try:
        started = float(signing.loads(value, salt=salt, max_age=MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    elapsed = time.time() - started
    return None if elapsed > MAX_AGE else elapsed


class RobotTrapsForm(forms.Form):
    """A public form with the traps above: the honeypot ``website`` and the signed ``started``
    stamp (salted per form: ``trap_salt``). After validation ``robot`` says whether a trap
    caught the sender; the view answers it as a form to check again, never as spam."""

    trap_salt = SALT
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["started"] = started_token(self.trap_salt)
        self.robot = False

    def restamp(self) -> None:
        """A fresh time stamp on a bound form shown again, so that it can be sent again once
        corrected."""
        if self.is_bound:
            data = cast(QueryDict, self.data).copy()
            data["started"] = started_token(self.trap_salt)
            self.data = data

    def clean_website(self) -> str:
        value: str = self.cleaned_data.get("website", "")
        if value:
            self.robot = True
        return value

    def clean_started(self) -> str:
        value: str = self.cleaned_data["started"]
        elapsed = seconds_since_started(value, self.trap_salt)
        if elapsed is None:
            # Hidden field: the message goes to the top of the form, where people see it.
            self.add_error(
                None, _("This form has expired. Your text is kept: please send it again.")
            )
        elif elapsed < MIN_SECONDS:
            self.robot = True
        return value


class PublicComplaintForm(RobotTrapsForm):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        help_text=_("We send the acknowledgement and the answer there."),
    )
    postal_address = forms.CharField(
        label=_("Your postal address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text=_("If you prefer an answer by letter."),
    )
    phone = forms.CharField(
        label=_("Your phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    is_staff_member = forms.BooleanField(label=_("I work for this institution"), required=False)
    category = forms.ModelChoiceField(
        label=_("What is your complaint about?"), queryset=Category.objects.none()
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(
        label=_("Your complaint"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, when and where, and what you expect from us."),
    )
    language = forms.ChoiceField(label=_("Language of the answer"), choices=SpokenLanguage.choices)

    def __init__(self, *args: Any, institution: Institution, language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.queryset = Category.objects.available_to(institution)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.initial.setdefault("language", language if language in SpokenLanguage.values else "fr")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("email") and not cleaned.get("postal_address"):
            self.add_error(
                "email", _("Give an e-mail address or a postal address so that we can answer.")
            )
        return cleaned
