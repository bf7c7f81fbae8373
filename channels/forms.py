"""Channel settings form. Secrets are write-only: blank keeps the stored value."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import MODERATOR_ROLES, Institution, SpokenLanguage, User
from channels.connectors.addresses import AddressRefused, public_server_check
from channels.connectors.mastodon import instance_url
from channels.connectors.registry import POLLING_CONNECTORS
from channels.models import Channel


class ChannelForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=SpokenLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The first one is assumed for items that arrive without a language."),
    )
    moderators = forms.ModelMultipleChoiceField(
        label=_("Moderation team"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    signing_secret = forms.CharField(
        label=_("Webhook secret"),
        required=False,
        strip=True,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Meta's app secret, or the key that signs generic webhooks. Leave blank to "
            "keep the stored one."
        ),
    )
    verify_token = forms.CharField(
        label=_("Meta verify token"),
        required=False,
        strip=True,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Leave blank to keep the stored one."),
    )
    access_token = forms.CharField(
        label=_("API access token"),
        required=False,
        strip=True,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "For channels GovSocial reads itself (Mastodon: a token with the "
            "read:notifications scope; the server is taken from the address above). "
            "Leave blank to keep the stored one."
        ),
    )

    class Meta:
        model = Channel
        fields = (
            "platform",
            "name",
            "handle",
            "url",
            "audience",
            "target_groups",
            "languages",
            "purpose",
            "response_hours",
            "crisis_mode",
            "crisis_response_hours",
            "moderators",
            "is_active",
        )
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        moderators = cast(forms.ModelMultipleChoiceField, self.fields["moderators"])
        moderators.queryset = User.objects.members_of(institution, MODERATOR_ROLES).order_by(
            "full_name", "email"
        )
        moderators.label_from_instance = _member_label  # type: ignore[assignment]
        if not self.instance.pk:  # a new channel: the institution's defaults (the model's
            # empty values are in ``initial`` already, so ``setdefault`` would keep them)
            for field, default in (
                ("response_hours", institution.social_response_hours),
                ("crisis_response_hours", institution.crisis_response_hours),
                ("languages", [institution.default_language]),
            ):
                if not self.initial.get(field):
                    self.initial[field] = default
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_token = cleaned.get("access_token") or self.instance.access_token_encrypted
        if (
            cleaned.get("platform") in POLLING_CONNECTORS
            and has_token
            and not instance_url(cleaned.get("url") or "")
        ):
            self.add_error(
                "url",
                _("GovSocial reads this channel from its server: give the account's address."),
            )
        elif cleaned.get("platform") in POLLING_CONNECTORS and cleaned.get("url"):
            self._check_public_server(instance_url(cleaned["url"]))  # "" if not http(s)
        return cleaned

    def _check_public_server(self, base_url: str) -> None:
        try:
            public_server_check(base_url, unresolvable_ok=True)
        except AddressRefused as refusal:
            self.add_error("url", str(refusal))


def _member_label(user: User) -> str:
    languages = ", ".join(code.upper() for code in user.spoken_languages)
    return f"{user} ({languages})" if languages else str(user)
