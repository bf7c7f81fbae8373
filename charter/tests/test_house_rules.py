"""Which charter is the house rules: one per institution, designated, enforced by the database."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import member
from charter.models import Charter
from charter.selectors import house_rules_in_force, rules_justifying
from charter.services import charter_create, charter_make_house_rules
from charter.tests.factories import published_charter

pytestmark = pytest.mark.django_db
migration = importlib.import_module("charter.migrations.0002_h1_house_rules")


@pytest.fixture
def two_public_charters(defence, defence_admin) -> tuple[Charter, Charter]:
    """The house rules (R1-R3), then a public policy page published later (R9 only)."""
    start = timezone.now() - timedelta(days=2)
    with time_machine.travel(start, tick=False):
        rules = published_charter(defence, defence_admin, rule_numbers=(1, 2, 3))
    with time_machine.travel(start + timedelta(days=1), tick=False):
        policy = published_charter(
            defence, defence_admin, slug="media-policy", rule_numbers=(9,), house_rules=False
        )
    return rules, policy


@pytest.fixture
def editor(defence):
    return member(defence, Role.CHARTER_EDITOR)


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def test_moderators_cite_the_designated_house_rules_not_the_latest_public_charter(
    defence, two_public_charters
) -> None:
    rules, _policy = two_public_charters
    assert house_rules_in_force(defence).charter == rules
    assert [rule.number for rule in rules_justifying(defence, "remove")] == [1, 2, 3]


def test_a_second_house_rules_is_refused_with_a_clear_message(
    defence, defence_admin, two_public_charters, editor_client
) -> None:
    with pytest.raises(ValidationError, match="are already the house rules of this institution"):
        charter_create(
            institution=defence,
            actor=defence_admin,
            audience="public",
            slug="other-rules",
            title="Other rules",
            house_rules=True,
        )
    data = {"audience": "public", "title": "Other", "slug": "other", "house_rules": "on"}
    response = editor_client.post("/i/defence/charters/new/", data)
    assert response.status_code == 200
    assert "“House-Rules” are already the house rules" in response.content.decode()
    assert not Charter.objects.filter(slug__in=("other-rules", "other")).exists()


def test_a_staff_charter_cannot_be_the_house_rules(defence, defence_admin) -> None:
    with pytest.raises(ValidationError, match="Only a public charter can be the house rules"):
        charter_create(
            institution=defence,
            actor=defence_admin,
            audience="staff",
            slug="staff",
            title="Staff",
            house_rules=True,
        )


def test_the_database_keeps_one_house_rules_per_institution(two_public_charters) -> None:
    _rules, policy = two_public_charters
    with pytest.raises(IntegrityError), transaction.atomic():
        Charter.objects.filter(pk=policy.pk).update(is_house_rules=True)
    staff = charter_create(
        institution=policy.institution,
        actor=policy.versions.first().created_by,
        audience="staff",
        slug="staff",
        title="Staff",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Charter.objects.filter(pk=staff.pk).update(is_house_rules=True)


def test_an_editor_moves_the_designation_and_it_is_recorded(
    defence, two_public_charters, editor, editor_client
) -> None:
    rules, policy = two_public_charters
    response = editor_client.post(f"/i/defence/charters/{policy.slug}/house-rules/")
    assert response.status_code == 302
    rules.refresh_from_db()
    policy.refresh_from_db()
    assert (rules.is_house_rules, policy.is_house_rules) == (False, True)
    assert [rule.number for rule in rules_justifying(defence, "remove")] == [9]
    assert [(r.is_house_rules, r.history_user) for r in rules.history.all()[:1]] == [
        (False, editor)
    ]
    assert [(r.is_house_rules, r.history_user) for r in policy.history.all()[:1]] == [
        (True, editor)
    ]
    page = editor_client.get(f"/i/defence/charters/{policy.slug}/").content.decode()
    assert "House rules: moderators cite these rules" in page


def test_a_staff_or_unpublished_charter_is_not_made_the_house_rules(
    defence, defence_admin, two_public_charters
) -> None:
    staff = published_charter(defence, defence_admin, slug="staff", audience="staff")
    with pytest.raises(ValidationError, match="Only a public charter"):
        charter_make_house_rules(charter=staff, actor=defence_admin)
    unpublished = charter_create(
        institution=defence, actor=defence_admin, audience="public", slug="new", title="New"
    )
    with pytest.raises(ValidationError, match="Publish a first version of this charter"):
        charter_make_house_rules(charter=unpublished, actor=defence_admin)
    assert house_rules_in_force(defence).charter == two_public_charters[0]


def test_the_migration_designates_the_charter_moderators_cited_until_now(
    defence, police, defence_admin, two_public_charters
) -> None:
    _rules, policy = two_public_charters
    draft_only = charter_create(
        institution=police, actor=defence_admin, audience="public", slug="rules", title="Rules"
    )
    Charter.objects.update(is_house_rules=False)
    migration.choose_house_rules(apps, None)
    designated = set(Charter.objects.filter(is_house_rules=True).values_list("pk", flat=True))
    # Until now the most recently published public charter was the one in force.
    assert designated == {policy.pk, draft_only.pk}
