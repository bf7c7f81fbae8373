"""Forms of the moderation app's screens (the queue's filters live in ``filters.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution, SpokenLanguage, User
from channels.models import Channel
from complaints.public_form import RobotTrapsForm
from moderation.models import (
    ContestStatus,
    LadderAudience,
    LadderThreshold,
    Post,
    SensitiveAccount,
    handle_key,
)
from moderation.services.contests import EXPLANATION_MAX
from moderation.services.ladder import MAX_DELAY_MINUTES
from moderation.services.posts import PostDraft


class PostForm(forms.Form):
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.none())
    title = forms.CharField(label=_("Working title"), max_length=200)
    planned_at = forms.DateTimeField(
        label=_("Planned for"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    sensitive = forms.BooleanField(
        label=_("Sensitive subject: a spokesperson must approve it"), required=False
    )

    def __init__(
        self, *args: Any, institution: Institution, lock_sensitive: bool = False, **kwargs: Any
    ) -> None:
        """``lock_sensitive``: the post is sensitive and the user no spokesperson, who alone
        may unmark it; the box shows ticked and whatever is posted for it is ignored."""
        super().__init__(*args, **kwargs)
        if lock_sensitive:
            sensitive = self.fields["sensitive"]
            sensitive.disabled = True
            sensitive.initial = True
            sensitive.help_text = _("Only a spokesperson may unmark a sensitive post.")
        channel = cast(forms.ModelChoiceField, self.fields["channel"])
        channel.queryset = Channel.objects.for_institution(institution).filter(is_active=True)
        for code, name in SpokenLanguage.choices:
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Text in %(language)s") % {"language": name},
                required=False,
                max_length=10_000,
                widget=forms.Textarea(attrs={"rows": 4, "lang": code}),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    @classmethod
    def for_post(cls, post: Post, **kwargs: Any) -> PostForm:
        initial = {
            "channel": post.channel_id,
            "title": post.title,
            "planned_at": post.planned_at,
            "sensitive": post.sensitive,
        }
        initial |= {f"text_{text.language}": text.text for text in post.texts.all()}
        return cls(initial=initial, institution=post.institution, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f"text_{code}", "").strip() for code in SpokenLanguage.values):
            raise forms.ValidationError(_("Write the text in at least one language."))
        return data

    def draft(self) -> PostDraft:
        data = self.cleaned_data
        return PostDraft(
            channel=data["channel"],
            title=data["title"],
            planned_at=data["planned_at"],
            sensitive=data["sensitive"],
            texts={code: data.get(f"text_{code}", "") for code in SpokenLanguage.values},
        )


class SensitiveAccountForm(forms.ModelForm):
    """An entry of the sensitive accounts list; one per account (platform and handle) in the
    institution, compared as ``handle_key`` does (case and a leading @ ignored)."""

    class Meta:
        model = SensitiveAccount
        fields = ("platform", "handle", "name", "category", "note", "is_active")
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institution = institution
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_handle(self) -> str:
        handle = " ".join(cast(str, self.cleaned_data["handle"]).split())
        if not handle_key(handle):
            raise forms.ValidationError(_("Give the account's handle or id."))
        return handle

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())
        platform, handle = data.get("platform"), data.get("handle")
        if platform and handle:
            same = SensitiveAccount.objects.for_institution(self.institution).filter(
                platform=platform, handle_key=handle_key(handle)
            )
            if same.exclude(pk=self.instance.pk).exists():
                self.add_error("handle", _("This account is already on the list."))
        return data


CONTEST_SALT = "moderation.contest-form"


class ContestForm(RobotTrapsForm):
    """The public contest form on a decision page, with the complaint form's robot traps: a
    field people never see, and a signed time stamp (too fast is a robot, too old expired)."""

    trap_salt = CONTEST_SALT
    explanation = forms.CharField(
        label=_("Why do you contest this decision?"),
        max_length=EXPLANATION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Explain why your message did not break the rule, or what we overlooked."),
    )
    contact_email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        help_text=_("We tell you there when the outcome is on this page."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_email"].widget.attrs["autocomplete"] = "email"


class ContestDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(c.value, c.label) for c in ContestStatus if c != ContestStatus.OPEN],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Reasons (shown to the person on the decision page)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )


class LadderForm(forms.Form):
    """The escalation ladder: per threshold and audience, minutes after the threshold (blank:
    no such step). Field names: ``<threshold>__<audience>``."""

    def __init__(self, *args: Any, current: dict[str, dict[str, int | None]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for threshold in LadderThreshold.values:
            for audience, label in LadderAudience.choices:
                self.fields[f"{threshold}__{audience}"] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_value=MAX_DELAY_MINUTES,
                    initial=current.get(threshold, {}).get(audience),
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )

    def rows(self, threshold: str) -> list[forms.BoundField]:
        return [self[f"{threshold}__{audience}"] for audience in LadderAudience.values]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for threshold, label in LadderThreshold.choices:
            if all(cleaned.get(f"{threshold}__{a}") is None for a in LadderAudience.values):
                raise forms.ValidationError(
                    _("“%(threshold)s” needs at least one step: otherwise nobody would hear."),
                    params={"threshold": label},
                )
        return cleaned

    def steps(self) -> dict[str, dict[str, int | None]]:
        return {
            threshold: {
                audience: self.cleaned_data.get(f"{threshold}__{audience}")
                for audience in LadderAudience.values
            }
            for threshold in LadderThreshold.values
        }


class DutyOfficerForm(forms.Form):
    week = forms.TypedChoiceField(label=_("Week starting"), choices=(), coerce=date.fromisoformat)
    user = forms.ModelChoiceField(
        label=_("Duty officer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args: Any, weeks: list[date], people: QuerySet[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        week = cast(forms.TypedChoiceField, self.fields["week"])
        week.choices = [(day.isoformat(), date_format(day, "DATE_FORMAT")) for day in weeks]
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = people
        self.helper = FormHelper()
        self.helper.form_tag = False


class HandoverForm(forms.Form):
    """ "Hand over now": one note for all, or a note per item (``note_<item id>``)."""

    note_for_all = forms.CharField(
        label=_("One note for all the items"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note on this item"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.items = items

    def notes(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(f"note_{item.pk}", "") for item in self.items}
