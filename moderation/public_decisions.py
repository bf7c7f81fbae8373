"""What a public decision page shows (``/decisions/<token>/``), read in one place.

Only what the person concerned and the public are owed: what was decided and when, on which
channel, the rule as it read in the version applied (and whether the version in force reads
differently), the reasons, whether the platform carried it out, the contest and its outcome.
Never a moderator's name, the item's text or its author: anyone holding the link reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.links import rule_applied_url, rule_in_force_url
from charter.models import CharterRule, CharterVersion
from charter.selectors import RuleView, rule_in_language, rule_texts_differ
from moderation.models import (
    Action,
    Contest,
    ContestOutcome,
    Decision,
    DecisionStatement,
    PlatformAction,
)

State = PlatformAction.State
Kind = PlatformAction.Kind

ON_PLATFORM: dict[str, Promise] = {
    "done": _("Carried out on the platform."),
    "waiting": _("Being carried out on the platform."),
    "by_hand": _("To be carried out on the platform by the institution's staff."),
    "changed_back": _("Carried out on the platform, then found changed back there."),
    "none": _("Not carried out on the platform."),
}
RESTORED: dict[str, Promise] = {
    "done": _("Your content was made visible again on the platform."),
    "waiting": _("Your content is being made visible again on the platform."),
    "by_hand": _(
        "The institution's staff must restore your content on the platform by hand; where the "
        "platform cannot restore it, you may post it again."
    ),
    "changed_back": _("Your content was made visible again, then hidden again on the platform."),
    "none": _("There was nothing left to restore: the content had changed since."),
}


@dataclass(frozen=True)
class AppliedRule:
    view: RuleView
    version: CharterVersion
    url: str
    """The rule in the version applied (``?v=N#Rn``)."""
    current_url: str
    """The rule in the version in force, when that version is another one; else empty."""
    changed: bool
    """The version in force words this rule differently."""
    gone: bool
    """The version in force no longer has this rule."""


@dataclass(frozen=True)
class Execution:
    key: str
    """done, waiting, by_hand, changed_back or none (see ``ON_PLATFORM``)."""
    at: datetime | None


@dataclass(frozen=True)
class DecisionPage:
    statement: DecisionStatement
    decision: Decision
    rule: AppliedRule
    execution: Execution
    contest: Contest | None
    outcome: ContestOutcome | None
    restoration: Execution | None

    @property
    def on_platform(self) -> Promise:
        return ON_PLATFORM[self.execution.key]

    @property
    def restored(self) -> Promise | None:
        return RESTORED[self.restoration.key] if self.restoration is not None else None

    @property
    def hidden(self) -> bool:
        return self.decision.action == Action.HIDE


def statement_by_token(token: str) -> DecisionStatement:
    """The page's row, or 404 (an unknown token and a malformed one look the same)."""
    return get_object_or_404(
        DecisionStatement.objects.select_related(
            "institution", "decision__item__channel", "decision__rule__version__charter"
        ).prefetch_related("decision__rule__texts"),
        token=token,
    )


def decision_page(statement: DecisionStatement, language: str) -> DecisionPage:
    decision = statement.decision
    contest = (
        Contest.objects.filter(decision=decision)
        .prefetch_related(
            Prefetch("outcome", ContestOutcome.objects.select_related("reinstatement"))
        )
        .first()
    )
    outcome = getattr(contest, "outcome", None) if contest is not None else None
    restoration = None
    if outcome is not None and outcome.outcome == "reversed":
        restoration = (
            execution_of(list(outcome.reinstatement.platform_actions.all()))
            if outcome.reinstatement is not None
            else Execution("none", None)
        )
    visibility = decision.platform_actions.filter(kind__in=(Kind.HIDE, Kind.DELETE))
    return DecisionPage(
        statement=statement,
        decision=decision,
        rule=applied_rule(decision, language, statement.institution.slug),
        execution=execution_of(list(visibility.order_by("created_at", "pk"))),
        contest=contest,
        outcome=outcome,
        restoration=restoration,
    )


def applied_rule(decision: Decision, language: str, slug: str) -> AppliedRule:
    rule = decision.rule
    if rule is None:  # impossible: a database check makes every hide and removal cite one
        raise Http404
    version = rule.version
    charter = version.charter
    current = charter.versions.published().order_by("-number").first()
    current_rule = None
    if current is not None and current.pk != version.pk:
        current_rule = (
            CharterRule.objects.filter(version=current, number=rule.number)
            .prefetch_related("texts")
            .first()
        )
    moved_on = current is not None and current.pk != version.pk
    return AppliedRule(
        view=rule_in_language(rule, language),
        version=version,
        url=rule_applied_url(slug, rule),
        current_url=rule_in_force_url(slug, rule) if moved_on else "",
        changed=current_rule is not None and rule_texts_differ(rule, current_rule),
        gone=moved_on and current_rule is None,
    )


def execution_of(actions: list[PlatformAction]) -> Execution:
    """Where the platform stands on a decision's actions: a confirmed one wins, else the
    latest tells (the rule of ``reports.execution``, in words for the public)."""
    done = [a for a in actions if a.state in PlatformAction.CARRIED_OUT]
    if done:
        first = done[0]
        return Execution("done", first.done_at or first.executed_at)
    if not actions:
        return Execution("none", None)
    latest = actions[-1]
    if latest.state in PlatformAction.WAITING:
        return Execution("waiting", None)
    if latest.state in PlatformAction.TO_DO_BY_HAND:
        return Execution("by_hand", None)
    return Execution("changed_back", latest.executed_at)
