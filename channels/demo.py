"""Demo channels: the kinds of channels the seeds describe (their items: moderation.demo), and
one import of older comments per institution, with a row the import refused.

Webhook secrets of demo channels are all ``govsocial-demo-secret`` (DESIGN.md), so scripts can
sign test deliveries against a demo install. Facebook and Instagram demo channels have a
(fictional) numeric page or account id as handle and the access token ``DEMO_PAGE_TOKEN``: with
``make run`` their actions go to the platform sandbox (docs/platforms.md). Idempotent: a channel
is known by its institution, platform and name, and an older demo channel of a Meta platform
gets its page id and token.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Institution, Membership, Role, User
from channels.models import Channel, ImportJob
from channels.services.channels import channel_save
from channels.services.imports import import_create

DEMO_SECRET = "govsocial-demo-secret"  # noqa: S105  (documented demo credential)
DEMO_PAGE_TOKEN = "govsocial-demo-page-token"  # noqa: S105  (the sandbox accepts any token)
META_PLATFORMS = ("facebook", "instagram")

# (platform, name, handle, audience, languages)
CHANNELS = {
    "defence": [
        ("facebook", "Belgian Defence", "100000000000101", "public", ["nl", "fr"]),
        ("facebook", "Composante Terre / Landcomponent", "100000000000102", "public", ["fr", "nl"]),
        ("youtube", "Canal Défense", "canaldefense", "public", ["fr", "nl"]),
        ("website", "Extranet Défense", "extranet", "staff", ["fr", "nl"]),
    ],
    "foreign-affairs": [
        ("facebook", "Diplomatie.Belgium", "100000000000201", "public", ["fr", "nl", "en"]),
        ("x", "Belgium MFA", "@BelgiumMFA", "public", ["en", "fr", "nl"]),
        ("youtube", "Diplomatie Belgium", "diplomatiebelgium", "public", ["fr", "nl"]),
        ("facebook", "Embassy of Belgium in Kinshasa", "100000000000202", "public", ["fr"]),
    ],
    "federal-police": [
        ("facebook", "Police fédérale - personnel", "100000000000301", "staff", ["nl", "fr"]),
        ("x", "Federale Politie intern", "@polfed_intern", "staff", ["nl", "fr"]),
        ("x", "Police fédérale presse", "@polfed_presse", "press", ["fr", "nl"]),
    ],
    "bosa": [
        ("facebook", "Selor", "100000000000401", "public", ["nl", "fr"]),
        ("linkedin", "Selor", "selor", "public", ["nl", "fr", "en"]),
        ("instagram", "Selor", "17841400000000401", "public", ["nl", "fr"]),
        ("viva_engage", "BOSA intern", "bosa-intern", "staff", ["nl", "fr"]),
    ],
    "cirb": [
        ("facebook", "CIRB-CIBG", "100000000000501", "public", ["fr", "nl"]),
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
            known = Channel.objects.filter(institution=institution, platform=platform, name=name)
            if known.exists():
                _connect_meta(known, handle)
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
                access_token=DEMO_PAGE_TOKEN if platform in META_PLATFORMS else "",
            )
            report.channels += 1
    return report


def _connect_meta(known: QuerySet[Channel], page_id: str) -> None:
    """A demo channel seeded before Meta's connectors: give it its page id and token."""
    for channel in known.filter(platform__in=META_PLATFORMS, access_token_encrypted=""):
        channel.handle = page_id
        channel.access_token = DEMO_PAGE_TOKEN
        channel.save(update_fields=["handle", "access_token_encrypted"])


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
