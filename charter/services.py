"""Writes for charters: drafts, publication, acknowledgements and reminders.

Invariants:
- a charter has at most one draft (database constraint); editing a published charter starts a
  new draft prefilled from the version in force;
- publication renders each text's Markdown to sanitised HTML once, then freezes the version, its
  texts and its rules (database triggers and model guards refuse any later change);
- a version is published with a change summary, at least one language text and rule numbers
  unique within the version;
- saving a draft never drops a rule the editor did not delete explicitly (``draft_save``);
- acknowledgements are unique per (version, user); reminders are notifications keyed by ISO week,
  so the reminder task may run any number of times: one reminder per person per week.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

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
from charter.selectors import (
    pending_acknowledgements_changed,
    rule_changes,
    rule_choices_changed,
)

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
    rule_id: int | None = None
    """The draft rule this input edits, as the editor loaded it. None: the draft's rule of the
    same number if no other input claims it, else a new rule."""


def charter_create(
    *,
    institution: Institution,
    actor: User,
    audience: str,
    slug: str,
    title: str,
    house_rules: bool = False,
) -> Charter:
    """A new charter with an empty draft version 1; ``house_rules`` only if it has none yet."""
    with transaction.atomic():
        charters = _lock_charters(institution)
        charter = Charter(
            institution=institution,
            audience=audience,
            slug=slug,
            title=title,
            is_house_rules=house_rules,
        )
        charter._history_user = actor  # type: ignore[attr-defined]
        if house_rules:
            _refuse_second_house_rules(charters.values())
        charter.full_clean()
        charter.save()
        CharterVersion.objects.create(
            institution=institution, charter=charter, number=1, created_by=actor
        )
    return charter


def charter_make_house_rules(*, charter: Charter, actor: User) -> Charter:
    """Make a public charter the institution's house rules, in place of the current ones.

    Moderators cite the rules of this charter's version in force from now on; decisions already
    made keep the rule they cited. Both changes are in the charters' history.
    """
    with transaction.atomic():
        charters = _lock_charters(charter.institution)
        locked = charters[charter.pk]
        if locked.audience != Audience.PUBLIC:
            raise ValidationError(_("Only a public charter can be the house rules."))
        if not locked.versions.published().exists():
            raise ValidationError(
                _(
                    "Publish a first version of this charter: until then moderators would "
                    "have no rule to cite."
                )
            )
        for other in charters.values():
            if other.is_house_rules and other.pk != locked.pk:
                other.is_house_rules = False
                other._history_user = actor  # type: ignore[attr-defined]
                other.save(update_fields=["is_house_rules"])
        locked.is_house_rules = True
        locked._history_user = actor  # type: ignore[attr-defined]
        locked.save(update_fields=["is_house_rules"])
    return locked


def _lock_charters(institution: Institution) -> dict[int, Charter]:
    """Serialises changes of the house rules designation within an institution (the institution
    row is locked too, so that two first charters created at once cannot both be the house
    rules; the database constraint would refuse the second with an error page)."""
    Institution.objects.select_for_update().filter(pk=institution.pk).first()
    rows = Charter.objects.for_institution(institution).select_for_update().order_by("pk")
    return {charter.pk: charter for charter in rows}


def _refuse_second_house_rules(charters: Iterable[Charter]) -> None:
    """``charters``: the institution's, as ``_lock_charters`` read them."""
    current = next((charter for charter in charters if charter.is_house_rules), None)
    if current is not None:
        raise ValidationError(
            {
                "house_rules": _(
                    "“%(title)s” are already the house rules of this institution, and there is "
                    "only one. Create this charter without ticking the box, then choose “Make "
                    "these the house rules” on its page if it should replace them."
                )
                % {"title": current.title}
            }
        )


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
    _write_texts(target, texts)
    _write_rules(target, [(rule, None) for rule in rules], [])


def draft_save(
    *,
    version: CharterVersion,
    actor: User,
    texts: Iterable[TextInput],
    rules: Iterable[RuleInput],
    deleted_rule_ids: Iterable[int] = (),
) -> CharterVersion:
    """Write the draft's texts, and its rules in the given order.

    A save never drops a rule it was not told to delete: each rule of the draft is either kept
    (by an input carrying its id, or else its number) or named in ``deleted_rule_ids``. A save
    that leaves a rule out otherwise is refused whole: the editor's page was out of date (someone
    else saved the draft meanwhile) or a form lost a row. Rules are updated in place, so a rule
    keeps its id from one save to the next.
    """
    texts, rules = list(texts), list(rules)
    _validate_content(texts, rules)
    with transaction.atomic():
        locked = CharterVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise ValidationError(_("This version is already published; start a new draft."))
        matches, deleted = _match_rules(locked, rules, set(deleted_rule_ids))
        CharterText.objects.filter(version=locked).delete()
        _write_texts(locked, texts)
        _write_rules(locked, matches, deleted)
    return locked


STALE_DRAFT = gettext_lazy(
    "This draft changed since you opened it (someone else may have saved it), so nothing was "
    "saved. Copy your changes, reload the draft and make them again."
)
RULES_LEFT_OUT = gettext_lazy(
    "Nothing was saved: this save leaves out %(rules)s without deleting them. Reload the draft "
    "(someone else may have changed it); to remove a rule, tick its “Delete” box."
)


def _match_rules(
    version: CharterVersion, rules: list[RuleInput], deleted_ids: set[int]
) -> tuple[list[tuple[RuleInput, CharterRule | None]], list[CharterRule]]:
    """Pair each input with the draft rule it edits (None: a new rule); and the rules to delete.

    An input without an id edits the draft rule of the same number that no other input claims
    (programmatic saves think in numbers). Ids of rules already gone are ignored when deleting
    (two editors deleting the same rule) but refused when editing (the edit would be lost).
    """
    existing = {rule.pk: rule for rule in CharterRule.objects.filter(version=version)}
    claimed = {rule.rule_id for rule in rules if rule.rule_id is not None}
    if claimed & deleted_ids:
        raise ValueError("A rule cannot be both kept and deleted.")
    if not claimed <= existing.keys():
        raise ValidationError(STALE_DRAFT)
    unclaimed = {
        rule.number: rule
        for pk, rule in existing.items()
        if pk not in claimed and pk not in deleted_ids
    }
    matches = [
        (
            rule_input,
            existing[rule_input.rule_id]
            if rule_input.rule_id is not None
            else unclaimed.pop(rule_input.number, None),
        )
        for rule_input in rules
    ]
    if unclaimed:
        codes = ", ".join(rule.code for rule in sorted(unclaimed.values(), key=lambda r: r.number))
        raise ValidationError(RULES_LEFT_OUT % {"rules": codes})
    return matches, [existing[pk] for pk in deleted_ids if pk in existing]


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
        errors += _rule_errors(rule)
    if errors:
        raise ValidationError(errors)


def _rule_errors(rule: RuleInput) -> list[str]:
    """A rule needs a text; a title typed without its text would be silently lost."""
    if not any(text.strip() for _title, text in rule.texts.values()):
        return [_("Rule R%(number)s has no text.") % {"number": rule.number}]
    return [
        _("Rule R%(number)s has a title in %(language)s but no text.")
        % {"number": rule.number, "language": language}
        for language, (title, text) in rule.texts.items()
        if title.strip() and not text.strip()
    ]


def _write_texts(version: CharterVersion, texts: list[TextInput]) -> None:
    for text in texts:
        if text.body_markdown.strip():
            CharterText.objects.create(
                institution=version.institution,
                version=version,
                language=text.language,
                title=text.title.strip(),
                body_markdown=text.body_markdown,
            )


NUMBER_ASIDE = 1000
"""Kept rules first move above the highest rule number (999): renumbering (R1 and R2 swapped)
never meets the (version, number) unique constraint halfway."""


def _write_rules(
    version: CharterVersion,
    matches: list[tuple[RuleInput, CharterRule | None]],
    deleted: list[CharterRule],
) -> None:
    kept = [rule.pk for _input, rule in matches if rule is not None]
    gone = [rule.pk for rule in deleted]
    CharterRuleText.objects.filter(version=version, rule__in=[*kept, *gone]).delete()
    CharterRule.objects.filter(version=version, pk__in=gone).delete()
    CharterRule.objects.filter(version=version, pk__in=kept).update(
        number=F("number") + NUMBER_ASIDE
    )
    for position, (rule_input, existing) in enumerate(matches):
        rule = existing or CharterRule(institution_id=version.institution_id)
        rule.version = version
        rule.number = rule_input.number
        rule.position = position
        rule.justifies_hide = rule_input.justifies_hide
        rule.justifies_remove = rule_input.justifies_remove
        rule.save()
        _write_rule_texts(rule, rule_input)


def _write_rule_texts(rule: CharterRule, rule_input: RuleInput) -> None:
    for language, (title, rule_text) in rule_input.texts.items():
        if rule_text.strip():
            CharterRuleText.objects.create(
                institution_id=rule.institution_id,
                version=rule.version,
                rule=rule,
                language=language,
                title=title.strip() or rule.code,
                text=rule_text,
            )


def version_publish(
    *,
    version: CharterVersion,
    actor: User,
    change_summary: str,
    drop_cited_rules: bool = False,
) -> CharterVersion:
    """Freeze the draft and make it the version in force.

    A draft that leaves out rules which decisions cite (see ``charter.citations``) is published
    only with ``drop_cited_rules``: those decisions keep their wording in the older version,
    but the public page no longer shows the rule they name.
    """
    if not change_summary.strip():
        raise ValidationError(_("Describe what changed: the summary is shown in the history."))
    with transaction.atomic():
        locked = CharterVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise ValidationError(_("This version is already published."))
        texts = list(locked.texts.all())
        if not texts:
            raise ValidationError(_("Write the text in at least one language before publishing."))
        cited = rule_changes(locked, get_language() or settings.LANGUAGE_CODE).removed_cited
        if cited and not drop_cited_rules:
            raise ValidationError(
                CITED_RULES_LEFT_OUT % {"rules": ", ".join(change.code for change in cited)},
                code="cited_rules_left_out",
            )
        for text in texts:
            text.body_html = render_markdown(text.body_markdown)
            text.save(update_fields=["body_html"])
        locked.status = CharterVersion.Status.PUBLISHED
        locked.change_summary = change_summary.strip()
        locked.published_at = timezone.now()
        locked.published_by = actor
        locked.save()
        rule_choices_changed(locked.institution_id)
        if locked.charter.audience == Audience.STAFF:
            pending_acknowledgements_changed()
            transaction.on_commit(lambda: _announce_staff_version(locked))
    return locked


CITED_RULES_LEFT_OUT = gettext_lazy(
    "This version leaves out %(rules)s, which moderation decisions cite. Confirm that you "
    "want to publish without them, or restore them in the draft."
)
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
            acknowledgement = Acknowledgement.objects.create(
                institution=version.institution, version=version, user=user
            )
            pending_acknowledgements_changed()
            return acknowledgement
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
