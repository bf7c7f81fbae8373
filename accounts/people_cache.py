"""A generation for lists of people cached per institution (the item page's moderators).

Bumped whenever an account or a membership is saved or deleted, through the model signals so
that the Django admin's edits count too; a login's ``last_login`` update does not count. Lists
keyed by ``PEOPLE_GENERATION`` (govsocial.generations) are never read after such a change.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from accounts.models import Membership, User
from govsocial.generations import generations_bump

PEOPLE_GENERATION = "accounts:people:generation"

_NOT_ABOUT_PEOPLE = frozenset({"last_login"})


def _people_changed(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields and set(update_fields) <= _NOT_ABOUT_PEOPLE:
        return
    generations_bump([PEOPLE_GENERATION])


def connect() -> None:
    for model in (User, Membership):
        post_save.connect(_people_changed, sender=model, dispatch_uid=f"people-saved-{model}")
        post_delete.connect(_people_changed, sender=model, dispatch_uid=f"people-gone-{model}")
