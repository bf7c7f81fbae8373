"""Routing: ordered rules, conditions, default route, least loaded officer, rerouting, screens."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Membership, Notification, Role
from accounts.tests.factories import member
from channels.tests.factories import ChannelFactory
from complaints.models import Case, RoutingRule, Team
from complaints.services.routing import RouteFacts, case_reroute, rule_for
from complaints.tests.factories import builtin, register
from conftest import enrol_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(defence):
    people = (
        member(defence, Role.COMPLAINT_OFFICER, email="ann@defence.test", full_name="Ann"),
        member(defence, Role.COMPLAINT_OFFICER, email="bart@defence.test", full_name="Bart"),
    )
    for person in people:
        enrol_totp(person)  # complaint officers must use MFA
    return people


@pytest.fixture
def team(defence, officers) -> Team:
    team = Team.objects.create(institution=defence, name="Second line")
    team.members.set(officers)
    return team


def rule(defence, name: str, position: int, **conditions) -> RoutingRule:
    categories = conditions.pop("categories", [])
    channels = conditions.pop("channels", [])
    created = RoutingRule.objects.create(
        institution=defence, name=name, position=position, **conditions
    )
    created.categories.set(categories)
    created.channels.set(channels)
    return created


def facts(**overrides) -> RouteFacts:
    values = {
        "category_id": builtin("service_quality").pk,
        "source": "phone",
        "channel_id": None,
        "language": "fr",
        "text": "Attente au guichet",
    }
    return RouteFacts(**{**values, **overrides})


class TestRules:
    def test_the_first_matching_rule_wins_and_the_default_comes_last(
        self, defence, team, officers
    ) -> None:
        default = rule(defence, "Everything else", 0, team=team, is_default=True)
        dutch = rule(defence, "Dutch", 2, languages=["nl"], officer=officers[1])
        harassment = rule(
            defence, "Harassment", 1, categories=[builtin("cyber_harassment")], officer=officers[0]
        )
        assert rule_for(defence, facts()) == default
        assert rule_for(defence, facts(language="nl")) == dutch
        both = facts(language="nl", category_id=builtin("cyber_harassment").pk)
        assert rule_for(defence, both) == harassment

    @pytest.mark.parametrize(
        ("conditions", "matching", "other"),
        [
            ({"sources": ["letter", "email"]}, {"source": "letter"}, {"source": "phone"}),
            ({"languages": ["de"]}, {"language": "de"}, {"language": "fr"}),
            ({"keywords": "vélo, recrutement"}, {"text": "Mon dossier de RECRUTEMENT"},
             {"text": "recrutements"}),
            ({"keywords": "velo"}, {"text": "Le vélo volé"}, {"text": "vélodrome"}),
        ],
    )  # fmt: skip
    def test_each_condition(self, defence, officers, conditions, matching, other) -> None:
        target = rule(defence, "Rule", 1, officer=officers[0], **conditions)
        assert rule_for(defence, facts(**matching)) == target
        assert rule_for(defence, facts(**other)) is None

    def test_channel_condition(self, defence, officers) -> None:
        channel = ChannelFactory(institution=defence)
        target = rule(defence, "Facebook", 1, officer=officers[0], channels=[channel])
        assert rule_for(defence, facts(channel_id=channel.pk)) == target
        assert rule_for(defence, facts()) is None

    def test_inactive_rules_and_other_institutions_rules_are_ignored(
        self, defence, police, officers
    ) -> None:
        rule(defence, "Off", 1, officer=officers[0], is_active=False)
        police_officer = member(police, Role.COMPLAINT_OFFICER)
        RoutingRule.objects.create(institution=police, name="Police", officer=police_officer)
        assert rule_for(defence, facts()) is None


class TestAssignment:
    def test_a_team_gives_the_case_to_its_least_loaded_officer(
        self, defence, team, officers
    ) -> None:
        rule(defence, "All", 1, team=team)
        first, second, third = (register(defence) for _ in range(3))
        assert {first.assigned_officer, second.assigned_officer} == set(officers)
        assert third.assigned_team == team
        # Closing one of Ann's cases makes her the least loaded again.
        ann_case = first if first.assigned_officer == officers[0] else second
        Case.objects.filter(pk=ann_case.pk).update(status="closed", outcome="founded")
        if third.assigned_officer == officers[0]:
            Case.objects.filter(pk=third.pk).update(status="answered")
        assert register(defence).assigned_officer == officers[0]

    def test_a_deactivated_officer_gets_nothing(self, defence, team, officers) -> None:
        Membership.objects.filter(user=officers[0]).update(is_active=False)
        rule(defence, "All", 1, team=team)
        assert {register(defence).assigned_officer for _ in range(3)} == {officers[1]}

    def test_assignment_is_recorded_and_notified(self, defence, officers) -> None:
        rule(defence, "Phone calls", 1, sources=["phone"], officer=officers[1])
        case = register(defence)
        event = case.timeline.get(kind="assigned")
        assert event.data == {"rule": "Phone calls", "team": None, "officer": "Bart"}
        notification = Notification.objects.get(recipient=officers[1])
        assert case.reference in notification.subject

    def test_without_rules_the_case_waits_unassigned(self, defence) -> None:
        case = register(defence)
        assert case.assigned_officer is None
        assert not case.timeline.filter(kind="assigned").exists()

    def test_rerouting_needs_a_reason_and_an_officer_of_the_institution(
        self, defence, police, team, officers
    ) -> None:
        case = register(defence)
        with pytest.raises(ValueError, match="Say why"):
            case_reroute(case=case, actor=officers[0], team=team, officer=None, reason=" ")
        outsider = member(police, Role.COMPLAINT_OFFICER)
        with pytest.raises(ValueError, match="not an active complaint officer"):
            case_reroute(case=case, actor=officers[0], team=None, officer=outsider, reason="x")
        case = case_reroute(
            case=case, actor=officers[0], team=None, officer=officers[1], reason="Dutch speaker"
        )
        assert case.assigned_officer == officers[1]
        event = case.timeline.get(kind="rerouted")
        assert event.data["reason"] == "Dutch speaker"
        assert event.actor == officers[0]


class TestScreens:
    def test_admin_adds_reorders_and_tests_rules(
        self, client: Client, defence, defence_admin, team, officers
    ) -> None:
        client.force_login(defence_admin)
        url = "/i/defence/complaints/routing/"
        for name, language in (("Dutch", "nl"), ("German", "de")):
            response = client.post(
                url, {"rule-name": name, "rule-languages": [language], "rule-team": team.pk,
                      "rule-is_active": "on"},
            )  # fmt: skip
            assert response.status_code == 302
        german = RoutingRule.objects.get(name="German")
        client.post(f"{url}rules/{german.pk}/up/")
        names = list(RoutingRule.objects.order_by("position").values_list("name", flat=True))
        assert names == ["German", "Dutch"]
        tested = client.get(
            url,
            {"category": builtin().pk, "source": "phone", "language": "nl", "text": "Vraag"},
        ).content.decode()
        assert "Rule “Dutch” would fire." in tested
        assert "The complaint would go to Ann." in tested

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"rule-name": "Nowhere"}, "Choose a team or an officer"),
            ({"rule-name": "Default", "rule-is_default": "on", "rule-languages": ["nl"],
              "rule-team": "TEAM"}, "The default route has no conditions."),
        ],
    )  # fmt: skip
    def test_bad_rules_are_refused(
        self, client: Client, defence, defence_admin, team, data, message
    ) -> None:
        client.force_login(defence_admin)
        values = {key: (team.pk if value == "TEAM" else value) for key, value in data.items()}
        response = client.post("/i/defence/complaints/routing/", values)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not RoutingRule.objects.exists()

    def test_admin_creates_and_edits_a_team(
        self, client: Client, defence, defence_admin, officers
    ) -> None:
        client.force_login(defence_admin)
        client.post(
            "/i/defence/complaints/routing/",
            {"team-name": "Harassment desk", "team-members": [officers[0].pk]},
        )
        team = Team.objects.get(name="Harassment desk")
        assert list(team.members.all()) == [officers[0]]
        client.post(
            f"/i/defence/complaints/routing/teams/{team.pk}/",
            {"name": "Harassment desk", "members": [officers[1].pk]},
        )
        assert list(team.members.all()) == [officers[1]]

    def test_an_officer_reroutes_from_the_case_page(
        self, client: Client, defence, officers
    ) -> None:
        case = register(defence)
        client.force_login(officers[0])
        url = f"/i/defence/complaints/{case.reference}/reroute/"
        refused = client.post(url, {"officer": officers[1].pk, "reason": ""})
        assert refused.status_code == 400
        response = client.post(url, {"officer": officers[1].pk, "reason": "Holiday"})
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.assigned_officer == officers[1]


def test_an_admin_adds_renames_and_retires_a_category(
    client: Client, defence, defence_admin, police
) -> None:
    from complaints.models import Category

    client.force_login(defence_admin)
    url = "/i/defence/complaints/categories/"
    client.post(
        url,
        {"name_fr": "Recrutement", "name_nl": "Rekrutering", "name_en": "Recruitment",
         "is_active": "on"},
    )  # fmt: skip
    category = Category.objects.get(institution=defence)
    assert category.code == "recruitment"
    client.post(
        url,
        {"category_id": category.pk, "name_fr": "Recrutement", "name_nl": "Rekrutering",
         "name_en": "Recruitment and selection"},
    )  # fmt: skip
    category.refresh_from_db()
    assert (category.name_en, category.is_active) == ("Recruitment and selection", False)
    assert category not in Category.objects.available_to(defence)
    foreign = Category.objects.create(
        institution=police, code="traffic", name_fr="t", name_nl="t", name_en="t"
    )
    assert client.post(url, {"category_id": foreign.pk, "name_en": "x"}).status_code == 404
    assert client.get(f"{url}?edit={foreign.pk}").status_code == 404
