"""Writes for charters: drafts, publication, acknowledgements and reminders.

Invariants:
- a charter has at most one draft (database constraint); editing a published charter starts a
  new draft prefilled from the version in force;
- publication renders each text's Markdown to sanitised HTML once, then freezes the version, its
  texts and its rules (database triggers and model guards refuse any later change);
- a version is published with a change summary, at least one language text and rule numbers
  unique within the version;
- acknowledgements are unique per (version, user); reminders are notifications keyed by ISO week,
  so the reminder task may run any number of times: one reminder per person per week.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Institution, Membership, User
from accounts.services.notifications import notification_send
from charter.models import (
    Acknowledgement,
    Audience,
    Charter,
    CharterLanguage,
    CharterRule,
    CharterRuleText,
    CharterText,
    CharterVersion,
)
from charter.rendering import render_markdown

REMINDER_AFTER = timedelta(days=7)


@dataclass
class TextInput:
    language: str
    title: str
    body_markdown: str


@dataclass
class RuleInput:
    number: int
    justifies_hide: bool = True
    justifies_remove: bool = True
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)
    """language -> (title, text)"""


def charter_create(
    *, institution: Institution, actor: User, audience: str, slug: str, title: str
) -> Charter:
    """A new charter with an empty draft version 1."""
    with transaction.atomic():
        charter = Charter(institution=institution, audience=audience, slug=slug, title=title)
        charter.full_clean()
        charter.save()
        CharterVersion.objects.create(
            institution=institution, charter=charter, number=1, created_by=actor
        )
    return charter


def draft_start(*, charter: Charter, actor: User) -> CharterVersion:
    """The charter's draft: the existing one, or a new one copied from the latest published."""
    with transaction.atomic():
        Charter.objects.select_for_update().filter(pk=charter.pk).first()
        draft = CharterVersion.objects.drafts().filter(charter=charter).first()
        if draft:
            return draft
        current = CharterVersion.objects.published().filter(charter=charter).first()
        number = (charter.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = CharterVersion.objects.create(
            institution=charter.institution, charter=charter, number=number, created_by=actor
        )
        if current:
            _copy_content(current, draft)
    return draft


def _copy_content(source: CharterVersion, target: CharterVersion) -> None:
    texts = [TextInput(t.language, t.title, t.body_markdown) for t in source.texts.all()]
    rules = [
        RuleInput(
            number=rule.number,
            justifies_hide=rule.justifies_hide,
            justifies_remove=rule.justifies_remove,
            texts={t.language: (t.title, t.text) for t in rule.texts.all()},
        )
        for rule in source.rules.prefetch_related("texts")
    ]
    _write_content(target, texts, rules)


def draft_save(
    *, version: CharterVersion, actor: User, texts: Iterable[TextInput], rules: Iterable[RuleInput]
) -> CharterVersion:
    """Replace the draft's texts and rules (in the given rule order)."""
    texts, rules = list(texts), list(rules)
    _validate_content(texts, rules)
    with transaction.atomic():
        locked = CharterVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise ValidationError(_("This version is already published; start a new draft."))
        CharterRuleText.objects.filter(version=locked).delete()
        CharterRule.objects.filter(version=locked).delete()
        CharterText.objects.filter(version=locked).delete()
        _write_content(locked, texts, rules)
    return locked


def _validate_content(texts: list[TextInput], rules: list[RuleInput]) -> None:
    errors = []
    if not any(t.body_markdown.strip() for t in texts):
        errors.append(_("Write the text in at least one language."))
    for text in texts:
        if text.body_markdown.strip() and not text.title.strip():
            errors.append(_("Give a title to the %(language)s text.") % {"language": text.language})
    numbers = [rule.number for rule in rules]
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        errors.append(
            _("Each rule number may be used once; repeated: %(numbers)s.")
            % {"numbers": ", ".join(f"R{n}" for n in duplicates)}
        )
    for rule in rules:
        if not any(text.strip() for _title, text in rule.texts.values()):
            errors.append(_("Rule R%(number)s has no text.") % {"number": rule.number})
    if errors:
        raise ValidationError(errors)


def _write_content(version: CharterVersion, texts: list[TextInput], rules: list[RuleInput]) -> None:
    institution = version.institution
    for text in texts:
        if text.body_markdown.strip():
            CharterText.objects.create(
                institution=institution,
                version=version,
                language=text.language,
                title=text.title.strip(),
                body_markdown=text.body_markdown,
            )
    for position, rule_input in enumerate(rules):
        rule = CharterRule.objects.create(
            institution=institution,
            version=version,
            number=rule_input.number,
            position=position,
            justifies_hide=rule_input.justifies_hide,
            justifies_remove=rule_input.justifies_remove,
        )
        for language, (title, rule_text) in rule_input.texts.items():
            if rule_text.strip():
                CharterRuleText.objects.create(
                    institution=institution,
                    version=version,
                    rule=rule,
                    language=language,
                    title=title.strip() or f"R{rule.number}",
                    text=rule_text,
                )


def version_publish(*, version: CharterVersion, actor: User, change_summary: str) -> CharterVersion:
    """Freeze the draft and make it the version in force."""
    if not change_summary.strip():
        raise ValidationError(_("Describe what changed: the summary is shown in the history."))
    with transaction.atomic():
        locked = CharterVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise ValidationError(_("This version is already published."))
        texts = list(locked.texts.all())
        if not texts:
            raise ValidationError(_("Write the text in at least one language before publishing."))
        for text in texts:
            text.body_html = render_markdown(text.body_markdown)
            text.save(update_fields=["body_html"])
        locked.status = CharterVersion.Status.PUBLISHED
        locked.change_summary = change_summary.strip()
        locked.published_at = timezone.now()
        locked.published_by = actor
        locked.save()
        if locked.charter.audience == Audience.STAFF:
            transaction.on_commit(lambda: _announce_staff_version(locked))
    return locked


NEW_STAFF_VERSION = gettext_lazy("New staff charter to read: %(title)s, version %(number)s")
REMINDER = gettext_lazy("Reminder: please read and accept %(title)s, version %(number)s")
REMINDER_BODY = gettext_lazy(
    "Version %(number)s was published on %(date)s and you have not accepted it yet."
)


def _announce_staff_version(version: CharterVersion) -> None:
    for user in _active_members(version.institution):
        notification_send(
            recipient=user,
            institution=version.institution,
            kind="charter.new_version",
            subject=NEW_STAFF_VERSION,
            params={"title": version.charter.title, "number": version.number},
            url=acknowledge_url(version),
            dedupe_key=f"charter-version:{version.pk}",
        )


def _active_members(institution: Institution) -> list[User]:
    user_ids = Membership.objects.for_institution(institution).active().values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def acknowledge_url(version: CharterVersion) -> str:
    return reverse(
        "charter:charter-acknowledge",
        kwargs={"institution_slug": version.institution.slug, "charter_slug": version.charter.slug},
    )


def acknowledgement_record(*, version: CharterVersion, user: User) -> Acknowledgement:
    """Idempotent: accepting twice keeps the first acceptance time."""
    if not version.is_published or version.charter.audience != Audience.STAFF:
        raise ValidationError(_("Only published staff charters are accepted."))
    try:
        with transaction.atomic():
            return Acknowledgement.objects.create(
                institution=version.institution, version=version, user=user
            )
    except IntegrityError:
        return Acknowledgement.objects.get(version=version, user=user)


def acknowledgement_reminders_send(now: datetime | None = None) -> int:
    """Remind members who have not accepted the staff charter in force 7 days after publication.

    Safe to run as often as wanted: the notification's dedupe key holds the ISO week.
    """
    now = now or timezone.now()
    year, week, _day = now.isocalendar()
    sent = 0
    for version in _staff_versions_in_force(now - REMINDER_AFTER):
        acknowledged = set(
            Acknowledgement.objects.filter(version=version).values_list("user_id", flat=True)
        )
        for user in _active_members(version.institution):
            if user.pk in acknowledged:
                continue
            notification = notification_send(
                recipient=user,
                institution=version.institution,
                kind="charter.reminder",
                subject=REMINDER,
                body=REMINDER_BODY,
                params={
                    "title": version.charter.title,
                    "number": version.number,
                    "date": version.published_at.date().isoformat() if version.published_at else "",
                },
                url=acknowledge_url(version),
                dedupe_key=f"charter-reminder:{version.pk}:{year}-W{week:02d}",
            )
            sent += notification is not None
    return sent


def _staff_versions_in_force(published_before: datetime) -> list[CharterVersion]:
    """The latest published version of every staff charter, if published before the cut-off."""
    latest = []
    for charter in Charter.objects.staff().select_related("institution"):
        version = (
            CharterVersion.objects.published()
            .filter(charter=charter)
            .select_related("charter")
            .first()
        )
        if version and version.published_at and version.published_at <= published_before:
            latest.append(version)
    return latest


def languages_missing(version: CharterVersion) -> list[str]:
    present = set(version.texts.values_list("language", flat=True))
    return [code for code in CharterLanguage.values if code not in present]
