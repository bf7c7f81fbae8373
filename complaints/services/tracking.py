"""The complainant's private tracking link: issue, rotate, find, close.

Invariants:
- the link is ``/complaints/<institution>/track/<reference>/<token>/``; only the token's SHA-256
  is stored (``TrackingLink.token_hash``), compared in constant time; the token itself exists
  only in the message that carries it (the acknowledgement, or the e-mail of a new link) and in
  the outbox row of that e-mail until the outbox forgets it;
- one live token per case: issuing a new one (rotation) replaces the hash, so the old link
  stops working at once;
- a wrong reference, a wrong token, a closed link and an erased complainant all look the same
  to the visitor (``tracking_find`` answers None; the view answers the same 404);
- erasure of the personal data closes the link for good (``tracking_close``);
- each issue and the closing are in the case's timeline (how, by whom), never the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Institution, User
from accounts.services.notifications import email_queue
from complaints.models import Case, Complainant, EventKind, TrackingLink
from complaints.services.timeline import timeline_record

PLACEHOLDER = "{tracking_link}"
"""Where a letter template puts the link; filled when the letter is sent (``letter_send``)."""


class Via:
    """How a link was issued (recorded in the timeline)."""

    LETTER = "acknowledgement"
    COMPLAINANT = "complainant_request"
    OFFICER = "officer"


VIA_LABELS = {
    Via.LETTER: gettext_lazy("in a letter to the complainant"),
    Via.COMPLAINANT: gettext_lazy("a new link asked for by the complainant"),
    Via.OFFICER: gettext_lazy("a new link issued by an officer"),
}


class TrackingError(ValueError):
    """Refused, with the reason for the person asking."""


@dataclass(frozen=True)
class Issued:
    url: str
    emailed_to: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tracking_url(case: Case, token: str) -> str:
    path = reverse(
        "complaints:tracking",
        kwargs={
            "institution_slug": case.institution.slug,
            "reference": case.reference,
            "token": token,
        },
    )
    return f"{settings.SITE_URL}{path}"


def tracking_issue(*, case: Case, actor: User | None, via: str) -> str:
    """A new token for ``case`` (the previous one stops working); returns the link. Refused
    once the complainant's data is erased. The caller delivers the link in its transaction."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        complainant = Complainant.objects.select_for_update().get(case=case)
        if complainant.erased_at is not None:
            raise TrackingError(_("The complainant's data was erased: the link is closed."))
        link, created = TrackingLink.objects.get_or_create(
            case=case,
            defaults={"institution_id": case.institution_id, "token_hash": token_hash(token)},
        )
        if not created:
            link.token_hash = token_hash(token)
            link.issued_at = timezone.now()
            link.save(update_fields=["token_hash", "issued_at"])
        timeline_record(case, actor, EventKind.TRACKING_LINK_ISSUED, via=via, replaced=not created)
    return tracking_url(case, token)


def tracking_send(*, case: Case, actor: User | None, via: str) -> Issued:
    """Rotate the link and e-mail the new one to the complainant, in the case's language.

    Without an e-mail address an officer gets the link to pass on (by letter or phone); a
    complainant asking from the page is refused (nowhere to send it)."""
    complainant = Complainant.objects.get(case=case)
    if not complainant.email and via == Via.COMPLAINANT:
        raise TrackingError(
            _("We have no e-mail address to send a new link to. Please contact us.")
        )
    with transaction.atomic():
        url = tracking_issue(case=case, actor=actor, via=via)
        if complainant.email:
            _mail(case, complainant.email, url)
    return Issued(url=url, emailed_to=complainant.email)


def _mail(case: Case, address: str, url: str) -> None:
    with translation.override(case.language):
        subject = _("Your complaint %(reference)s: your new link to follow it") % {
            "reference": case.reference
        }
        body = _(
            "You can follow your complaint %(reference)s to %(institution)s with this private "
            "link:\n%(url)s\n\n"
            "The previous link no longer works. Do not share this link: anyone who has it can "
            "see the progress of your complaint and the letters we sent you."
        ) % {
            "reference": case.reference,
            "institution": case.institution.name_in(case.language),
            "url": url,
        }
    email_queue(to_address=address, subject=subject, body_text=body, about=case.about_key)


def tracking_find(*, institution: Institution, reference: str, token: str) -> Case | None:
    """The case this link opens, or None (wrong reference, wrong token, closed, erased)."""
    link = (
        TrackingLink.objects.for_institution(institution)
        .select_related("case", "case__institution", "case__complainant")
        .filter(case__reference=reference, closed_at__isnull=True)
        .first()
    )
    expected = link.token_hash if link else token_hash("")  # compare anyway: same timing
    matches = hmac.compare_digest(expected, token_hash(token))
    if link is None or not matches or not link.token_hash:
        return None
    if link.case.complainant.erased_at is not None:
        return None
    return link.case


def tracking_close(case: Case, actor: User | None) -> None:
    """Close the link for good (part of erasing the complainant's data)."""
    closed = TrackingLink.objects.filter(case=case, closed_at__isnull=True).update(
        token_hash="", closed_at=timezone.now()
    )
    if closed:
        timeline_record(case, actor, EventKind.TRACKING_LINK_CLOSED)


def tracking_is_open(case: Case) -> bool:
    return TrackingLink.objects.filter(case=case, closed_at__isnull=True).exists()
