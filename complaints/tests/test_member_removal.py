"""A complaint officer deactivated or demoted in one institution leaves its complaint teams, and
each of their open cases goes back to its team (in the case's timeline); closed ones stay."""

from __future__ import annotations

import pytest

from accounts.models import Membership, Notification, Role
from accounts.services import members as member_services
from accounts.tests.factories import member
from complaints.models import Case, EventKind, Team
from complaints.services.cases import case_answer
from complaints.services.routing import case_reroute
from complaints.tests.factories import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(defence, police):
    """An officer in Defence who is also an officer in the Federal Police."""
    person = member(defence, Role.COMPLAINT_OFFICER, full_name="Ann")
    Membership.objects.create(institution=police, user=person, role=Role.COMPLAINT_OFFICER)
    return person


@pytest.fixture
def bart(defence):
    return member(defence, Role.COMPLAINT_OFFICER, full_name="Bart")


@pytest.fixture
def team(defence, ann, bart) -> Team:
    team = Team.objects.create(institution=defence, name="Second line")
    team.members.set([ann, bart])
    return team


def cases_of(defence, defence_admin, team, officer, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        case = register(defence)
        cases.append(
            case_reroute(case=case, actor=defence_admin, team=team, officer=officer, reason="x")
        )
    return cases


@pytest.mark.parametrize("how", ["deactivate", "demote"])
def test_removal_hands_open_cases_back_to_the_team(
    defence, police, defence_admin, team, ann, bart, how
) -> None:
    open_case, answered = cases_of(defence, defence_admin, team, ann, 2)
    case_answer(case=answered, actor=ann)
    if how == "deactivate":
        member_services.member_deactivate(institution=defence, actor=defence_admin, user=ann)
    else:
        member_services.member_set_roles(
            institution=defence, actor=defence_admin, user=ann, roles=[Role.CHARTER_EDITOR]
        )
    assert list(team.members.all()) == [bart]
    open_case.refresh_from_db()
    assert open_case.assigned_officer == bart
    assert open_case.assigned_team == team
    event = open_case.timeline.filter(kind=EventKind.REROUTED).latest("pk")
    assert event.actor == defence_admin
    assert event.data["officer"] == str(bart)
    assert "Ann is no longer a complaint officer here" in event.data["reason"]
    assert Notification.objects.filter(recipient=bart, kind="complaint.assigned").exists()
    answered.refresh_from_db()
    assert answered.assigned_officer == ann  # answered: nothing left to hand back
    assert Membership.objects.get(user=ann, institution=police).is_active


def test_with_nobody_left_in_the_team_the_case_waits_unassigned(
    defence, defence_admin, team, ann, bart
) -> None:
    [case] = cases_of(defence, defence_admin, team, ann, 1)
    member_services.member_deactivate(institution=defence, actor=defence_admin, user=bart)
    member_services.member_deactivate(institution=defence, actor=defence_admin, user=ann)
    case.refresh_from_db()
    assert case.assigned_officer is None
    assert case.assigned_team == team
