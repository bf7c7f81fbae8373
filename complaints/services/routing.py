"""Routing new cases to a team or an officer by ordered rules.

Rules are tried in order (``position``), the default rule last; the first whose conditions all
hold (an empty condition holds for any case) picks the target. A team target goes to its least
loaded officer: the active complaint officer of the team with the fewest open cases (ties: the
longest-serving account). Every assignment is in the timeline with the rule that made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Institution, Role, User
from accounts.services.notifications import notification_send
from channels.keywords import Watch, matches, normalise
from complaints.models import Case, EventKind, RoutingRule, Status, Team
from complaints.services.timeline import timeline_record

ASSIGNED_SUBJECT = gettext_lazy("Complaint %(reference)s assigned to you")
ASSIGNED_BODY = gettext_lazy("“%(subject)s”: answer due by %(due)s.")
OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.ON_HOLD)


@dataclass(frozen=True)
class RouteFacts:
    """What rules look at: enough to test a complaint that does not exist yet."""

    category_id: int | None
    source: str
    channel_id: int | None
    language: str
    text: str


def facts_of(case: Case) -> RouteFacts:
    return RouteFacts(
        category_id=case.category_id,
        source=case.source,
        channel_id=case.channel_id,
        language=case.language,
        text=f"{case.subject}\n{case.description}",
    )


def rule_for(institution: Institution, facts: RouteFacts) -> RoutingRule | None:
    rules = (
        RoutingRule.objects.for_institution(institution)
        .filter(is_active=True)
        .select_related("team", "officer")
        .prefetch_related("categories", "channels")
        .order_by("is_default", "position", "pk")
    )
    return next((rule for rule in rules if rule_matches(rule, facts)), None)


def rule_matches(rule: RoutingRule, facts: RouteFacts) -> bool:
    categories = {category.pk for category in rule.categories.all()}
    channels = {channel.pk for channel in rule.channels.all()}
    keywords = [word.strip() for word in rule.keywords.split(",") if word.strip()]
    text = normalise(facts.text)
    return (
        (not categories or facts.category_id in categories)
        and (not rule.sources or facts.source in rule.sources)
        and (not channels or facts.channel_id in channels)
        and (not rule.languages or facts.language in rule.languages)
        and (not keywords or any(matches(Watch(0, word), text) for word in keywords))
    )


def officer_for(institution: Institution, rule: RoutingRule) -> User | None:
    """The rule's officer, or its team's least loaded officer (None if nobody can take it)."""
    officers = active_officers(institution)
    if rule.officer_id is not None:
        return officers.filter(pk=rule.officer_id).first()
    if rule.team_id is None:
        return None
    return (
        officers.filter(complaint_teams=rule.team_id)
        .annotate(
            load=Count(
                "assigned_cases",
                filter=Q(
                    assigned_cases__status__in=OPEN_STATUSES,
                    assigned_cases__institution=institution,
                ),
            )
        )
        .order_by("load", "date_joined", "pk")
        .first()
    )


def active_officers(institution: Institution | int) -> QuerySet[User]:
    """Who may be given a case here: active members holding the complaint officer role."""
    return User.objects.members_of(institution, (Role.COMPLAINT_OFFICER,))


def case_route(*, case: Case, actor: User | None = None) -> RoutingRule | None:
    """Assign a new case by the rules (call inside the registering transaction)."""
    rule = rule_for(case.institution, facts_of(case))
    if rule is None:  # no rule and no default route: the case waits in the list, unassigned
        return None
    officer = officer_for(case.institution, rule)
    _assign(case, actor, team=rule.team, officer=officer, kind=EventKind.ASSIGNED, rule=rule)
    return rule


def case_reroute(
    *, case: Case, actor: User, team: Team | None, officer: User | None, reason: str
) -> Case:
    """An officer or admin sends the case elsewhere, saying why."""
    if not reason.strip():
        raise ValueError(_("Say why the case is rerouted."))
    if team is None and officer is None:
        raise ValueError(_("Choose a team or an officer."))
    if officer is not None and not active_officers(case.institution).filter(pk=officer.pk).exists():
        raise ValueError(_("This person is not an active complaint officer here."))
    if team is not None and team.institution_id != case.institution_id:
        raise ValueError(_("This team belongs to another institution."))
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if officer is None and team is not None:
            officer = officer_for(case.institution, RoutingRule(team=team))
        _assign(
            case, actor, team=team, officer=officer, kind=EventKind.REROUTED, reason=reason.strip()
        )
    return case


def _assign(
    case: Case,
    actor: User | None,
    *,
    team: Team | None,
    officer: User | None,
    kind: str,
    rule: RoutingRule | None = None,
    reason: str = "",
) -> None:
    case.assigned_team = team
    case.assigned_officer = officer
    case.save(update_fields=["assigned_team", "assigned_officer"])
    data: dict[str, object] = {
        "team": team.name if team else None,
        "officer": str(officer) if officer else None,
    }
    if rule is not None:
        data["rule"] = rule.name
    if reason:
        data["reason"] = reason
    event = timeline_record(case, actor, kind, **data)
    if officer is not None and officer != actor:
        notification_send(
            recipient=officer,
            institution=case.institution,
            kind="complaint.assigned",
            subject=ASSIGNED_SUBJECT,
            body=ASSIGNED_BODY,
            params={
                "reference": case.reference,
                "subject": case.subject,
                "due": case.due_at.astimezone(case.institution.zone).strftime("%d/%m/%Y"),
            },
            url=f"/i/{case.institution.slug}/complaints/{case.reference}/",
            dedupe_key=f"complaint-assigned:{event.pk}",
            about=case.about_key,
        )


def rule_position_next(institution: Institution) -> int:
    """Where a new rule goes: after every other rule (the default route stays last anyway)."""
    last = RoutingRule.objects.for_institution(institution).aggregate(last=Max("position"))
    return (last["last"] or 0) + 1


def rule_reorder(*, institution: Institution, rule_id: int, up: bool) -> bool:
    """Swap a rule with its neighbour and renumber 1..n; False if no such (non-default) rule."""
    with transaction.atomic():
        ordered = list(
            RoutingRule.objects.for_institution(institution)
            .filter(is_default=False)
            .select_for_update()
            .order_by("position", "pk")
        )
        index = next((i for i, rule in enumerate(ordered) if rule.pk == rule_id), None)
        if index is None:
            return False
        other = index - 1 if up else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, rule in enumerate(ordered, start=1):
            if rule.position != position:
                rule.position = position
                rule.save(update_fields=["position"])
    return True


def officer_hand_back(institution: Institution, user: User, actor: User) -> int:
    """Someone who is no longer a complaint officer here leaves the institution's complaint
    teams, and each of their open cases goes back to its team: to the team's least loaded
    officer, or unassigned in the team's list ("rerouted" in each case's timeline).

    Returns how many cases were handed back; nothing changes while they are still an officer.
    """
    if active_officers(institution).filter(pk=user.pk).exists():
        return 0
    reason = _("Handed back to the team: %(name)s is no longer a complaint officer here.") % {
        "name": user
    }
    cases = Case.objects.for_institution(institution).filter(
        assigned_officer=user, status__in=OPEN_STATUSES
    )
    handed_back = 0
    with transaction.atomic():
        user.complaint_teams.remove(*Team.objects.for_institution(institution).filter(members=user))
        for case in cases.select_for_update(of=("self",)).select_related("assigned_team"):
            team = case.assigned_team
            officer = officer_for(institution, RoutingRule(team=team)) if team else None
            _assign(case, actor, team=team, officer=officer, kind=EventKind.REROUTED, reason=reason)
            handed_back += 1
    return handed_back


def on_roles_withdrawn(
    sender: Any, *, institution: Institution, user: User, actor: User, **kwargs: Any
) -> None:
    """Receiver of ``accounts.services.members.roles_withdrawn``."""
    officer_hand_back(institution, user, actor)
