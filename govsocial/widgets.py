"""Form widgets shared by every app.

Browsers accept only ISO values in ``<input type="date">`` (``yyyy-mm-dd``) and show them in the
reader's own format. Django's ``DateInput`` writes the active language's first input format
(``dd/mm/yyyy`` in French, Dutch and Belgian English, ``govsocial/formats``), which browsers
reject: the field shows blank and the form cannot be sent again without retyping. Every date
input of the project is therefore an ``IsoDateInput``; ``govsocial/tests/test_date_inputs.py``
renders each one in French, Dutch and English.
"""

from __future__ import annotations

from typing import Any

from django import forms

ISO_DATE = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """``<input type="date">`` whose value is always ISO, whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_DATE)
