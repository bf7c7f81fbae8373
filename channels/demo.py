"""Demo channels: the kinds of channels the seeds describe (their items: moderation.demo), and
one import of older comments per institution, with a row the import refused.

Webhook secrets of demo channels are all ``govsocial-demo-secret`` (DESIGN.md), so scripts can
sign test deliveries against a demo install. Idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Institution, Membership, Role, User
from channels.models import Channel, ImportJob
from channels.services.channels import channel_save
from channels.services.imports import import_create

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


# Comments answered on the platform before the institution used GovSocial, exported from the
# platform's own tool (semicolons, as Excel writes them in Belgium); the last row has no id.
IMPORT_FILE = (
    b"external_id;occurred_at;author_name;language;text\n"
    b"import-1;2026-01-12T09:30:00+01:00;Nadia B.;fr;Merci pour les informations sur le salon.\n"
    b"import-2;2026-01-12T10:05:00+01:00;Wout M.;nl;Komt er ook een sessie in Gent?\n"
    b";2026-01-12T11:40:00+01:00;Emma W.;en;Is the fair open on Sunday?\n"
)


@dataclass
class ChannelSeedReport:
    channels: int = 0
    imports: int = 0


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


def seed_imports() -> ChannelSeedReport:
    """A historic import on each institution's first channel, by its communicator (run once the
    item store is wired, like any import)."""
    report = ChannelSeedReport()
    for institution in Institution.objects.order_by("slug"):
        channel = Channel.objects.for_institution(institution).order_by("pk").first()
        communicator = User.objects.filter(email=f"communicator@{institution.slug}.demo").first()
        if channel is None or communicator is None:
            continue
        if ImportJob.objects.for_institution(institution).exists():
            continue
        import_create(
            channel=channel,
            actor=communicator,
            file_name="comments-january.csv",
            content=IMPORT_FILE,
            historic=True,
        )
        report.imports += 1
    return report
