"""Reads across charter models, including the API other apps use to cite rules.

Moderation calls ``house_rules_in_force`` and ``rules_justifying`` and stores the chosen
``CharterRule`` id on its decision: the decision keeps pointing at the exact wording it cited.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Institution, Membership, User
from charter.citations import citation_counts
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
from govsocial.generations import digest, generation, generations_bump

ModerationAction = Literal["hide", "remove"]


def house_rules_in_force(
    institution: Institution, at: datetime | None = None
) -> CharterVersion | None:
    """The version in force at ``at`` (default: now) of the charter designated as the
    institution's house rules (``Charter.is_house_rules``: one per institution, enforced)."""
    return (
        CharterVersion.objects.for_institution(institution)
        .filter(charter__is_house_rules=True)
        .in_force_at(at or timezone.now())
        .select_related("charter")
        .first()
    )


def rules_justifying(
    institution: Institution, action: ModerationAction, at: datetime | None = None
) -> QuerySet[CharterRule]:
    """Rules of the house rules in force that can justify ``action`` (none if no rules exist)."""
    version = house_rules_in_force(institution, at)
    if version is None:
        return CharterRule.objects.none()
    flag = {"hide": "justifies_hide", "remove": "justifies_remove"}[action]
    return (
        CharterRule.objects.filter(version=version, **{flag: True})
        .prefetch_related("texts")
        .order_by("position", "number")
    )


def rule_label(rule: CharterRule, language: str) -> str:
    """ "R3 — Spam and advertising": the title in ``language``, else in fr, nl or en (texts
    prefetched when labelling many rules)."""
    chosen = _rule_text_in(rule, language)
    return f"{rule.code} — {chosen.title}" if chosen else rule.code


def _rule_text_in(rule: CharterRule, language: str) -> CharterRuleText | None:
    """The rule's text in ``language``, else in the first language that has one (fr, nl, en):
    a fixed fallback, never the order the database happens to return rows in."""
    texts = {text.language: text for text in rule.texts.all()}
    for candidate in (language, *CharterLanguage.values):
        if candidate in texts:
            return texts[candidate]
    return None


def rule_choices(rules: QuerySet[CharterRule], language: str) -> list[tuple[int, str]]:
    """(pk, "R3 — title"): how moderators pick a rule."""
    return [(rule.pk, rule_label(rule, language)) for rule in rules]


@dataclass(frozen=True)
class RuleChoices:
    """The rules a moderator may cite, labelled in one language: (pk, "R3 — title")."""

    hide: list[tuple[int, str]]
    remove: list[tuple[int, str]]


def rule_choices_in_force(
    institution: Institution, language: str, at: datetime | None = None
) -> RuleChoices:
    """The rules of the house rules in force justifying a hide and a removal, labelled as
    ``rule_choices`` labels ``rules_justifying``'s for each action, in one query (the version
    in force and the title in ``language``, else in fr, nl or en, as subqueries) where asking
    per action took six."""
    version = (
        CharterVersion.objects.for_institution(institution)
        .filter(charter__is_house_rules=True)
        .in_force_at(at or timezone.now())
        .values("pk")[:1]
    )
    titles = [
        Subquery(
            CharterRuleText.objects.filter(rule=OuterRef("pk"), language=candidate).values("title")[
                :1
            ]
        )
        for candidate in dict.fromkeys((language, *CharterLanguage.values))
    ]
    rules = (
        CharterRule.objects.filter(version=Subquery(version))
        .filter(Q(justifies_hide=True) | Q(justifies_remove=True))
        .annotate(title=Coalesce(*titles))
        .order_by("position", "number")
    )
    labelled = [
        (rule, f"{rule.code} — {rule.title}" if rule.title else rule.code) for rule in rules
    ]
    return RuleChoices(
        hide=[(rule.pk, label) for rule, label in labelled if rule.justifies_hide],
        remove=[(rule.pk, label) for rule, label in labelled if rule.justifies_remove],
    )


@dataclass
class PendingAcknowledgement:
    version: CharterVersion
    title: str


def pending_acknowledgements(user: User, language: str) -> list[PendingAcknowledgement]:
    """Latest published staff charter versions, in the user's institutions, not yet accepted,
    with their title in ``language`` (or a fallback)."""
    if not user.is_authenticated:
        return []
    institution_ids = Membership.objects.active().filter(user=user).values("institution_id")
    newest = CharterVersion.objects.published().filter(
        charter=OuterRef("charter"), number__gt=OuterRef("number")
    )
    accepted = Acknowledgement.objects.filter(version=OuterRef("pk"), user=user)
    versions = (
        CharterVersion.objects.published()
        .filter(institution_id__in=institution_ids, charter__audience=Audience.STAFF)
        .exclude(Exists(newest))
        .exclude(Exists(accepted))
        .select_related("charter", "institution")
        .annotate(title=_title_as_pick_text(language))
    )
    return [
        PendingAcknowledgement(version, version.title or version.charter.title)
        for version in versions
    ]


def _title_as_pick_text(language: str) -> Coalesce:
    """The version's title in the language ``pick_text`` would choose (``language``, else the
    institution's, else fr, nl, en), as SQL: the navigation bar shows it on every page, in the
    versions' own query rather than a second one for their texts."""

    def title_in(candidate: str | OuterRef) -> Subquery:
        texts = CharterText.objects.filter(version=OuterRef("pk"), language=candidate)
        return Subquery(texts.values("title")[:1])

    return Coalesce(
        title_in(language),
        title_in(OuterRef("institution__default_language")),
        *(title_in(candidate) for candidate in CharterLanguage.values),
    )


@dataclass
class LocalisedText:
    text: CharterText | None
    language: str
    fallback: bool
    """True when the requested language is missing and another one is shown."""


def pick_text(version: CharterVersion, language: str) -> LocalisedText:
    texts = {text.language: text for text in version.texts.all()}
    if language in texts:
        return LocalisedText(texts[language], language, fallback=False)
    default = version.institution.default_language
    for candidate in (default, *CharterLanguage.values):
        if candidate in texts:
            return LocalisedText(texts[candidate], candidate, fallback=True)
    return LocalisedText(None, language, fallback=True)


@dataclass
class RuleView:
    rule: CharterRule
    title: str
    text: str
    language: str


def rule_in_language(rule: CharterRule, language: str) -> RuleView:
    """One rule's title and text in ``language``, else in fr, nl or en (texts prefetched)."""
    chosen = _rule_text_in(rule, language)
    return RuleView(
        rule,
        chosen.title if chosen else rule.code,
        chosen.text if chosen else "",
        chosen.language if chosen else language,
    )


def rule_texts_differ(before: CharterRule, after: CharterRule) -> bool:
    """Whether two rules (of two versions) read differently in any language."""
    return {t.language: (t.title, t.text) for t in before.texts.all()} != {
        t.language: (t.title, t.text) for t in after.texts.all()
    }


def rules_in_language(version: CharterVersion, language: str) -> list[RuleView]:
    return [rule_in_language(rule, language) for rule in version.rules.prefetch_related("texts")]


@dataclass
class RuleChange:
    """A rule added, changed or removed by a draft, against the version in force."""

    kind: Literal["added", "changed", "removed"]
    code: str
    title: str
    what: list[str]
    """For a changed rule: what changed (e.g. "text (NL)", "can justify removal")."""
    citations: int = 0
    """Decisions citing the rule of the version in force (removed and changed rules)."""


@dataclass
class RuleChanges:
    in_force: CharterVersion | None
    changes: list[RuleChange]

    @property
    def removed_cited(self) -> list[RuleChange]:
        """Rules that decisions cite and that the draft leaves out: publishing needs consent."""
        return [c for c in self.changes if c.kind == "removed" and c.citations]


def rule_changes(draft: CharterVersion, language: str) -> RuleChanges:
    """The draft's rules against the charter's version in force, matched by number (R3 is R3).

    Citation counts come from the apps registered in ``charter.citations`` (moderation).
    """
    in_force = draft.charter.versions.in_force_at(timezone.now()).first()
    old = (
        {view.rule.number: view for view in rules_in_language(in_force, language)}
        if in_force
        else {}
    )
    new = {view.rule.number: view for view in rules_in_language(draft, language)}
    cited = citation_counts([view.rule.pk for view in old.values()])
    changes = []
    for number in sorted(old.keys() | new.keys()):
        before, after = old.get(number), new.get(number)
        if before is None and after is not None:
            changes.append(RuleChange("added", after.rule.code, after.title, []))
        elif before is not None:
            count = cited.get(before.rule.pk, 0)
            if after is None:
                changes.append(RuleChange("removed", before.rule.code, before.title, [], count))
            elif what := _what_changed(before.rule, after.rule):
                changes.append(RuleChange("changed", after.rule.code, after.title, what, count))
    return RuleChanges(in_force, changes)


FLAG_LABELS = {
    "justifies_hide": gettext_lazy("can justify hiding"),
    "justifies_remove": gettext_lazy("can justify removal"),
}


def _what_changed(before: CharterRule, after: CharterRule) -> list[str]:
    """Labels of what differs between two versions of a rule (texts prefetched)."""
    what = [
        str(label)
        for flag, label in FLAG_LABELS.items()
        if getattr(before, flag) != getattr(after, flag)
    ]
    old_texts = {t.language: (t.title, t.text) for t in before.texts.all()}
    new_texts = {t.language: (t.title, t.text) for t in after.texts.all()}
    what += [
        _("text (%(language)s)") % {"language": code.upper()}
        for code in CharterLanguage.values
        if old_texts.get(code) != new_texts.get(code)
    ]
    return what


@dataclass
class DiffLine:
    kind: Literal["same", "removed", "added", "changed"]
    left: str
    right: str


def text_diff(left: str, right: str) -> list[DiffLine]:
    """Side-by-side line diff; the kind is also shown as a word, never by colour alone."""
    a, b = left.splitlines(), right.splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", x, x) for x in a[i1:i2]]
        elif tag == "delete":
            lines += [DiffLine("removed", x, "") for x in a[i1:i2]]
        elif tag == "insert":
            lines += [DiffLine("added", "", y) for y in b[j1:j2]]
        else:
            old, new = a[i1:i2], b[j1:j2]
            for k in range(max(len(old), len(new))):
                lines.append(
                    DiffLine(
                        "changed", old[k] if k < len(old) else "", new[k] if k < len(new) else ""
                    )
                )
    return lines


def version_as_text(version: CharterVersion, language: str) -> str:
    """A version's text and rules in one language as plain lines, for the diff."""
    chosen = pick_text(version, language).text
    parts = [chosen.title, "", chosen.body_markdown] if chosen else []
    for view in rules_in_language(version, language):
        parts += ["", f"{view.rule.code} · {view.title}", view.text]
    return "\n".join(parts)


def charters_for_editor(institution: Institution) -> QuerySet[Charter]:
    return Charter.objects.for_institution(institution).prefetch_related("versions__texts")


def localised_title(charter: Charter, language: str) -> str:
    """The title readers know, in their language: that of the version in force (else of the
    draft). ``Charter.title`` is the working name typed once, in one language, at creation; the
    built-in charters' is English. Reads prefetched ``versions__texts`` when there are."""
    version = charter.latest_published() or charter.current_draft()
    texts = {text.language: text for text in version.texts.all()} if version else {}
    return texts[language].title if language in texts else charter.title


RULES_TTL = 600


def _rules_generation_key(institution_id: int) -> str:
    return f"charter:rules:generation:{institution_id}"


def rule_choices_cached(institution: Institution, language: str) -> RuleChoices:
    """``rule_choices_in_force`` now, from the cache: the item page offers them on every visit
    and they change only when a version is published (``rule_choices_changed``), which is also
    when a version comes into force."""
    generation_now = generation(_rules_generation_key(institution.pk))
    key = f"charter:rules:{institution.pk}:{generation_now}:{language}"
    choices = cache.get(key)
    if choices is None:
        choices = rule_choices_in_force(institution, language)
        cache.set(key, choices, RULES_TTL)
    return choices


def rule_choices_changed(institution_id: int) -> None:
    generations_bump([_rules_generation_key(institution_id)])


PENDING_TTL = 300
_PENDING_GENERATION = "charter:pending:generation"


def pending_acknowledgements_cached(
    user: User, language: str, memberships: Iterable[Membership]
) -> list[PendingAcknowledgement]:
    """``pending_acknowledgements`` as the banner on every page reads it: from the cache.

    The key holds the user, the language, the institutions the user is active in with their
    default languages (the title's fallbacks) and a generation that publishing a staff version
    and accepting one bump (``pending_acknowledgements_changed``)."""
    institutions = ",".join(
        sorted(f"{m.institution_id}:{m.institution.default_language}" for m in memberships)
    )
    key = (
        f"charter:pending:{generation(_PENDING_GENERATION)}:{user.pk}:{language}:"
        f"{digest(institutions)}"
    )
    pending = cache.get(key)
    if pending is None:
        pending = pending_acknowledgements(user, language)
        cache.set(key, pending, PENDING_TTL)
    return list(pending)


def pending_acknowledgements_changed() -> None:
    """A staff version was published or accepted: every banner is read afresh."""
    generations_bump([_PENDING_GENERATION])
