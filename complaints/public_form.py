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
    stamp is forged, broken or older than ``MAX_AGE``. Other public forms (moderation's
    contest form) use it with their own salt."""
    try:
        started = float(signing.loads(value, salt=salt, max_age=MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    elapsed = time.time() - started
    return None if elapsed > MAX_AGE else elapsed


class PublicComplaintForm(forms.Form):
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
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, institution: Institution, language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.queryset = Category.objects.available_to(institution)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.initial.setdefault("language", language if language in SpokenLanguage.values else "fr")
        self.initial["started"] = started_token()
        self.robot = False

    def clean_website(self) -> str:
        value: str = self.cleaned_data.get("website", "")
        if value:
            self.robot = True
        return value

    def clean_started(self) -> float | None:
        elapsed = seconds_since_started(self.cleaned_data["started"])
        if elapsed is None:
            # Hidden field: the message goes to the top of the form, where people see it.
            self.add_error(
                None, _("This form has expired. Your text is kept: please send it again.")
            )
            return None
        if elapsed < MIN_SECONDS:
            self.robot = True
        return time.time() - elapsed

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("email") and not cleaned.get("postal_address"):
            self.add_error(
                "email", _("Give an e-mail address or a postal address so that we can answer.")
            )
        return cleaned
