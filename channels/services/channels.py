"""Channel writes. Secrets are encrypted at rest and only replaced when a new value is given."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from channels.models import Channel
from channels.secrets import mask_secret


def channel_save(
    *,
    channel: Channel,
    actor: User,
    moderators: list[User],
    signing_secret: str = "",
    verify_token: str = "",
    access_token: str = "",
) -> Channel:
    institution_id = channel.institution_id
    if any(
        not user.memberships.filter(institution_id=institution_id, is_active=True).exists()
        for user in moderators
    ):
        raise ValueError("Moderators must be active members of the channel's institution.")
    with transaction.atomic():
        if signing_secret:
            channel.signing_secret = signing_secret
        if verify_token:
            channel.verify_token = verify_token
        if access_token:
            channel.access_token = access_token
        channel.full_clean()
        channel._history_user = actor  # type: ignore[attr-defined]
        channel.save()
        channel.moderators.set(moderators)
    return channel


def secret_summary(channel: Channel) -> dict[str, str]:
    """What the UI may show of the stored secrets."""
    return {
        "signing_secret": mask_secret(channel.signing_secret),
        "verify_token": mask_secret(channel.verify_token),
        "access_token": mask_secret(channel.access_token),
    }
