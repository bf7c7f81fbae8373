from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Complaint cases, intake, routing and recommendations (filled by the complaints issue)."""

    name = "complaints"
    verbose_name = _("Complaints")
