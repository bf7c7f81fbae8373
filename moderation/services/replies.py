"""Saved replies: filled with the item's author, channel and institution."""

from __future__ import annotations

import re
from typing import Any

from django.db.models.signals import post_delete, post_save

from govsocial.generations import generations_bump
from moderation.models import Item, SavedReply

PLACEHOLDERS = ("author", "channel", "institution")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def saved_reply_render(reply: SavedReply, item: Item) -> str:
    values = {
        "author": item.author_name or item.author_handle or "",
        "channel": item.channel.name,
        "institution": item.institution.name_in(item.language or reply.language),
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], reply.text).strip()


def saved_replies_generation_key(institution_id: int) -> str:
    """Bumped whenever one of the institution's saved replies is saved or deleted
    (``saved_replies_connect``): the item page's cached choices are keyed by it."""
    return f"moderation:saved-replies:generation:{institution_id}"


def _saved_replies_changed(instance: SavedReply, **kwargs: Any) -> None:
    generations_bump([saved_replies_generation_key(instance.institution_id)])


def saved_replies_connect() -> None:
    """Through the model signals, so that the Django admin's edits count too."""
    post_save.connect(_saved_replies_changed, sender=SavedReply, dispatch_uid="replies-saved")
    post_delete.connect(_saved_replies_changed, sender=SavedReply, dispatch_uid="replies-gone")
