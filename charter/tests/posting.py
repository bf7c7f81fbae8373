"""What a browser submits for a rendered form: each field's current value, ticked boxes only."""

from __future__ import annotations

from django import forms


def submitted(*forms_or_formsets: forms.Form | forms.BaseFormSet) -> dict[str, str]:
    data: dict[str, str] = {}
    for item in forms_or_formsets:
        if isinstance(item, forms.BaseFormSet):
            data |= submitted(item.management_form, *item.forms)
            continue
        for bound in item:
            value = bound.value()
            if isinstance(bound.field, forms.BooleanField):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = str(value)
    return data
