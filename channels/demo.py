"""Demo channels: the kinds of channels the seeds describe (their items: moderation.demo).

Webhook secrets of demo channels are all ``govsocial-demo-secret`` (DESIGN.md), so scripts can
sign test deliveries against a demo install. Idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Institution, Membership, Role, User
from channels.models import Channel
from channels.services.channels import channel_save

DEMO_SECRET = "govsocial-demo-secret"  # noqa: S105  (documented demo credential)

# (platform, name, handle, audience, languages)
CHANNELS = {
    "defence": [
        ("facebook", "Belgian Defence", "BelgianDefence", "public", ["nl", "fr"]),
        ("facebook", "Composante Terre / Landcomponent", "landcomponent", "public", ["fr", "nl"]),
        ("youtube", "Canal Défense", "canaldefense", "public", ["fr", "nl"]),
        ("website", "Extranet Défense", "extranet", "staff", ["fr", "nl"]),
    ],
    "foreign-affairs": [
        ("facebook", "Diplomatie.Belgium", "diplomatie.belgium", "public", ["fr", "nl", "en"]),
        ("x", "Belgium MFA", "@BelgiumMFA", "public", ["en", "fr", "nl"]),
        ("youtube", "Diplomatie Belgium", "diplomatiebelgium", "public", ["fr", "nl"]),
        ("facebook", "Embassy of Belgium in Kinshasa", "belgiumkinshasa", "public", ["fr"]),
    ],
    "federal-police": [
        ("facebook", "Police fédérale - personnel", "polfed.staff", "staff", ["nl", "fr"]),
        ("x", "Federale Politie intern", "@polfed_intern", "staff", ["nl", "fr"]),
        ("x", "Police fédérale presse", "@polfed_presse", "press", ["fr", "nl"]),
    ],
    "bosa": [
        ("facebook", "Selor", "selor.be", "public", ["nl", "fr"]),
        ("linkedin", "Selor", "selor", "public", ["nl", "fr", "en"]),
        ("instagram", "Selor", "@selor_be", "public", ["nl", "fr"]),
        ("viva_engage", "BOSA intern", "bosa-intern", "staff", ["nl", "fr"]),
    ],
    "cirb": [
        ("facebook", "CIRB-CIBG", "CirbCibg", "public", ["fr", "nl"]),
        ("x", "CIRB-CIBG", "@CIRB_CIBG", "public", ["fr", "nl", "en"]),
        ("mastodon", "CIRB-CIBG", "@cirb@social.brussels", "public", ["fr", "nl"]),
    ],
}


@dataclass
class ChannelSeedReport:
    channels: int = 0


def seed_channels() -> ChannelSeedReport:
    report = ChannelSeedReport()
    for institution in Institution.objects.filter(slug__in=CHANNELS):
        team = _team(institution)
        admin = User.objects.filter(email=f"institution_admin@{institution.slug}.demo").first()
        for platform, name, handle, audience, languages in CHANNELS[institution.slug]:
            if Channel.objects.filter(institution=institution, handle=handle).exists():
                continue
            channel = Channel(
                institution=institution,
                platform=platform,
                name=name,
                handle=handle,
                audience=audience,
                languages=languages,
                response_hours=institution.social_response_hours,
                crisis_response_hours=institution.crisis_response_hours,
                purpose="Information and dialogue with the public."
                if audience == "public"
                else "Internal communication with staff.",
            )
            channel_save(
                channel=channel,
                actor=admin or team[0],
                moderators=team,
                signing_secret=DEMO_SECRET,
                verify_token=DEMO_SECRET,
            )
            report.channels += 1
    return report


def _team(institution: Institution) -> list[User]:
    roles = (Role.COMMUNICATOR, Role.SPOKESPERSON)
    user_ids = (
        Membership.objects.for_institution(institution)
        .active()
        .filter(role__in=roles)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=user_ids))
