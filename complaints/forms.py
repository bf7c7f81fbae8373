"""Officer forms for complaint cases."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution, SpokenLanguage, User
from channels.models import Channel
from complaints.models import (
    Case,
    Category,
    Correspondence,
    LetterTemplate,
    Outcome,
    Recommendation,
    RoutingRule,
    Source,
    Team,
)
from complaints.services.letters import PLACEHOLDERS, placeholders_unknown
from complaints.services.routing import active_officers
from govsocial.widgets import IsoDateInput


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


class RoutingRuleForm(forms.ModelForm):
    sources = forms.MultipleChoiceField(
        label=_("Sources"), choices=Source.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=SpokenLanguage.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = RoutingRule
        fields = (
            "name", "categories", "sources", "channels", "languages", "keywords", "team",
            "officer", "is_default", "is_active",
        )  # fmt: skip
        widgets = {
            "categories": forms.CheckboxSelectMultiple,
            "channels": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "is_default": _("Tried after every other rule, whatever the case: leave its "
                            "conditions empty."),
        }  # fmt: skip

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institution = institution
        cast(
            forms.ModelMultipleChoiceField, self.fields["categories"]
        ).queryset = Category.objects.available_to(institution)
        cast(
            forms.ModelMultipleChoiceField, self.fields["channels"]
        ).queryset = Channel.objects.for_institution(institution).active()
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = Team.objects.for_institution(
            institution
        )
        cast(forms.ModelChoiceField, self.fields["officer"]).queryset = active_officers(
            institution
        ).order_by("full_name", "email")
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("team") and not cleaned.get("officer"):
            raise forms.ValidationError(_("Choose a team or an officer to send the cases to."))
        if cleaned.get("is_default"):
            others = RoutingRule.objects.for_institution(self.institution).filter(is_default=True)
            if others.exclude(pk=self.instance.pk).exists():
                self.add_error("is_default", _("There is already a default route."))
            if any(cleaned.get(name) for name in ("categories", "sources", "channels",
                                                  "languages", "keywords")):  # fmt: skip
                self.add_error("is_default", _("The default route has no conditions."))
        return cleaned


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ("name", "members")
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institution = institution
        cast(forms.ModelMultipleChoiceField, self.fields["members"]).queryset = active_officers(
            institution
        ).order_by("full_name", "email")
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        taken = Team.objects.for_institution(self.institution).filter(name__iexact=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A team with this name exists already."))
        return name


class RouteTestForm(forms.Form):
    """Facts of an imaginary complaint, to see which rule would take it."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=SpokenLanguage.choices)
    text = forms.CharField(
        label=_("Subject and text"), required=False, max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["category"]
        ).queryset = Category.objects.available_to(institution)
        cast(
            forms.ModelChoiceField, self.fields["channel"]
        ).queryset = Channel.objects.for_institution(institution)
        self.helper = FormHelper()
        self.helper.form_tag = False


class RerouteForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    officer = forms.ModelChoiceField(
        label=_("Officer"), queryset=User.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000)

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = Team.objects.for_institution(
            institution
        )
        cast(forms.ModelChoiceField, self.fields["officer"]).queryset = active_officers(institution)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("team") and not cleaned.get("officer"):
            raise forms.ValidationError(_("Choose a team or an officer."))
        return cleaned


class LetterForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Send by"), choices=Correspondence.Channel.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(
        label=_("Text"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 16})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ("subject", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field in ("subject", "body"):
            unknown = placeholders_unknown(cleaned.get(field, ""))
            if unknown:
                self.add_error(
                    field,
                    _("Unknown placeholder: %(names)s. Known: %(known)s.")
                    % {
                        "names": ", ".join(unknown),
                        "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                    },
                )
        return cleaned


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=IsoDateInput())
    end = forms.DateField(label=_("To (included)"), widget=IsoDateInput())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return cleaned


class RecommendationForm(forms.ModelForm):
    case_references = forms.CharField(
        label=_("Complaints behind it"),
        required=False,
        max_length=5000,
        help_text=_("References separated by commas or spaces, e.g. DEF-2026-00012."),
    )

    class Meta:
        model = Recommendation
        fields = ("title", "body", "status", "categories")
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "categories": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institution = institution
        cast(
            forms.ModelMultipleChoiceField, self.fields["categories"]
        ).queryset = Category.objects.available_to(institution)
        if self.instance.pk:
            self.initial["case_references"] = " ".join(
                self.instance.cases.values_list("reference", flat=True)
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_case_references(self) -> list[Case]:
        wanted = {ref for ref in self.cleaned_data["case_references"].replace(",", " ").split()}
        found = list(Case.objects.for_institution(self.institution).filter(reference__in=wanted))
        unknown = sorted(wanted - {case.reference for case in found})
        if unknown:
            raise forms.ValidationError(
                _("Unknown references: %(references)s.") % {"references": ", ".join(unknown)}
            )
        return found


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ("name_fr", "name_nl", "name_en", "is_active")

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institution = institution
        self.helper = FormHelper()
        self.helper.form_tag = False

    def save(self, commit: bool = True) -> Category:
        category = super().save(commit=False)
        if category.pk is None:
            category.institution = self.institution
            base = slugify(category.name_en or category.name_fr or category.name_nl)[:40] or "c"
            code, number = base, 1
            while Category.objects.filter(
                Q(institution=self.institution) | Q(institution__isnull=True), code=code
            ).exists():
                number += 1
                code = f"{base}-{number}"
            category.code = code
        if commit:
            category.save()
        return category
