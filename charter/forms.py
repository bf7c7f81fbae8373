"""Input parsing for the charter editor. Validation of the whole draft lives in the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.models import Audience, CharterLanguage
from charter.services import RuleInput, TextInput

LANGUAGES = CharterLanguage.values


class CharterCreateForm(forms.Form):
    audience = forms.ChoiceField(label=_("Kind"), choices=Audience.choices)
    title = forms.CharField(label=_("Internal title"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name in URLs"),
        max_length=60,
        help_text=_("Letters, digits and hyphens, e.g. house-rules. It cannot change later."),
    )
    house_rules = forms.BooleanField(
        label=_("These are the house rules"),
        help_text=_(
            "A public charter whose rules moderators cite when they hide or remove a comment. "
            "An institution has one."
        ),
        required=False,
    )


class DraftTextsForm(forms.Form):
    """Title and Markdown text per language (fields title_fr, body_fr, ...)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in CharterLanguage.choices:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                max_length=200,
                required=False,
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text in Markdown (%(language)s)") % {"language": name},
                widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
                required=False,
                strip=False,
            )

    def text_inputs(self) -> list[TextInput]:
        data = self.cleaned_data
        return [TextInput(code, data[f"title_{code}"], data[f"body_{code}"]) for code in LANGUAGES]

    def language_fields(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        return [
            (code, name, self[f"title_{code}"], self[f"body_{code}"])
            for code, name in CharterLanguage.choices
        ]


class RuleForm(forms.Form):
    rule_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=999)
    justifies_hide = forms.BooleanField(label=_("Can justify hiding"), required=False)
    justifies_remove = forms.BooleanField(label=_("Can justify removal"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in CharterLanguage.choices:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                max_length=200,
                required=False,
            )
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )

    def rule_input(self) -> RuleInput:
        data = self.cleaned_data
        return RuleInput(
            rule_id=data["rule_id"],
            number=data["number"],
            justifies_hide=data["justifies_hide"],
            justifies_remove=data["justifies_remove"],
            texts={code: (data[f"title_{code}"], data[f"text_{code}"]) for code in LANGUAGES},
        )

    def language_fields(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        return [
            (code, name, self[f"title_{code}"], self[f"text_{code}"])
            for code, name in CharterLanguage.choices
        ]


class BaseRuleFormSet(forms.BaseFormSet):
    """The draft's rules, then one empty row to add a rule.

    Every row of an existing rule is kept, changed or not, unless its Delete box is ticked: only
    the empty rows added for new rules are skipped while blank (``ordered_forms`` does that).
    """

    def rule_inputs(self) -> list[RuleInput]:
        """Kept rules in the order the editor chose (the ORDER field); deleted rows excluded."""
        return [form.rule_input() for form in self.ordered_forms]

    def deleted_rule_ids(self) -> list[int]:
        """The draft rules whose Delete box is ticked: the only rules a save may drop."""
        return [
            form.cleaned_data["rule_id"]
            for form in self.deleted_forms
            if form.cleaned_data.get("rule_id")
        ]


RuleFormSet = forms.formset_factory(
    RuleForm, formset=BaseRuleFormSet, extra=1, can_order=True, can_delete=True, max_num=200
)


class PublishForm(forms.Form):
    change_summary = forms.CharField(
        label=_("Summary of changes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Shown in the history, e.g. “R4 now also covers spam links.”"),
    )
    drop_cited_rules = forms.BooleanField(
        label=_("Publish without the rules that decisions cite"),
        help_text=_(
            "Those decisions keep citing the wording of the version in force, but the public "
            "page will no longer show these rules."
        ),
        required=False,
    )

    def __init__(self, *args: Any, cited_rules_left_out: bool = False, **kwargs: Any) -> None:
        """The consent box is shown only when the draft leaves out cited rules."""
        super().__init__(*args, **kwargs)
        if not cited_rules_left_out:
            del self.fields["drop_cited_rules"]


class DiffForm(forms.Form):
    a = forms.IntegerField(label=_("From version"), min_value=1)
    b = forms.IntegerField(label=_("To version"), min_value=1)
    lang = forms.ChoiceField(label=_("Language"), choices=CharterLanguage.choices, required=False)


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, strip=False, max_length=200_000)
