"""Channel writes. Secrets are encrypted at rest and only replaced when a new value is given."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import MODERATOR_ROLES, Institution, User
from accounts.services.institutions import ResponseTimes
from channels.models import Channel
from govsocial.secrets import mask_secret


def channel_save(
    *,
    channel: Channel,
    actor: User,
    moderators: list[User],
    signing_secret: str = "",
    verify_token: str = "",
    access_token: str = "",
) -> Channel:
    allowed = User.objects.members_of(channel.institution_id, MODERATOR_ROLES)
    if allowed.filter(pk__in=[user.pk for user in moderators]).count() != len(set(moderators)):
        raise ValueError(_("The moderation team may only hold the institution's moderators."))
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


def channels_apply_institution_times(
    *, institution: Institution, actor: User, previous: ResponseTimes
) -> int:
    """The institution changed its response times and asked to apply them to existing
    channels: those using its previous times take the new ones (a channel with a time of its
    own keeps it). Recorded in each channel's history; deadlines already set never move.
    Returns how many channels changed. Registered as an accounts hook (ChannelsConfig.ready)."""
    targets = {
        "response_hours": (previous.social_hours, institution.social_response_hours),
        "crisis_response_hours": (previous.crisis_hours, institution.crisis_response_hours),
    }
    reason = _("Response times of the institution settings applied.")
    changed = 0
    for channel in Channel.objects.for_institution(institution).select_for_update():
        fields = [
            field
            for field, (old, new) in targets.items()
            if old != new and getattr(channel, field) == old
        ]
        if not fields:
            continue
        for field in fields:
            setattr(channel, field, targets[field][1])
        channel._history_user = actor  # type: ignore[attr-defined]
        channel._change_reason = reason  # type: ignore[attr-defined]
        channel.save(update_fields=fields)
        changed += 1
    return changed


def channel_crisis_set(*, channel: Channel, actor: User, on: bool, reason: str) -> Channel:
    """Turn crisis mode on or off. Items received while it is on get the crisis response time
    (their deadline is set on arrival; switching never moves existing deadlines). Recorded in
    the channel's history with who, when and why."""
    if not reason.strip():
        raise ValueError(_("Say why crisis mode is switched."))
    with transaction.atomic():
        locked = Channel.objects.select_for_update().get(pk=channel.pk)
        if locked.crisis_mode == on:
            raise ValueError(
                _("Crisis mode is already on.") if on else _("Crisis mode is already off.")
            )
        locked.crisis_mode = on
        locked._history_user = actor  # type: ignore[attr-defined]
        locked._change_reason = reason.strip()[:100]  # type: ignore[attr-defined]
        locked.save(update_fields=["crisis_mode"])
    return locked


def moderator_leave_teams(institution: Institution, user: User, actor: User) -> int:
    """Take someone who no longer moderates here off every channel team of the institution.

    Each channel left gets a history row naming the person (the team itself is not versioned).
    Returns how many teams they left; none while they still hold a moderator role here.
    """
    if User.objects.members_of(institution, MODERATOR_ROLES).filter(pk=user.pk).exists():
        return 0
    channels = list(Channel.objects.for_institution(institution).filter(moderators=user))
    reason = (_("Left the moderation team: %(name)s") % {"name": user})[:100]
    for channel in channels:
        channel.moderators.remove(user)
        channel._history_user = actor  # type: ignore[attr-defined]
        channel._change_reason = reason  # type: ignore[attr-defined]
        channel.save()
    return len(channels)


def on_roles_withdrawn(
    sender: Any, *, institution: Institution, user: User, actor: User, **kwargs: Any
) -> None:
    """Receiver of ``accounts.services.members.roles_withdrawn``."""
    moderator_leave_teams(institution, user, actor)


def secret_summary(channel: Channel) -> dict[str, str]:
    """What the UI may show of the stored secrets."""
    return {
        "signing_secret": mask_secret(channel.signing_secret),
        "verify_token": mask_secret(channel.verify_token),
        "access_token": mask_secret(channel.access_token),
    }
