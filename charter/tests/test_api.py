"""The API moderation uses: the house rules in force at a time, and the rules for an action."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from charter.models import CharterRule
from charter.selectors import house_rules_in_force, rules_justifying
from charter.tests.factories import publish_new_version, published_charter

pytestmark = pytest.mark.django_db


def test_rules_in_force_at_a_given_time_and_per_action(defence, defence_admin, police) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        charter = published_charter(defence, defence_admin, rule_numbers=(1, 2, 3))
    with time_machine.travel(start + timedelta(days=10), tick=False):
        publish_new_version(charter, defence_admin, rule_numbers=(1, 2, 3, 4))
    first = house_rules_in_force(defence, start + timedelta(days=1))
    second = house_rules_in_force(defence, start + timedelta(days=11))
    assert (first.number, second.number) == (1, 2)
    assert house_rules_in_force(defence, start - timedelta(days=1)) is None
    assert house_rules_in_force(police) is None
    now = start + timedelta(days=11)
    assert [r.number for r in rules_justifying(defence, "remove", now)] == [1, 2, 3, 4]
    assert rules_justifying(police, "hide").count() == 0


def test_hide_only_rules_do_not_justify_removal(defence, defence_admin) -> None:
    from charter.services import draft_save, draft_start, version_publish
    from charter.tests.factories import TEXTS, rules

    charter = published_charter(defence, defence_admin, rule_numbers=(1,))
    version = draft_start(charter=charter, actor=defence_admin)
    draft_save(version=version, actor=defence_admin, texts=TEXTS, rules=rules(1, 2, hide_only=(2,)))
    version_publish(version=version, actor=defence_admin, change_summary="R2 hide only.")
    assert [r.number for r in rules_justifying(defence, "hide")] == [1, 2]
    assert [r.number for r in rules_justifying(defence, "remove")] == [1]


def test_a_cited_rule_keeps_its_wording_after_a_new_version(defence, defence_admin) -> None:
    charter = published_charter(defence, defence_admin, rule_numbers=(1, 2))
    cited = rules_justifying(defence, "remove").get(number=2)
    publish_new_version(charter, defence_admin, rule_numbers=(1, 2, 3))
    cited = CharterRule.objects.get(pk=cited.pk)
    assert cited.version.number == 1
    assert cited.texts.get(language="fr").text == "Texte de la règle 2."
