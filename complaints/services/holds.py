"""Legal holds on cases and social media items: place, lift, and ask whether something is held.

Invariants:
- a hold and its lifting are two append-only rows (``LegalHold``, ``LegalHoldLift``): nothing is
  ever rewritten, so both acts can be chained by the ledger as they are;
- one open hold per target at a time (the target's row is locked while placing);
- while a case is held, erasure on request is refused with the hold's date and reason, and the
  retention job skips it (``govsocial.retention`` hold registered in ``ComplaintsConfig``); while
  an item is held, retention skips it (registered in ``ModerationConfig``) and a case's erasure
  keeps the snapshots of that item;
- who: complaint officers and institution admins for cases; institution admins and
  complaint officers for items (officers build files for the courts; admins answer for the
  institution); the check is here, whatever calls it;
- each placing and lifting of a hold on a case is also in the case's timeline.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Institution, Role, User
from accounts.tenancy import has_role
from complaints.models import Case, EventKind, LegalHold, LegalHoldLift
from complaints.services.timeline import timeline_record

HOLD_ROLES = (Role.COMPLAINT_OFFICER, Role.INSTITUTION_ADMIN)
MAX_REASON = 2000


class LegalHoldError(ValueError):
    """Refused, with the reason for the person asking."""


def open_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(lift__isnull=True)


def case_hold_q() -> Q:
    """Cases under an open legal hold (for ``govsocial.retention.hold_register``)."""
    return Q(pk__in=open_holds().filter(case__isnull=False).values("case_id"))


def item_hold_q() -> Q:
    """Items under an open legal hold (for ``govsocial.retention.hold_register``)."""
    return Q(pk__in=open_holds().filter(item__isnull=False).values("item_id"))


def hold_of(*, case: Case | None = None, item_id: int | None = None) -> LegalHold | None:
    """The open legal hold on this case or item, if any."""
    holds = open_holds().select_related("placed_by")
    if case is not None:
        return holds.filter(case=case).first()
    if item_id is None:
        return None
    return holds.filter(item_id=item_id).first()


def item_held() -> Exists:
    """For an item queryset: whether the item is under an open legal hold, read in the item's
    own query (the item page then reads the hold, with ``hold_of``, only for a held item)."""
    return Exists(open_holds().filter(item_id=OuterRef("pk")))


def held_item_ids(item_ids: list[int]) -> set[int]:
    return set(open_holds().filter(item_id__in=item_ids).values_list("item_id", flat=True))


def hold_message(hold: LegalHold) -> str:
    """What someone trying to erase held data reads."""
    return _("Under legal hold since %(date)s (reason: %(reason)s): nothing can be erased.") % {
        "date": formats.date_format(timezone.localtime(hold.placed_at), "DATETIME_FORMAT"),
        "reason": hold.reason,
    }


def hold_place(
    *,
    institution: Institution,
    actor: User,
    reason: str,
    case: Case | None = None,
    item: Model | None = None,
) -> LegalHold:
    """Put ``case`` or ``item`` (a moderation item, passed as a row) under legal hold."""
    _check_actor(institution, actor)
    reason = _reason(reason, _("Say why the legal hold is placed."))
    if (case is None) == (item is None):
        raise LegalHoldError(_("Choose one complaint or one item to hold."))
    target: Model = case if case is not None else item  # type: ignore[assignment]
    if getattr(target, "institution_id", None) != institution.pk:
        raise LegalHoldError(_("This belongs to another institution."))
    with transaction.atomic():
        # Two people placing a hold at once queue on the target row; the second sees the first.
        type(target)._default_manager.select_for_update().filter(pk=target.pk).first()
        existing = hold_of(case=case) if case else hold_of(item_id=target.pk)
        if existing is not None:
            raise LegalHoldError(hold_message(existing))
        hold = LegalHold.objects.create(
            institution=institution,
            case=case,
            item_id=None if case else target.pk,
            reason=reason,
            placed_by=actor,
        )
        if case is not None:
            timeline_record(
                case, actor, EventKind.LEGAL_HOLD_PLACED, hold_id=hold.pk, reason=reason
            )
    return hold


def hold_lift(*, hold: LegalHold, actor: User, reason: str) -> LegalHoldLift:
    institution = hold.institution
    _check_actor(institution, actor)
    reason = _reason(reason, _("Say why the legal hold is lifted."))
    with transaction.atomic():
        locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if LegalHoldLift.objects.filter(hold=locked).exists():
            raise LegalHoldError(_("This legal hold was already lifted."))
        lift = LegalHoldLift.objects.create(
            institution=institution, hold=locked, reason=reason, lifted_by=actor
        )
        if locked.case is not None:
            timeline_record(
                locked.case,
                actor,
                EventKind.LEGAL_HOLD_LIFTED,
                hold_id=locked.pk,
                reason=reason,
                held_since=locked.placed_at.isoformat(),
            )
    return lift


def _check_actor(institution: Institution, actor: User) -> None:
    if not any(has_role(actor, institution, role) for role in HOLD_ROLES):
        raise LegalHoldError(
            _("Only complaint officers and institution admins place or lift legal holds.")
        )


def _reason(reason: str, missing: str) -> str:
    reason = reason.strip()
    if not reason:
        raise LegalHoldError(missing)
    if len(reason) > MAX_REASON:
        raise LegalHoldError(
            _("The reason is too long (at most %(count)s characters).") % {"count": MAX_REASON}
        )
    return reason
