"""Moderation items, and the "to do on the platform" list, as sources for the deadline check
(see deadlines/engine.py).

An item owes its first answer by ``due_at``; once answered (``first_response_at``) or handled
otherwise it leaves the check, even if reopened later. Who hears about its warning and its
missed deadline is the institution's escalation ladder (``moderation.services.ladder``): by
default, at once, the assignee while they are on duty and still moderate in the institution;
otherwise (off duty, deactivated, no longer a moderator, or nobody assigned) the on-duty members
of the channel's moderation team who speak the item's language, else the whole team, else every
moderator of the institution (team members count only while they moderate here); on a breach
also the institution's admins; then the duty officer of the week. The check sends the steps due
at once; the ladder's sweep sends the later ones.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import MODERATOR_ROLES, Institution, Role, User
from accounts.recipients import people_by_institution, unique
from channels.models import Channel
from deadlines.sources import Subject, Texts, Threshold
from moderation.models import (
    Contest,
    ContestStatus,
    Item,
    PlatformAction,
    RemovalProposal,
)
from moderation.services.assignment import on_duty_user_ids

Kind = PlatformAction.Kind


class ItemDeadlines:
    name = "item"
    texts = Texts(
        warning_subject=_("Answer soon: %(label)s"),
        warning_body=_(
            "%(label)s must be answered by %(due)s (%(left)s left). The warning threshold was "
            "crossed at %(crossed)s."
        ),
        breach_subject=_("Answer deadline missed: %(label)s"),
        breach_body=_(
            "%(label)s had to be answered by %(due)s and is still waiting: late by %(late)s."
        ),
    )
    missed_template = "moderation/_missed_items.html"

    def to_warn(self, now: datetime) -> QuerySet[Item]:
        return Item.objects.awaiting_first_answer().filter(warned_at__isnull=True, warn_at__lte=now)

    def to_breach(self, now: datetime) -> QuerySet[Item]:
        return Item.objects.overdue(now).filter(breached_at__isnull=True)

    def missed(self, institution: Institution, now: datetime) -> QuerySet[Item]:
        return (
            Item.objects.for_institution(institution)
            .overdue(now)
            .select_related("channel", "assigned_to")
            .order_by("due_at", "pk")
        )

    def subjects(self, ids: list[int], threshold: Threshold) -> list[Subject]:
        """The claimed items with the people of the ladder's steps due at once (the rest
        follow from ``moderation.services.ladder.ladder_sweep``); each subject's ``plan`` is
        what ``notified`` records."""
        from moderation.services.ladder import plans

        now = timezone.now()
        described = self.describe(ids)
        rows = self._facts(ids)
        institutions = {subject.institution.pk: subject.institution for subject in described}
        found = plans(
            [fact for fact, _warn, _due in rows.values()],
            institutions,
            threshold,
            threshold_at={
                pk: due if threshold is Threshold.BREACH else warn
                for pk, (_fact, warn, due) in rows.items()
            },
            base=dict.fromkeys(rows, now),
            sent={},
            on_duty=on_duty_user_ids(institutions),
            now=now,
        )
        return [
            replace(subject, recipients=found[subject.pk].recipients, plan=found[subject.pk])
            for subject in described
        ]

    def notified(self, subjects: list[Subject], threshold: Threshold, now: datetime) -> None:
        """Record the steps sent with the notices (``LadderAlert`` rows) and when each item's
        next step is due; in the claim's transaction."""
        from moderation.services.ladder import alerts_of, alerts_record

        alerts_record(
            [
                alert
                for subject in subjects
                for alert in alerts_of(
                    subject.pk, subject.institution.pk, threshold, subject.plan, now
                )
            ]
        )
        by_next: dict[datetime | None, list[int]] = {}
        for subject in subjects:  # one UPDATE per distinct instant (mostly one per batch)
            moved = _moved(subject.plan.next_at, subject.plan, now)
            by_next.setdefault(moved, []).append(subject.pk)
        for next_at, pks in by_next.items():
            Item.objects.filter(pk__in=pks).update(ladder_next_at=next_at)

    def describe(self, ids: list[int]) -> list[Subject]:
        """The items as notices name them, without recipients."""
        rows = list(
            Item.objects.filter(pk__in=ids).values_list(
                "pk", "institution_id", "channel_id", "author_name", "author_handle",
                "warn_at", "due_at",
            )
        )  # fmt: skip
        institutions = Institution.objects.in_bulk({row[1] for row in rows})
        channels = dict(
            Channel.objects.filter(pk__in={row[2] for row in rows}).values_list("pk", "name")
        )
        subjects = []
        for pk, institution_id, channel_id, name, handle, warn, due in rows:
            institution = institutions[institution_id]
            author = name or handle
            subjects.append(
                Subject(
                    pk=pk,
                    institution=institution,
                    label=f"{channels[channel_id]} · {author}" if author else channels[channel_id],
                    url=reverse(
                        "moderation:item-detail",
                        kwargs={"institution_slug": institution.slug, "item_id": pk},
                    ),
                    warn_at=warn,
                    due_at=due,
                    recipients=[],
                    about=Item.about_key_of(pk),  # the label names the author
                )
            )
        return subjects

    def _facts(self, ids: list[int]) -> dict[int, tuple[Any, datetime, datetime]]:
        from moderation.services.ladder import ItemFacts

        rows = Item.objects.filter(pk__in=ids).values_list(
            "pk", "institution_id", "channel_id", "assigned_to_id", "language", "warn_at", "due_at"
        )
        return {
            pk: (ItemFacts(pk, institution_id, channel_id, assignee_id, language), warn, due)
            for pk, institution_id, channel_id, assignee_id, language, warn, due in rows
        }


def _moved(next_at: datetime | None, plan: Any, now: datetime) -> datetime | None:
    """``plan`` was made at its own instant (``subjects`` runs on the wall clock): its next
    step, counted from the claim's ``now`` instead."""
    if next_at is None:
        return None
    return now + (next_at - plan.made_at)


def first_line(
    assignee: User | None, *, staff: list[User], team: list[User], on_duty: set[int], language: str
) -> list[User]:
    """Who hears first about an item (see the module's docstring). ``staff``: the institution's
    active moderators; ``team``: the channel's team; ``on_duty``: ids of those on duty here."""
    moderating = {user.pk for user in staff}
    if assignee is not None and assignee.pk in moderating and assignee.pk in on_duty:
        return [assignee]
    team = [user for user in team if user.pk in moderating]
    speaking = [
        user for user in team if user.pk in on_duty and language in (user.spoken_languages or [])
    ]
    return speaking or team or staff


def channel_teams(channel_ids: set[int]) -> dict[int, list[User]]:
    through = Channel.moderators.through
    teams: dict[int, list[User]] = {}
    for link in through.objects.filter(
        channel_id__in=channel_ids, user__is_active=True
    ).select_related("user"):
        teams.setdefault(link.channel_id, []).append(link.user)
    return teams


ITEMS = ItemDeadlines()


class ToDoDeadlines:
    """Actions to carry out on the platform by hand (MANUAL or FAILED) as a deadline source.

    An action owes its doing by ``due_at`` (``moderation.services.platform_to_do``); once done
    by hand, re-queued or carried out it leaves the check. Warning: the person whose decision
    it carries out (or who approved the post) while they still moderate in the institution,
    else the channel's moderation team, else every moderator of the institution. Breach: the
    same people and the institution's admins. Notices name the channel and what to do, never
    the text or the author.
    """

    name = "platform-to-do"
    texts = Texts(
        warning_subject=_("To do on the platform soon: %(label)s"),
        warning_body=_(
            "%(label)s must be done on the platform by %(due)s (%(left)s left). The warning "
            "threshold was crossed at %(crossed)s."
        ),
        breach_subject=_("Missed: to do on the platform: %(label)s"),
        breach_body=_(
            "%(label)s had to be done on the platform by %(due)s and is still waiting: late by "
            "%(late)s."
        ),
    )
    missed_template = "moderation/_missed_platform_to_do.html"

    def to_warn(self, now: datetime) -> QuerySet[PlatformAction]:
        return PlatformAction.objects.filter(
            state__in=PlatformAction.TO_DO_BY_HAND, warned_at__isnull=True, warn_at__lte=now
        )

    def to_breach(self, now: datetime) -> QuerySet[PlatformAction]:
        return PlatformAction.objects.filter(
            state__in=PlatformAction.TO_DO_BY_HAND, breached_at__isnull=True, due_at__lt=now
        )

    def missed(self, institution: Institution, now: datetime) -> QuerySet[PlatformAction]:
        return (
            PlatformAction.objects.for_institution(institution)
            .filter(state__in=PlatformAction.TO_DO_BY_HAND, due_at__lt=now)
            .select_related("channel")
            .order_by("due_at", "pk")
        )

    def subjects(self, ids: list[int], threshold: Threshold) -> list[Subject]:
        actions = list(
            PlatformAction.objects.filter(pk__in=ids).select_related(
                "institution", "channel", "decision__actor", "post__approved_by"
            )
        )
        institutions = {action.institution_id: action.institution for action in actions}
        moderators = people_by_institution(institutions, MODERATOR_ROLES)
        admins = (
            people_by_institution(institutions, (Role.INSTITUTION_ADMIN,))
            if threshold is Threshold.BREACH
            else {}
        )
        teams = channel_teams({action.channel_id for action in actions})
        subjects = []
        for action in actions:
            if action.due_at is None:  # not claimable (no deadline): never reached here
                continue
            staff = moderators.get(action.institution_id, [])
            first_line = _to_do_first_line(action, staff, teams.get(action.channel_id, []))
            subjects.append(
                Subject(
                    pk=action.pk,
                    institution=action.institution,
                    # lazy: rendered in each recipient's language by the engine
                    label=cast(
                        str,
                        format_lazy("{} · {}", Kind(action.kind).label, action.channel.name),
                    ),
                    url=reverse(
                        "moderation:platform-to-do",
                        kwargs={"institution_slug": action.institution.slug},
                    ),
                    warn_at=action.warn_at or action.due_at,
                    due_at=action.due_at,
                    recipients=unique(first_line, admins.get(action.institution_id, [])),
                )
            )
        return subjects


def _to_do_first_line(action: PlatformAction, staff: list[User], team: list[User]) -> list[User]:
    moderating = {user.pk for user in staff}
    if action.decision is not None:
        owner = action.decision.actor
    else:
        owner = action.post.approved_by if action.post is not None else None
    if owner is not None and owner.pk in moderating:
        return [owner]
    return [user for user in team if user.pk in moderating] or staff


TO_DO = ToDoDeadlines()


class ProposalDeadlines:
    """Hides and removals waiting for a second moderator (four eyes, docs/accountability.md).

    A proposal owes its approval or rejection by ``due_at`` (the institution's
    ``sensitive_removal_hours`` after it was made); once settled it leaves the check. Warning:
    the people who may settle it: the institution's spokespersons when it needs one, else its
    moderators; never the proposer, who may not approve (unless nobody else could, so that
    someone hears). Breach: the same people and the institution's admins. Notices name the
    channel and what was proposed, never the text or the author.
    """

    name = "removal-proposal"
    texts = Texts(
        warning_subject=_("Second look needed soon: %(label)s"),
        warning_body=_(
            "%(label)s waits for a second moderator's approval or rejection by %(due)s "
            "(%(left)s left). The warning threshold was crossed at %(crossed)s."
        ),
        breach_subject=_("Second look missed: %(label)s"),
        breach_body=_(
            "%(label)s had to be approved or rejected by %(due)s and still waits: late by %(late)s."
        ),
    )
    missed_template = "moderation/_missed_removal_proposals.html"

    def to_warn(self, now: datetime) -> QuerySet[RemovalProposal]:
        return RemovalProposal.objects.pending().filter(warned_at__isnull=True, warn_at__lte=now)

    def to_breach(self, now: datetime) -> QuerySet[RemovalProposal]:
        return RemovalProposal.objects.pending().filter(breached_at__isnull=True, due_at__lt=now)

    def missed(self, institution: Institution, now: datetime) -> QuerySet[RemovalProposal]:
        return (
            RemovalProposal.objects.for_institution(institution)
            .pending()
            .filter(due_at__lt=now)
            .select_related("item__channel", "proposer")
            .order_by("due_at", "pk")
        )

    def subjects(self, ids: list[int], threshold: Threshold) -> list[Subject]:
        proposals = list(
            RemovalProposal.objects.filter(pk__in=ids).select_related(
                "institution", "item__channel"
            )
        )
        institutions = {proposal.institution_id: proposal.institution for proposal in proposals}
        moderators = people_by_institution(institutions, MODERATOR_ROLES)
        spokespersons = people_by_institution(institutions, (Role.SPOKESPERSON,))
        admins = (
            people_by_institution(institutions, (Role.INSTITUTION_ADMIN,))
            if threshold is Threshold.BREACH
            else {}
        )
        subjects = []
        for proposal in proposals:
            institution = proposal.institution
            spokesperson = (
                proposal.needs_spokesperson or institution.sensitive_removal_needs_spokesperson
            )
            reviewers = (spokespersons if spokesperson else moderators).get(institution.pk, [])
            others = [user for user in reviewers if user.pk != proposal.proposer_id]
            subjects.append(
                Subject(
                    pk=proposal.pk,
                    institution=institution,
                    label=cast(
                        str,
                        format_lazy(
                            "{} · {}",
                            RemovalProposal.Label[proposal.action],
                            proposal.item.channel.name,
                        ),
                    ),
                    url=reverse(
                        "moderation:removal-approvals",
                        kwargs={"institution_slug": institution.slug},
                    ),
                    warn_at=proposal.warn_at,
                    due_at=proposal.due_at,
                    recipients=unique(others or reviewers, admins.get(institution.pk, [])),
                )
            )
        return subjects


PROPOSALS = ProposalDeadlines()


class ContestDeadlines:
    """Contested hides and removals as a deadline source: a contest owes its outcome by
    ``due_at`` (``moderation.services.contests``) while it is open. Warning: the institution's
    moderators except the one who took the contested decision (who may not decide it); breach:
    the same people and the institution's admins. Notices name the contest by its reference,
    never the person or their words."""

    name = "contest"
    texts = Texts(
        warning_subject=_("Contest %(label)s: decide by %(due)s"),
        warning_body=_(
            "The contested moderation decision %(label)s must be reviewed by %(due)s (%(left)s "
            "left). The warning threshold was crossed at %(crossed)s."
        ),
        breach_subject=_("Contest %(label)s: deadline missed"),
        breach_body=_(
            "The contested moderation decision %(label)s had to be reviewed by %(due)s and is "
            "still open: late by %(late)s."
        ),
    )
    missed_template = "moderation/_missed_contests.html"

    def to_warn(self, now: datetime) -> QuerySet[Contest]:
        return Contest.objects.filter(
            status=ContestStatus.OPEN, warned_at__isnull=True, warn_at__lte=now
        )

    def to_breach(self, now: datetime) -> QuerySet[Contest]:
        return Contest.objects.filter(
            status=ContestStatus.OPEN, breached_at__isnull=True, due_at__lt=now
        )

    def missed(self, institution: Institution, now: datetime) -> QuerySet[Contest]:
        return (
            Contest.objects.for_institution(institution)
            .filter(status=ContestStatus.OPEN, due_at__lt=now)
            .select_related("decision__item__channel")
            .order_by("due_at", "pk")
        )

    def subjects(self, ids: list[int], threshold: Threshold) -> list[Subject]:
        contests = list(
            Contest.objects.filter(pk__in=ids).select_related("institution", "decision")
        )
        institutions = {contest.institution_id: contest.institution for contest in contests}
        moderators = people_by_institution(institutions, MODERATOR_ROLES)
        admins = (
            people_by_institution(institutions, (Role.INSTITUTION_ADMIN,))
            if threshold is Threshold.BREACH
            else {}
        )
        subjects = []
        for contest in contests:
            reviewers = [
                user
                for user in moderators.get(contest.institution_id, [])
                if user.pk != contest.decision.actor_id
            ]
            subjects.append(
                Subject(
                    pk=contest.pk,
                    institution=contest.institution,
                    label=contest.reference,
                    url=reverse(
                        "moderation:contest-detail",
                        kwargs={
                            "institution_slug": contest.institution.slug,
                            "reference": contest.reference,
                        },
                    ),
                    warn_at=contest.warn_at,
                    due_at=contest.due_at,
                    recipients=unique(reviewers, admins.get(contest.institution_id, [])),
                    about=contest.about_key,
                )
            )
        return subjects


CONTESTS = ContestDeadlines()
