"""The built-in complaint categories (institutions add their own in the product).

Created by a data migration; ``ensure_builtin`` is idempotent so the demo seed and tests that
flush the database can restore them.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from govsocial.generations import generations_bump

CATEGORIES_GENERATION = "complaints:categories:generation"
"""Bumped whenever a category is saved or deleted (``categories_connect``): lists of categories
cached under it (the item page's escalation choices) are never read after a change."""

BUILT_IN = (  # code, French, Dutch, English
    (
        "service_quality",
        "Qualité du service",
        "Kwaliteit van de dienstverlening",
        "Service quality",
    ),
    ("staff_behaviour", "Comportement du personnel", "Gedrag van het personeel", "Staff behaviour"),
    ("information_error", "Information erronée", "Foute informatie", "Information error"),
    ("accessibility", "Accessibilité", "Toegankelijkheid", "Accessibility"),
    ("privacy", "Vie privée", "Privacy", "Privacy"),
    ("cyber_harassment", "Cyberharcèlement", "Cyberpesten", "Cyber-harassment"),
    ("other", "Autre", "Andere", "Other"),
)  # fmt: skip


def ensure_builtin(category_model: Any) -> None:
    """Create or refresh the built-in categories (``category_model``: current or historical)."""
    for code, fr, nl, en in BUILT_IN:
        category_model.objects.update_or_create(
            institution=None, code=code, defaults={"name_fr": fr, "name_nl": nl, "name_en": en}
        )


def _categories_changed(**kwargs: Any) -> None:
    generations_bump([CATEGORIES_GENERATION])


def categories_connect() -> None:
    """Through the model signals, so that the Django admin's edits count too."""
    from complaints.models import Category

    post_save.connect(_categories_changed, sender=Category, dispatch_uid="categories-saved")
    post_delete.connect(_categories_changed, sender=Category, dispatch_uid="categories-gone")
