from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """An institution's social media channels and connectors (filled by the channels issue)."""

    name = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from accounts.services.institutions import RESPONSE_TIMES_HOOKS
        from accounts.services.members import roles_withdrawn
        from channels.connectors import redaction
        from channels.services.channels import channels_apply_institution_times, on_roles_withdrawn
        from channels.summaries import summaries_connect

        redaction.install()
        summaries_connect()  # the queue's cached channel names follow every change

        roles_withdrawn.connect(on_roles_withdrawn, dispatch_uid="channels.roles_withdrawn")

        if channels_apply_institution_times not in RESPONSE_TIMES_HOOKS:
            RESPONSE_TIMES_HOOKS.append(channels_apply_institution_times)
