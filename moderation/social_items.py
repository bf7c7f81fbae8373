"""Moderation's items as plain data for complaints (see ``complaints.items``).

``social_item`` is what moderation hands over when it escalates an item or preserves it as
evidence; ``social_item_read`` is registered in ``ModerationConfig.ready()`` for the complaints
screens that preserve an item already linked to a case.
"""

from __future__ import annotations

from complaints.items import SocialItem
from moderation.models import Item


def social_item(item: Item) -> SocialItem:
    return SocialItem(
        item_id=item.pk,
        institution_id=item.institution_id,
        channel_id=item.channel_id,
        platform=item.channel.platform,
        channel_name=item.channel.name,
        external_id=item.external_id,
        kind=item.kind,
        received_at=item.received_at,
        posted_at=item.posted_at,
        author_name=item.author_name,
        author_handle=item.author_handle,
        author_url=item.author_url,
        text=item.text,
        language=item.language,
        permalink=item.permalink,
        deleted_on_platform_at=item.deleted_on_platform_at,
        hidden_on_platform_at=item.hidden_on_platform_at,
        raw_payload=item.raw_payload,
    )


def social_item_read(item_id: int) -> SocialItem:
    return social_item(Item.objects.select_related("channel").get(pk=item_id))
