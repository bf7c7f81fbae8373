"""What the moderation queue shows of an institution's channels, cached.

The queue page names the channels in its filter, on every row and in its crisis banner: a
query and some fifteen model instances with their JSON fields on every page (issue 21) for
rows that change a few times a year. ``channel_summaries`` keeps the few columns shown under a
generation that every save or deletion of a channel bumps (model signals, so the Django
admin's edits count too). The columns updated without ``save()`` (tokens, connector state) are
not among them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from channels.models import Channel, platform_icon
from govsocial.generations import generation, generations_bump

SUMMARIES_TTL = 3600


@dataclass(frozen=True)
class ChannelSummary:
    pk: int
    name: str
    platform: str
    is_active: bool
    crisis_mode: bool
    crisis_response_hours: int

    @property
    def icon(self) -> str:
        return platform_icon(self.platform)


def _generation_key(institution_id: int) -> str:
    return f"channels:summaries:generation:{institution_id}"


def channel_summaries(institution_id: int) -> list[ChannelSummary]:
    """The institution's channels in their usual order (platform, name), from the cache."""
    key = f"channels:summaries:{institution_id}:{generation(_generation_key(institution_id))}"
    summaries = cache.get(key)
    if summaries is None:
        summaries = [
            ChannelSummary(*row)
            for row in Channel.objects.filter(institution_id=institution_id).values_list(
                "pk", "name", "platform", "is_active", "crisis_mode", "crisis_response_hours"
            )
        ]
        cache.set(key, summaries, SUMMARIES_TTL)
    return summaries


def _channel_changed(instance: Channel, **kwargs: Any) -> None:
    generations_bump([_generation_key(instance.institution_id)])


def summaries_connect() -> None:
    post_save.connect(_channel_changed, sender=Channel, dispatch_uid="channel-summaries-saved")
    post_delete.connect(_channel_changed, sender=Channel, dispatch_uid="channel-summaries-gone")
