"""draft_save never drops a rule it was not told to delete; rules keep their ids across saves."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from charter.models import CharterVersion
from charter.services import RuleInput, draft_save
from charter.tests.factories import TEXTS, published_charter, rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(defence, defence_admin) -> CharterVersion:
    published_charter(defence, defence_admin, rule_numbers=tuple(range(1, 8)), draft=True)
    return CharterVersion.objects.drafts().get()


def as_loaded(draft: CharterVersion) -> list[RuleInput]:
    """The draft's rules as the editor loads them, ids included."""
    return [
        RuleInput(
            rule.number,
            rule.justifies_hide,
            rule.justifies_remove,
            {t.language: (t.title, t.text) for t in rule.texts.all()},
            rule_id=rule.pk,
        )
        for rule in draft.rules.prefetch_related("texts")
    ]


def numbers(draft: CharterVersion) -> list[int]:
    return list(draft.rules.values_list("number", flat=True))


def test_a_save_that_leaves_rules_out_is_refused_and_changes_nothing(draft, defence_admin) -> None:
    with pytest.raises(ValidationError, match="leaves out R6, R7 without deleting them"):
        draft_save(version=draft, actor=defence_admin, texts=TEXTS, rules=rules(1, 2, 3, 4, 5))
    with pytest.raises(ValidationError, match="leaves out R1, R2, R3, R4, R5, R6, R7"):
        draft_save(version=draft, actor=defence_admin, texts=TEXTS, rules=[])
    assert numbers(draft) == [1, 2, 3, 4, 5, 6, 7]


def test_an_unchanged_save_keeps_every_rule_and_its_id(draft, defence_admin) -> None:
    before = dict(draft.rules.values_list("number", "pk"))
    draft_save(version=draft, actor=defence_admin, texts=TEXTS, rules=as_loaded(draft))
    assert dict(draft.rules.values_list("number", "pk")) == before


def test_a_rule_goes_only_when_deleted_explicitly(draft, defence_admin) -> None:
    loaded = as_loaded(draft)
    kept = [rule for rule in loaded if rule.number != 4]
    draft_save(
        version=draft,
        actor=defence_admin,
        texts=TEXTS,
        rules=kept,
        deleted_rule_ids=[loaded[3].rule_id],
    )
    assert numbers(draft) == [1, 2, 3, 5, 6, 7]


def test_swapping_two_numbers_keeps_each_rule_with_its_text(draft, defence_admin) -> None:
    loaded = as_loaded(draft)
    loaded[0].number, loaded[1].number = 2, 1
    draft_save(version=draft, actor=defence_admin, texts=TEXTS, rules=loaded)
    first = draft.rules.get(pk=loaded[0].rule_id)
    assert (first.number, first.texts.get(language="fr").text) == (2, "Texte de la règle 1.")
    assert numbers(draft) == [2, 1, 3, 4, 5, 6, 7]


def test_editing_a_rule_someone_else_deleted_meanwhile_is_refused(draft, defence_admin) -> None:
    mine = as_loaded(draft)
    theirs = [rule for rule in mine if rule.number != 7]
    draft_save(
        version=draft,
        actor=defence_admin,
        texts=TEXTS,
        rules=theirs,
        deleted_rule_ids=[mine[6].rule_id],
    )
    mine[6].texts["fr"] = ("Règle 7", "Ma version.")
    with pytest.raises(ValidationError, match="changed since you opened it"):
        draft_save(version=draft, actor=defence_admin, texts=TEXTS, rules=mine)
    assert numbers(draft) == [1, 2, 3, 4, 5, 6]


def test_a_rule_title_without_its_text_is_refused(draft, defence_admin) -> None:
    loaded = as_loaded(draft)
    loaded[0].texts["en"] = ("Insults", "")
    with pytest.raises(ValidationError, match="Rule R1 has a title in en but no text"):
        draft_save(version=draft, actor=defence_admin, texts=TEXTS, rules=loaded)
