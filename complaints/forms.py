"""Officer forms for complaint cases."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution, SpokenLanguage
from complaints.models import Category, Outcome, Source


class CaseRegisterForm(forms.Form):
    """A complaint received by phone, e-mail, letter or in person, registered by an officer."""

    source = forms.ChoiceField(
        label=_("Received by"),
        choices=[(value, label) for value, label in Source.choices if value != Source.WEB_FORM],
    )
    received_at = forms.DateTimeField(
        label=_("Received on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When the complaint reached the institution; the 30 days count from then."),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    language = forms.ChoiceField(label=_("Language"), choices=SpokenLanguage.choices)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(
        label=_("Description"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    name = forms.CharField(label=_("Complainant's name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    postal_address = forms.CharField(
        label=_("Postal address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_staff_member = forms.BooleanField(label=_("The complainant is a member of staff"),
                                         required=False)  # fmt: skip

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.queryset = Category.objects.available_to(institution)
        self.initial.setdefault("received_at", timezone.localtime().replace(second=0))
        self.initial.setdefault("language", institution.default_language)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_received_at(self) -> Any:
        received = self.cleaned_data["received_at"]
        if received > timezone.now():
            raise forms.ValidationError(_("A complaint cannot be received in the future."))
        return received


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
