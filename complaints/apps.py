from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Complaint cases, intake, routing and recommendations (filled by the complaints issue)."""

    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from accounts.services.members import roles_withdrawn
        from complaints.categories import categories_connect
        from complaints.ledger import ledger_register_complaints
        from complaints.models import Case
        from complaints.services.holds import case_hold_q
        from complaints.services.routing import on_roles_withdrawn
        from govsocial.retention import hold_register

        hold_register(Case, case_hold_q())  # a case under legal hold is never anonymised

        roles_withdrawn.connect(on_roles_withdrawn, dispatch_uid="complaints.roles_withdrawn")
        ledger_register_complaints()  # timeline events are chained
        categories_connect()  # cached category lists follow every change
