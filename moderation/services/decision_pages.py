"""Decision pages: every hide or removal gets a public page at an unguessable address, and the
person concerned is told where it is.

Invariants:
- ``statement_create`` runs in the decision's transaction, for hides and removals only: one
  ``DecisionStatement`` per decision (a one-to-one key), its token from ``secrets``;
- the person is told in their language (the item's when it is French, Dutch or English, else
  the institution's default language), through the platform when its connector can send a
  private message for that item and the platform's time limits still allow it
  (``moderation.messaging.private_message_possible``): a PRIVATE_REPLY platform action, planned
  before the hide or delete so that a comment still exists when it is answered privately.
  Otherwise nothing is sent and the item page shows the link and the message for the
  communicator to pass on;
- the page never names the moderator (see ``moderation.selectors.decision_page``).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import UILanguage
from moderation.messaging import private_message_possible
from moderation.models import Action, Decision, DecisionStatement, PlatformAction
from moderation.services.platform_actions import message_plan

PAGE_ACTIONS = (Action.HIDE, Action.REMOVE)


def statement_create(decision: Decision) -> DecisionStatement | None:
    """The page of a hide or removal, and the message telling the person (None for any other
    decision)."""
    if decision.action not in PAGE_ACTIONS:
        return None
    item = decision.item
    statement = DecisionStatement.objects.create(
        institution_id=decision.institution_id,
        decision=decision,
        language=person_language(item.language, item.institution.default_language),
        created_at=decision.created_at,
    )
    if private_message_possible(item, timezone.now()):
        message_plan(decision, notice_text(statement))
    return statement


def person_language(item_language: str, default: str) -> str:
    return item_language if item_language in UILanguage.values else default


def statement_url(statement: DecisionStatement, *, for_person: bool = True) -> str:
    """The page's full address (``SITE_URL``). The person's carries their language
    (``?lang=``, which also sets the reader's language cookie): staff links leave it out, so
    opening the page never switches a moderator's interface language."""
    path = reverse("moderation:decision-page", kwargs={"token": statement.token})
    suffix = f"?lang={statement.language}" if for_person else ""
    return f"{settings.SITE_URL}{path}{suffix}"


def notice_text(statement: DecisionStatement) -> str:
    """The message telling the person about the decision, in their language."""
    decision = statement.decision
    with translation.override(statement.language):
        if decision.action == Action.HIDE:
            what = _("%(institution)s hid your message on %(channel)s.")
        else:
            what = _("%(institution)s removed your message from %(channel)s.")
        what %= {
            "institution": decision.item.institution.name_in(statement.language),
            "channel": decision.item.channel.name,
        }
        why = _("Why, the rule applied and how to contest this decision: %(url)s") % {
            "url": statement_url(statement)
        }
    return f"{what} {why}"


def notice_delivery(decision: Decision) -> PlatformAction | None:
    """The platform action sending the page's link, when one was planned."""
    return (
        decision.platform_actions.filter(kind=PlatformAction.Kind.PRIVATE_REPLY)
        .order_by("created_at", "pk")
        .first()
    )
