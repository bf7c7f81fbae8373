from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """An institution's social media channels and connectors (filled by the channels issue)."""

    name = "channels"
    verbose_name = _("Channels")
