from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    """Incoming items and the moderation queue (filled by the moderation issue)."""

    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from django.db.models import Q

        from accounts.services.members import roles_withdrawn
        from channels.events import register_event_sink
        from charter.citations import register_citation_counter
        from complaints.items import register_item_reader
        from complaints.services.holds import item_hold_q
        from govsocial.retention import hold_register
        from moderation.citations import decisions_citing
        from moderation.ledger import ledger_register_moderation
        from moderation.models import Item
        from moderation.services.assignment import on_roles_withdrawn
        from moderation.services.ingest import item_apply_event, items_known
        from moderation.services.replies import saved_replies_connect
        from moderation.social_items import social_item_read

        # Retention never erases an item linked to a complaint, kept as evidence or legally held.
        hold_register(Item, Q(complaint_cases__isnull=False))
        hold_register(Item, Q(decisions__case__isnull=False))
        hold_register(Item, Q(evidence_snapshots__isnull=False))
        hold_register(Item, item_hold_q())  # under legal hold (complaints.services.holds)
        register_citation_counter(decisions_citing)
        register_event_sink(apply=item_apply_event, known=items_known)
        register_item_reader(social_item_read)
        ledger_register_moderation()  # decisions and platform action results are chained
        roles_withdrawn.connect(on_roles_withdrawn, dispatch_uid="moderation.roles_withdrawn")
        saved_replies_connect()  # the item page's cached choices follow every change
