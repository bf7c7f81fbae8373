"""The escalation ladder: who hears about an item's warning and missed deadline, and when.

Invariants:
- each institution has, per threshold (warning, breach), ordered steps: an audience and a delay
  after the threshold was crossed (``LadderStep``; none configured: ``DEFAULT_LADDER``, today's
  first line plus the duty officer of the week);
- the steps due at once are sent by the deadline check when it claims the threshold
  (``moderation.deadlines.ITEMS``); later ones by ``ladder_sweep`` (beat, every minute), which
  claims items through the partial index on ``Item.ladder_next_at``
  (``SELECT … FOR UPDATE SKIP LOCKED``);
- each step is sent once per item, threshold and threshold instant: a ``LadderAlert`` row,
  unique, written in the transaction that writes its notices (two workers never send a step
  twice: the second one's insert fails and it sends nothing);
- a person hears once per item and threshold, whatever the number of steps naming them;
- a step that would reach nobody (the assignee off duty, no duty officer this week) is
  recorded empty and the next step follows at once;
- the ladder stops when someone acts on the item: an answer, or any decision taken by a person
  (assignment, proposal, harassment mark) after the threshold was crossed; a breach replaces
  the warning's remaining steps with its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from accounts.models import MODERATOR_ROLES, Institution, Role, User
from accounts.recipients import people_by_institution
from deadlines.engine import notify
from deadlines.sources import Subject, Threshold
from moderation.deadlines import ITEMS, channel_teams, first_line
from moderation.models import (
    Decision,
    DutyOfficer,
    Item,
    ItemStatus,
    LadderAlert,
    LadderAudience,
    LadderStep,
    LadderThreshold,
)
from moderation.models.coverage import AUDIENCE_ORDER

Audience = LadderAudience
BATCH = 500
MAX_DELAY_MINUTES = 7 * 24 * 60
OFFICER_ROLES = (*MODERATOR_ROLES, Role.INSTITUTION_ADMIN)
"""Who may be the duty officer of a week."""


@dataclass(frozen=True)
class Step:
    audience: str
    delay: timedelta


DEFAULT_LADDER: dict[str, tuple[Step, ...]] = {
    LadderThreshold.WARNING: (
        Step(Audience.FIRST_LINE, timedelta(0)),
        Step(Audience.DUTY_OFFICER, timedelta(minutes=30)),
    ),
    LadderThreshold.BREACH: (
        Step(Audience.FIRST_LINE, timedelta(0)),
        Step(Audience.ADMINS, timedelta(0)),
        Step(Audience.DUTY_OFFICER, timedelta(0)),
    ),
}
"""Today's recipients (the first line; the admins on a breach) plus the duty officer of the
week: half an hour after a warning nobody acted on, at once on a breach."""


def ordered(steps: Iterable[Step]) -> tuple[Step, ...]:
    return tuple(sorted(steps, key=lambda step: (step.delay, AUDIENCE_ORDER[step.audience])))


def ladders(institution_ids: Iterable[int]) -> dict[int, dict[str, tuple[Step, ...]]]:
    """Each institution's steps per threshold, in order (one query); the default where an
    institution configured none for a threshold."""
    configured: dict[int, dict[str, list[Step]]] = {}
    for row in LadderStep.objects.filter(institution_id__in=set(institution_ids)):
        steps = configured.setdefault(row.institution_id, {}).setdefault(row.threshold, [])
        steps.append(Step(row.audience, timedelta(minutes=row.delay_minutes)))
    return {
        pk: {
            threshold: ordered(configured.get(pk, {}).get(threshold) or DEFAULT_LADDER[threshold])
            for threshold in LadderThreshold.values
        }
        for pk in set(institution_ids)
    }


def ladder_save(
    *, institution: Institution, actor: User, steps: dict[str, dict[str, int | None]]
) -> None:
    """Replace the institution's ladder: ``steps[threshold][audience]`` is the delay in minutes,
    None for no step. Each change is kept in the steps' history (who, when). A threshold left
    without any step would alert nobody: refused (ValueError naming the threshold)."""
    for threshold in LadderThreshold.values:
        if not any(delay is not None for delay in steps.get(threshold, {}).values()):
            raise ValueError(threshold)
    for delays in steps.values():
        if any(d is not None and not 0 <= d <= MAX_DELAY_MINUTES for d in delays.values()):
            raise ValueError("delay")
    with transaction.atomic():
        current = {
            (row.threshold, row.audience): row
            for row in LadderStep.objects.for_institution(institution).select_for_update()
        }
        for threshold, delays in steps.items():
            for audience, delay in delays.items():
                row = current.pop((threshold, audience), None)
                if delay is None:
                    if row is not None:
                        row._history_user = actor  # type: ignore[attr-defined]
                        row.delete()
                    continue
                if row is not None and row.delay_minutes == delay:
                    continue
                row = row or LadderStep(
                    institution=institution, threshold=threshold, audience=audience
                )
                row._history_user = actor  # type: ignore[attr-defined]
                row.delay_minutes = delay
                row.full_clean()
                row.save()
        for row in current.values():
            row._history_user = actor  # type: ignore[attr-defined]
            row.delete()


# --- the duty officer of the week ---------------------------------------------------------


def week_start(institution: Institution, at: datetime) -> date:
    """The Monday of the week holding ``at`` in the institution's time zone."""
    local = timezone.localtime(at, institution.zone).date()
    return local - timedelta(days=local.weekday())


def duty_officers(institutions: dict[int, Institution], at: datetime) -> dict[int, User]:
    """The duty officer of the week at ``at`` per institution, if one is set and still an
    active member holding a moderating or admin role there (two queries)."""
    weeks = {pk: week_start(institution, at) for pk, institution in institutions.items()}
    officers = {
        row.institution_id: row.user
        for row in DutyOfficer.objects.filter(institution_id__in=weeks).select_related("user")
        if weeks[row.institution_id] == row.week_start
    }
    members = people_by_institution(officers, OFFICER_ROLES)
    return {
        pk: user for pk, user in officers.items() if user.is_active and user in members.get(pk, [])
    }


def duty_officer_set(
    *, institution: Institution, actor: User, week: date, user: User | None
) -> DutyOfficer | None:
    """Name (or clear, ``user`` None) the duty officer of the week starting ``week`` (a
    Monday). Only a member moderating or administering here may be named."""
    if week.weekday() != 0:
        raise ValueError("week")
    with transaction.atomic():
        current = DutyOfficer.objects.for_institution(institution).filter(week_start=week).first()
        if user is None:
            if current is not None:
                current._history_user = actor  # type: ignore[attr-defined]
                current.delete()
            return None
        allowed = people_by_institution(
            [institution.pk], (*MODERATOR_ROLES, Role.INSTITUTION_ADMIN)
        )
        if user not in allowed.get(institution.pk, []):
            raise ValueError("user")
        officer = current or DutyOfficer(institution=institution, week_start=week)
        officer.user, officer.set_by, officer.set_at = user, actor, timezone.now()
        officer._history_user = actor  # type: ignore[attr-defined]
        officer.full_clean(validate_unique=False)  # the row of the week is the one updated
        officer.save()
        return officer


# --- climbing the ladder ------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    audience: str
    sent_at: datetime
    recipient_ids: tuple[int, ...]


@dataclass(frozen=True)
class Plan:
    """The steps to send now for one item, and when the next one is due (None: no more)."""

    threshold_at: datetime
    steps: tuple[tuple[str, tuple[User, ...]], ...]
    next_at: datetime | None
    made_at: datetime

    @property
    def recipients(self) -> list[User]:
        return [person for _audience, people in self.steps for person in people]


def climb(
    steps: tuple[Step, ...],
    sent: dict[str, Sent],
    *,
    base: datetime,
    now: datetime,
    reach: Callable[[str], list[User]],
) -> tuple[list[tuple[str, tuple[User, ...]]], datetime | None]:
    """The steps due at ``now`` that were not sent yet (``sent``), with the people each one
    alerts (``reach``, minus those already alerted), and when the following step is due.

    A step is due ``delay`` after ``base`` (when the threshold was crossed), or at once when
    the step before it reached nobody."""
    alerted = {pk for done in sent.values() for pk in done.recipient_ids}
    passed_on: datetime | None = None
    due_now: list[tuple[str, tuple[User, ...]]] = []
    for step in steps:
        done = sent.get(step.audience)
        if done is not None:
            passed_on = done.sent_at if not done.recipient_ids else None
            continue
        due = base + step.delay
        if passed_on is not None:
            due = min(due, passed_on)
        if due > now:
            return due_now, due
        people = tuple(person for person in reach(step.audience) if person.pk not in alerted)
        alerted |= {person.pk for person in people}
        due_now.append((step.audience, people))
        passed_on = now if not people else None
    return due_now, None


@dataclass(frozen=True)
class ItemFacts:
    pk: int
    institution_id: int
    channel_id: int
    assignee_id: int | None
    language: str


class Audiences:
    """The people each audience names, for a batch of items, loaded in a few queries."""

    def __init__(
        self,
        institutions: dict[int, Institution],
        items: list[ItemFacts],
        *,
        on_duty: dict[int, set[int]],
        at: datetime,
    ) -> None:
        self.moderators = people_by_institution(institutions, MODERATOR_ROLES)
        self.admins = people_by_institution(institutions, (Role.INSTITUTION_ADMIN,))
        self.teams = channel_teams({item.channel_id for item in items})
        self.assignees = User.objects.in_bulk({i.assignee_id for i in items if i.assignee_id})
        self.officers = duty_officers(institutions, at)
        self.on_duty = on_duty

    def reach(self, item: ItemFacts) -> Callable[[str], list[User]]:
        return lambda audience: self.people(item, audience)

    def people(self, item: ItemFacts, audience: str) -> list[User]:
        staff = self.moderators.get(item.institution_id, [])
        on_duty = self.on_duty.get(item.institution_id, set())
        if audience == Audience.FIRST_LINE:
            assignee = self.assignees.get(item.assignee_id) if item.assignee_id else None
            found = first_line(
                assignee,
                staff=staff,
                team=self.teams.get(item.channel_id, []),
                on_duty=on_duty,
                language=item.language,
            )
        elif audience == Audience.SPEAKERS:
            moderating = {user.pk for user in staff}
            found = [
                user
                for user in self.teams.get(item.channel_id, [])
                if user.pk in moderating
                and user.pk in on_duty
                and item.language in (user.spoken_languages or [])
            ]
        elif audience == Audience.DUTY_OFFICER:
            officer = self.officers.get(item.institution_id)
            found = [officer] if officer is not None else []
        else:
            found = self.admins.get(item.institution_id, [])
        return [user for user in found if user.is_active]


def plans(
    items: list[ItemFacts],
    institutions: dict[int, Institution],
    threshold: str,
    *,
    threshold_at: dict[int, datetime],
    base: dict[int, datetime],
    sent: dict[int, dict[str, Sent]],
    on_duty: dict[int, set[int]],
    now: datetime,
) -> dict[int, Plan]:
    """What to send now for each item of a batch (all at the same threshold)."""
    steps = ladders(institutions)
    audiences = Audiences(institutions, items, on_duty=on_duty, at=now)
    found = {}
    for item in items:
        due_now, next_at = climb(
            steps[item.institution_id][threshold],
            sent.get(item.pk, {}),
            base=base[item.pk],
            now=now,
            reach=audiences.reach(item),
        )
        found[item.pk] = Plan(threshold_at[item.pk], tuple(due_now), next_at, now)
    return found


def alerts_of(
    item_pk: int, institution_id: int, threshold: str, plan: Plan, now: datetime
) -> list[LadderAlert]:
    """The steps of ``plan`` as ``LadderAlert`` rows, to insert."""
    return [
        LadderAlert(
            institution_id=institution_id, item_id=item_pk, threshold=threshold,
            threshold_at=plan.threshold_at, audience=audience,
            recipient_ids=[person.pk for person in people],
            recipient_names=[str(person) for person in people], sent_at=now,
        )
        for audience, people in plan.steps
    ]  # fmt: skip


def alerts_record(alerts: list[LadderAlert]) -> None:
    """Insert the steps sent; raises IntegrityError if another worker recorded one of them
    first (the caller's transaction then sends nothing)."""
    LadderAlert.objects.bulk_create(alerts)


# --- the sweep of later steps -------------------------------------------------------------


def ladder_sweep(now: datetime | None = None) -> int:
    """Send the ladder's steps that came due since the threshold was crossed; how many steps
    were sent. Claims items in batches (``FOR UPDATE SKIP LOCKED`` on the partial index of
    ``ladder_next_at``), one transaction per batch."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            claimed, sent = _sweep_batch(now)
        total += sent
        if claimed < BATCH:
            return total


def _sweep_batch(now: datetime) -> tuple[int, int]:
    from moderation.services.assignment import on_duty_user_ids

    rows = list(
        Item.objects.filter(ladder_next_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
        .values_list(
            "pk", "institution_id", "channel_id", "assigned_to_id", "language", "status",
            "first_response_at", "warn_at", "due_at", "warned_at", "breached_at",
        )[:BATCH]
    )  # fmt: skip
    if not rows:
        return 0, 0
    base = {row[0]: row[10] or row[9] for row in rows}
    acted = _acted({row[0] for row in rows}, base)
    live = [
        row for row in rows
        if row[0] not in acted and row[5] == ItemStatus.OPEN and row[6] is None
        and base[row[0]] is not None
    ]  # fmt: skip
    stopped = {row[0] for row in rows} - {row[0] for row in live}
    Item.objects.filter(pk__in=stopped).update(ladder_next_at=None)
    institutions = Institution.objects.in_bulk({row[1] for row in live})
    on_duty = on_duty_user_ids(institutions, now)
    sent = 0
    for threshold in (Threshold.BREACH, Threshold.WARNING):
        batch = [row for row in live if (row[10] is not None) == (threshold is Threshold.BREACH)]
        if not batch:
            continue
        instant = {row[0]: row[8] if threshold is Threshold.BREACH else row[7] for row in batch}
        facts = [ItemFacts(row[0], row[1], row[2], row[3], row[4]) for row in batch]
        since = {row[0]: base[row[0]] or now for row in batch}  # never None: filtered above
        found = plans(
            facts, institutions, threshold, threshold_at=instant, base=since,
            sent=_sent(instant, threshold), on_duty=on_duty, now=now,
        )  # fmt: skip
        subjects = {subject.pk: subject for subject in ITEMS.describe(list(found))}
        for fact in facts:
            sent += _send(fact, threshold, found[fact.pk], subjects[fact.pk], now)
    return len(rows), sent


def _send(
    fact: ItemFacts, threshold: Threshold, plan: Plan, subject: Subject, now: datetime
) -> int:
    """Record and notify one item's due steps in a savepoint: if another worker recorded them
    first (the unique constraint), nothing is sent. Then move its ``ladder_next_at``."""
    if plan.steps:
        try:
            with transaction.atomic():
                alerts_record(alerts_of(fact.pk, fact.institution_id, threshold, plan, now))
                notify(ITEMS, threshold, [replace(subject, recipients=plan.recipients)], now)
        except IntegrityError:
            return 0
    Item.objects.filter(pk=fact.pk).update(ladder_next_at=plan.next_at)
    return len(plan.steps)


def _acted(ids: set[int], base: dict[int, datetime | None]) -> set[int]:
    """Items on which a person took a decision since the threshold was crossed."""
    last = dict(
        Decision.objects.filter(item_id__in=ids, actor__isnull=False)
        .values("item_id")
        .annotate(last=Max("created_at"))
        .values_list("item_id", "last")
    )
    return {pk for pk, at in last.items() if base.get(pk) is not None and at >= base[pk]}


def _sent(instant: dict[int, datetime], threshold: str) -> dict[int, dict[str, Sent]]:
    sent: dict[int, dict[str, Sent]] = {}
    for alert in LadderAlert.objects.filter(item_id__in=instant, threshold=threshold):
        if alert.threshold_at == instant[alert.item_id]:
            sent.setdefault(alert.item_id, {})[alert.audience] = Sent(
                alert.audience, alert.sent_at, tuple(alert.recipient_ids)
            )
    return sent


def item_alerts(item: Item) -> list[LadderAlert]:
    """The steps sent for an item, for its page ("Alerted: …"); no query before its first
    threshold was claimed (a breach claim stamps ``warned_at`` too)."""
    if item.warned_at is None or not getattr(item, "has_alerts", True):  # the page annotates it
        return []
    return list(LadderAlert.objects.filter(institution_id=item.institution_id).filter(item=item))


def ladder_config(institution: Institution) -> dict[str, dict[str, int | None]]:
    """The ladder as its page shows it: minutes per threshold and audience, None for no step
    (the default ladder where none is configured)."""
    steps = ladders([institution.pk])[institution.pk]
    return {
        threshold: {
            audience: next(
                (
                    int(s.delay.total_seconds() // 60)
                    for s in steps[threshold]
                    if s.audience == audience
                ),
                None,
            )
            for audience in LadderAudience.values
        }
        for threshold in LadderThreshold.values
    }


def officer_weeks(institution: Institution, now: datetime, count: int = 12) -> list[date]:
    """This week's Monday and the following ones (the page's choices)."""
    first = week_start(institution, now)
    return [first + timedelta(weeks=n) for n in range(count)]


def officers_of(institution: Institution, weeks: list[date]) -> dict[date, DutyOfficer]:
    return {
        row.week_start: row
        for row in DutyOfficer.objects.for_institution(institution)
        .filter(week_start__in=weeks)
        .select_related("user")
    }


def officer_candidates(institution: Institution) -> QuerySet[User]:
    ids = [
        user.pk
        for user in people_by_institution([institution.pk], OFFICER_ROLES).get(institution.pk, [])
    ]
    return User.objects.filter(pk__in=ids).order_by("full_name", "email")
