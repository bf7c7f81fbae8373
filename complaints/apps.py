from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Complaint cases, intake, routing and recommendations (filled by the complaints issue)."""

    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from accounts.services.members import roles_withdrawn
        from complaints.ledger import ledger_register_complaints
        from complaints.services.routing import on_roles_withdrawn

        roles_withdrawn.connect(on_roles_withdrawn, dispatch_uid="complaints.roles_withdrawn")
        ledger_register_complaints()  # timeline events are chained
