"""The subscription form: validation only (the address must be public, and https)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govsocial.addresses import AddressRefused
from webhooks.models import Event, Subscription
from webhooks.services import address_check


class SubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Each event is sent to this address as it happens."),
    )

    class Meta:
        model = Subscription
        fields = ("url", "events", "description", "is_active")
        help_texts = {
            "url": gettext_lazy(
                "An https address on a public server. GovSocial signs every delivery with "
                "this subscription's secret."
            ),
            "is_active": gettext_lazy("Inactive subscriptions receive nothing."),
        }

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        if urlsplit(url).scheme != "https" and not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
            raise forms.ValidationError(_("Give an https address: deliveries travel encrypted."))
        try:
            address_check(url)
        except AddressRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return url
