"""Input parsing and validation for the accounts screens. No side effects here."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution, Role, SpokenLanguage, UILanguage, User
from accounts.public_details import ACCESSIBILITY_FIELDS, CONTACT_FIELDS, PUBLIC_DETAILS
from govsocial.widgets import IsoDateInput


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Role.choices, label=_("Roles"), **kwargs)


class _CrispyForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class InviteForm(_CrispyForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    roles = RolesField()


class MemberRolesForm(_CrispyForm):
    roles = RolesField()


class InvitationAcceptForm(_CrispyForm):
    """New account for an invited person: the e-mail address comes from the invitation."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


FOUR_EYES_FIELDS = ("sensitive_removal_needs_spokesperson", "sensitive_removal_hours")


class InstitutionSettingsForm(forms.ModelForm):
    apply_to_channels = forms.BooleanField(
        label=_("Also apply the response times to existing channels"),
        required=False,
        help_text=_(
            "Channels that use the institution's current social media or crisis response time "
            "take the new one; a channel with a time of its own keeps it. Each change is "
            "recorded in the channel's history. Deadlines already set never move."
        ),
    )

    class Meta:
        model = Institution
        fields = (
            "name_fr",
            "name_nl",
            "name_en",
            "default_language",
            "time_zone",
            "social_response_hours",
            "crisis_response_hours",
            "complaint_response_days",
            "warning_share_percent",
            "hold_suspends_complaint_clock",
            "contest_days",
            "item_retention_months",
            *FOUR_EYES_FIELDS,
            *PUBLIC_DETAILS,
        )
        widgets = {
            "accessibility_prepared_on": IsoDateInput(),
            "accessibility_reviewed_on": IsoDateInput(),
            "accessibility_status": forms.RadioSelect,
            "contact_postal_address": forms.Textarea(attrs={"rows": 3}),
            "accessibility_known_issues": forms.Textarea(attrs={"rows": 4}),
            "accessibility_ombudsman_other": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        sla = self.Meta.fields[: -len(PUBLIC_DETAILS) - len(FOUR_EYES_FIELDS)]
        self.helper.layout = Layout(
            Fieldset(_("Names and languages"), *sla[:5]),
            Fieldset(_("Response times and retention"), *sla[5:7], "apply_to_channels", *sla[7:]),
            Fieldset(_("Four eyes on sensitive removals"), *FOUR_EYES_FIELDS),
            Fieldset(_("Contact details (public pages)"), *CONTACT_FIELDS),
            Fieldset(_("Accessibility statement"), *ACCESSIBILITY_FIELDS),
        )


class ProfileForm(forms.ModelForm):
    spoken_languages = forms.MultipleChoiceField(
        label=_("Languages you read and write"),
        choices=SpokenLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Used to route items and complaints to someone who reads their language."),
    )

    class Meta:
        model = User
        fields = ("full_name", "preferred_language", "spoken_languages", "deadline_email")
        widgets = {"deadline_email": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=UILanguage.choices)
    next = forms.CharField(required=False, max_length=2000)


class QuietHoursForm(_CrispyForm):
    """A daily window without phone notifications; both ends or neither (empty: none)."""

    start = forms.TimeField(
        label=_("Quiet from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end = forms.TimeField(
        label=_("Quiet until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("For example from 22:00 until 07:00. Leave both empty for no quiet hours."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("start") is None) != (data.get("end") is None) and not self.errors:
            raise forms.ValidationError(_("Give both times, or neither."))
        return data
