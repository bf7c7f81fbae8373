from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    """Incoming items and the moderation queue (filled by the moderation issue)."""

    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from charter.citations import register_citation_counter
        from moderation.citations import decisions_citing

        register_citation_counter(decisions_citing)
