from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """An institution's social media channels and connectors (filled by the channels issue)."""

    name = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from accounts.services.members import roles_withdrawn
        from channels.services.channels import on_roles_withdrawn

        roles_withdrawn.connect(on_roles_withdrawn, dispatch_uid="channels.roles_withdrawn")
