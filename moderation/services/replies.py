"""Saved replies: filled with the item's author, channel and institution."""

from __future__ import annotations

import re

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


def saved_replies_for(item: Item) -> list[SavedReply]:
    return list(
        SavedReply.objects.for_institution(item.institution).filter(
            is_active=True, language=item.language
        )
    )
