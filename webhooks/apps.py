from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Outgoing event webhooks: an institution's subscriptions, and the deliveries of the events
    the features emit (``webhooks.events.emit``). It sits just above ``accounts`` so that every
    feature, the deadline engine included, can emit without importing upward."""

    name = "webhooks"
    verbose_name = _("Outgoing webhooks")
