"""Forms of the moderation app's screens (the queue's filters live in ``filters.py``)."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution, SpokenLanguage
from channels.models import Channel
from complaints.public_form import RobotTrapsForm
from moderation.models import ContestStatus, Post, SensitiveAccount, handle_key
from moderation.services.contests import EXPLANATION_MAX
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
