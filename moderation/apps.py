from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    """Incoming items and the moderation queue (filled by the moderation issue)."""

    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from accounts.services.members import roles_withdrawn
        from moderation.services.assignment import on_roles_withdrawn

        roles_withdrawn.connect(on_roles_withdrawn, dispatch_uid="moderation.roles_withdrawn")
