"""The rules formset: a rule row the editor did not touch is kept; only its Delete box drops it."""

from __future__ import annotations

from typing import Any, cast

from charter.forms import BaseRuleFormSet, RuleFormSet
from charter.tests.posting import submitted


def rows(*numbers: int) -> list[dict[str, Any]]:
    """Initial rows as the editor renders them, rule ids 100 + number."""
    return [
        {
            "rule_id": 100 + number,
            "number": number,
            "ORDER": position,
            "justifies_hide": True,
            "justifies_remove": number % 2 == 0,
            "title_fr": f"Règle {number}",
            "text_fr": f"Texte {number}.",
        }
        for position, number in enumerate(numbers, start=1)
    ]


def posted(initial: list[dict[str, Any]], **edits: str | None) -> BaseRuleFormSet:
    """The formset the browser posts back for ``initial``, with the editor's edits."""
    data = submitted(RuleFormSet(initial=initial, prefix="rules")) | edits
    formset = RuleFormSet({k: v for k, v in data.items() if v is not None}, prefix="rules")
    assert formset.is_valid(), formset.errors
    return cast(BaseRuleFormSet, formset)


def test_an_untouched_form_keeps_every_rule() -> None:
    formset = posted(rows(1, 2, 3, 4, 5, 6, 7))
    inputs = formset.rule_inputs()
    assert [(rule.rule_id, rule.number) for rule in inputs] == [(100 + n, n) for n in range(1, 8)]
    assert [rule.justifies_remove for rule in inputs[:2]] == [False, True]
    assert inputs[0].texts["fr"] == ("Règle 1", "Texte 1.")
    assert formset.deleted_rule_ids() == []


def test_only_the_delete_box_drops_a_rule() -> None:
    formset = posted(rows(1, 2, 3), **{"rules-1-DELETE": "on"})
    assert [rule.number for rule in formset.rule_inputs()] == [1, 3]
    assert formset.deleted_rule_ids() == [102]


def test_reordering_editing_and_adding_keep_the_other_rules() -> None:
    edits = {
        "rules-0-ORDER": "3",
        "rules-2-ORDER": "1",
        "rules-1-text_fr": "Texte modifié.",
        "rules-3-number": "9",
        "rules-3-ORDER": "4",
        "rules-3-text_fr": "Nouvelle règle.",
    }
    inputs = posted(rows(1, 2, 3), **edits).rule_inputs()
    assert [(rule.rule_id, rule.number) for rule in inputs] == [
        (103, 3),
        (102, 2),
        (101, 1),
        (None, 9),
    ]
    assert inputs[1].texts["fr"] == ("Règle 2", "Texte modifié.")


def test_a_rule_row_emptied_without_ticking_delete_is_an_error_not_a_removal() -> None:
    data = submitted(RuleFormSet(initial=rows(1, 2), prefix="rules")) | {
        "rules-1-number": "",
        "rules-1-title_fr": "",
        "rules-1-text_fr": "",
    }
    formset = RuleFormSet(data, prefix="rules")
    assert not formset.is_valid()
    assert formset.errors[1] == {"number": ["This field is required."]}
