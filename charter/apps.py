from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharterConfig(AppConfig):
    """Charters, immutable versions and numbered rules (filled by the charters issue)."""

    name = "charter"
    verbose_name = _("Charters")
