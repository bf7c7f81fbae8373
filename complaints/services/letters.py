"""Acknowledgements and answers: templates per language, rendering, sending, recording.

A template's text may use these placeholders: {reference}, {name}, {subject}, {received_date},
{due_date}, {institution}, {tracking_link}. ``{tracking_link}`` stays as it is in the preview and
is replaced when the letter is sent by a freshly issued private tracking link
(``services.tracking``): only its hash is kept, so the letter kept in ``Correspondence`` keeps
the placeholder, never the link. Text in square brackets ("[Our findings and what we will
do.]") is an instruction to the officer: a letter is never sent while one remains. The
institution's own wording is used when it has one for the language, else GovSocial's default
wording, translated.
``letter_prepare`` gives the exact letter (address, subject, text) the officer previews, and
``letter_send`` sends only that previewed letter (its fingerprint). The letter actually sent is
kept in ``Correspondence`` (it names the complainant, so it is erased with the complainant's
data); the timeline records only that it was sent, how and which letter.
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Institution, User
from accounts.services.notifications import email_queue
from complaints.models import Case, Complainant, Correspondence, LetterKind, LetterTemplate, Note
from complaints.services import cases, tracking
from complaints.services.timeline import timeline_record

PLACEHOLDERS = (
    "reference",
    "name",
    "subject",
    "received_date",
    "due_date",
    "institution",
    "tracking_link",
)

DEFAULTS = {
    LetterKind.ACKNOWLEDGEMENT: (
        gettext_lazy("Your complaint {reference}: acknowledgement of receipt"),
        gettext_lazy(
            "Dear {name},\n\nWe received your complaint “{subject}” on {received_date}. It is "
            "registered under the reference {reference}.\n\nA complaint officer is examining it. "
            "You will receive an individual answer by {due_date} at the latest.\n\n"
            "Kind regards,\n\nThe complaints service of {institution}"
        ),
    ),
    LetterKind.ANSWER: (
        gettext_lazy("Your complaint {reference}: our answer"),
        gettext_lazy(
            "Dear {name},\n\nYou submitted a complaint “{subject}” on {received_date} "
            "(reference {reference}).\n\n[Our findings and what we will do.]\n\n"
            "If you are not satisfied with this answer, you may contact the federal "
            "Ombudsman.\n\nKind regards,\n\nThe complaints service of {institution}"
        ),
    ),
}


TRACKING_PARAGRAPH = gettext_lazy(
    "You can follow your complaint with this private link (do not share it):\n{tracking_link}"
)
"""Put in the default acknowledgement before its closing lines (its own message, so that the
acknowledgement's existing translations stay valid)."""


class LetterError(ValueError):
    """The letter cannot be sent as asked; the message says why."""


def placeholders_unknown(text: str) -> list[str]:
    """Placeholders in ``text`` GovSocial cannot fill (typos), in order of appearance."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return ["{"]
    return [name for name in names if name not in PLACEHOLDERS]


def template_for(institution: Institution, kind: str, language: str) -> tuple[str, str]:
    own = (
        LetterTemplate.objects.for_institution(institution)
        .filter(kind=kind, language=language)
        .first()
    )
    if own is not None:
        return own.subject, own.body
    subject, body = DEFAULTS[LetterKind(kind)]
    with translation.override(language):
        text = str(body)
        if kind == LetterKind.ACKNOWLEDGEMENT:
            paragraphs = text.split("\n\n")  # ... the deadline, closing, signature
            text = "\n\n".join([*paragraphs[:-2], str(TRACKING_PARAGRAPH), *paragraphs[-2:]])
        return str(subject), text


def letter_render(case: Case, kind: str) -> tuple[str, str]:
    """The letter of ``kind`` for ``case``, in the case's language, placeholders filled."""
    subject, body = template_for(case.institution, kind, case.language)
    values = _values(case)
    return _fill(subject, values), _fill(body, values)


@dataclass(frozen=True)
class LetterDraft:
    """A letter exactly as it will go out: what the officer previews is what is sent."""

    kind: str
    channel: str
    to_address: str
    subject: str
    body: str

    @property
    def fingerprint(self) -> str:
        """Identifies this exact letter; the preview carries it back to ``letter_send``."""
        parts = (self.kind, self.channel, self.to_address, self.subject, self.body)
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def placeholders_left(text: str) -> list[str]:
    """What still waits for the officer in ``text``, in order of appearance: instructions in
    square brackets and unfilled ``{placeholders}`` (``{tracking_link}`` is filled on sending)."""
    return [
        match.group(0) for match in _LEFT.finditer(text) if match.group(0) != tracking.PLACEHOLDER
    ]


def letter_prepare(*, case: Case, kind: str, channel: str, subject: str, body: str) -> LetterDraft:
    """The letter as it will be sent, spaces normalised as the outbox does.

    Refused (``LetterError``) while it is empty, addressed to no one or still holds a
    placeholder of the template."""
    subject = " ".join(subject.split())[:300]
    body = re.sub(r"\r\n?", "\n", body).strip()  # browsers send CRLF, however it was shown
    if not subject or not body:
        raise LetterError(_("The letter needs a subject and a text."))
    if tracking.PLACEHOLDER in subject:
        raise LetterError(
            _("The tracking link belongs in the text of the letter, not its subject.")
        )
    left = placeholders_left(f"{subject}\n{body}")
    if left:
        raise LetterError(
            _("Replace the template's placeholder text before sending: %(placeholders)s")
            % {"placeholders": ", ".join(left)}
        )
    complainant = Complainant.objects.get(case=case)
    if channel == Correspondence.Channel.EMAIL and not complainant.email:
        raise LetterError(_("The complainant gave no e-mail address: print the letter instead."))
    to_address = complainant.email if channel == Correspondence.Channel.EMAIL else ""
    return LetterDraft(kind, channel, to_address, subject, body)


def letter_send(
    *,
    case: Case,
    actor: User,
    kind: str,
    channel: str,
    subject: str,
    body: str,
    previewed: str,
) -> Correspondence:
    """Send (e-mail) or file (printed letter) the letter the officer previewed (``previewed``:
    its fingerprint), and move the case accordingly.

    A ``{tracking_link}`` in the text issues a new tracking link, put in the e-mail; the returned
    letter carries it in ``tracking_url`` (not stored) so that a printed letter can show it."""
    draft = letter_prepare(case=case, kind=kind, channel=channel, subject=subject, body=body)
    if previewed != draft.fingerprint:
        raise LetterError(_("The letter changed since its preview: check it again before sending."))
    with transaction.atomic():
        letter = Correspondence.objects.create(
            institution_id=case.institution_id,
            case=case,
            kind=kind,
            channel=channel,
            subject=draft.subject,
            body=draft.body,
            sent_by=actor,
        )
        if tracking.PLACEHOLDER in draft.body:
            try:
                letter.tracking_url = tracking.tracking_issue(
                    case=case, actor=actor, via=tracking.Via.LETTER
                )
            except tracking.TrackingError as error:
                raise LetterError(str(error)) from error
        if channel == Correspondence.Channel.EMAIL:
            email_queue(
                to_address=draft.to_address,
                subject=draft.subject,
                body_text=draft.body.replace(tracking.PLACEHOLDER, letter.tracking_url),
                about=case.about_key,
            )
        details = {"channel": channel, "letter_id": letter.pk}
        if kind == LetterKind.ACKNOWLEDGEMENT:
            cases.case_acknowledge(case=case, actor=actor, details=details)
        else:
            cases.case_answer(case=case, actor=actor, details=details)
    return letter


def note_add(*, case: Case, author: User, text: str) -> Note:
    if not text.strip():
        raise LetterError(_("The note is empty."))
    with transaction.atomic():
        note = Note.objects.create(
            institution_id=case.institution_id, case=case, author=author, text=text.strip()
        )
        timeline_record(case, author, "note_added", note_id=note.pk)
    return note


def _values(case: Case) -> dict[str, str]:
    zone = case.institution.zone
    complainant = Complainant.objects.filter(case=case).first()
    return {
        "reference": case.reference,
        "name": (complainant.name if complainant else "") or _("Madam, Sir"),
        "subject": case.subject,
        "received_date": case.received_at.astimezone(zone).strftime("%d/%m/%Y"),
        "due_date": case.due_at.astimezone(zone).strftime("%d/%m/%Y"),
        "institution": case.institution.name_in(case.language),
        "tracking_link": tracking.PLACEHOLDER,  # filled when sent (see letter_send)
    }


_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
_LEFT = re.compile(r"\[[^\[\]\n]*\S[^\[\]\n]*\]|" + _PLACEHOLDER.pattern)


def _fill(text: str, values: dict[str, str]) -> str:
    """Replace known placeholders only: any other brace in an officer's text stays as typed."""
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def receipt_confirm(*, case: Case, address: str) -> None:
    """The automatic e-mail after a public-form complaint: reference and latest answer date.

    Anybody can type any address into the public form, so this mail must be worthless to an
    attacker: it repeats nothing typed into the form (no name, no subject, no text), only what
    GovSocial itself wrote. The officer's acknowledgement letter, read before it goes, may.
    """
    institution = case.institution
    zone = institution.zone
    with translation.override(case.language):
        subject = _("Your complaint %(reference)s has been received") % {
            "reference": case.reference
        }
        body = _(
            "Thank you. %(institution)s received a complaint sent from its website with this "
            "e-mail address on %(received)s.\n\n"
            "Reference: %(reference)s\n"
            "You will receive an individual answer by %(due)s at the latest.\n\n"
            "Please quote the reference if you contact us about this complaint. If you did not "
            "send it, you can ignore this message."
        ) % {
            "institution": institution.name_in(case.language),
            "received": case.received_at.astimezone(zone).strftime("%d/%m/%Y"),
            "reference": case.reference,
            "due": case.due_at.astimezone(zone).strftime("%d/%m/%Y"),
        }
    email_queue(to_address=address, subject=subject, body_text=body, about=case.about_key)
