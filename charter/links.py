"""Public addresses of a rule: in the version a decision applied (``?v=N#Rn``), which never
changes, and in the version in force (``#Rn``). Decision pages, the transparency page and the
statements of reasons link to the applied version (rules loaded with ``version__charter``)."""

from __future__ import annotations

from django.urls import reverse

from charter.models import CharterRule


def rule_in_force_url(institution_slug: str, rule: CharterRule) -> str:
    base = reverse(
        "charter:public-detail",
        kwargs={"institution_slug": institution_slug, "charter_slug": rule.version.charter.slug},
    )
    return f"{base}#{rule.code}"


def rule_applied_url(institution_slug: str, rule: CharterRule) -> str:
    base, anchor = rule_in_force_url(institution_slug, rule).split("#")
    return f"{base}?v={rule.version.number}#{anchor}"
