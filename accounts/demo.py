"""Demo institutions and accounts: a contract (DESIGN.md) that scripts and tests log in with.

Idempotent: running it again creates nothing and changes nothing that exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import MFA_ROLES, Institution, Invitation, Membership, Role, User
from accounts.public_details import Ombudsman
from accounts.services.members import invitation_create

DEMO_PASSWORD = "govsocial-demo"  # noqa: S105  (documented demo credential)
DEMO_TOTP_SECRET = "GOVSOCIALDEMOTOTPSECRET2345672AB"  # noqa: S105
MULTI_USER_EMAIL = "multi@govsocial.demo"
MULTI_USER_INSTITUTIONS = ("defence", "foreign-affairs")
INVITEE_EMAIL = "new.colleague@{slug}.demo"
"""A pending invitation per institution: its link is in the outbox mail (``var/mail/`` under
``make run``), as an invitee would receive it."""


@dataclass(frozen=True)
class DemoInstitution:
    slug: str
    name_fr: str
    name_nl: str
    name_en: str
    default_language: str
    ombudsman: str = Ombudsman.FEDERAL


INSTITUTIONS = (
    DemoInstitution("defence", "Défense", "Defensie", "Defence", "nl"),
    DemoInstitution(
        "foreign-affairs",
        "SPF Affaires étrangères",
        "FOD Buitenlandse Zaken",
        "FPS Foreign Affairs",
        "fr",
    ),
    DemoInstitution(
        "federal-police", "Police fédérale", "Federale Politie", "Federal Police", "nl"
    ),
    DemoInstitution("bosa", "SPF BOSA (Selor)", "FOD BOSA (Selor)", "FPS BOSA (Selor)", "fr"),
    DemoInstitution(
        "cirb",
        "Centre d'informatique pour la Région bruxelloise",
        "Centrum voor Informatica voor het Brussels Gewest",
        "Brussels Regional Informatics Centre",
        "fr",
        Ombudsman.BRUSSELS,  # a regional body: the Brussels ombudsman hears its complaints
    ),
)

# Who speaks what, so that later routing by language has something to route on: like the
# Defence team of the seeds, French and Dutch speakers side by side.
ROLE_LANGUAGES: dict[str, list[str]] = {
    Role.COMMUNICATOR: ["fr", "en"],
    Role.SPOKESPERSON: ["nl", "fr", "en"],
    Role.COMPLAINT_OFFICER: ["nl", "en"],
    Role.CHARTER_EDITOR: ["fr", "nl"],
    Role.INSTITUTION_ADMIN: ["fr", "nl", "en"],
}


@dataclass
class SeedReport:
    institutions: int = 0
    users: int = 0
    memberships: int = 0
    authenticators: int = 0


def demo_email(role: str, slug: str) -> str:
    return f"{role}@{slug}.demo"


@transaction.atomic
def seed_accounts() -> SeedReport:
    report = SeedReport()
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 costs ~0.4 s a call
    for spec in INSTITUTIONS:
        institution = _institution(spec, report)
        for role in Role.values:
            name = f"{Role(role).label} ({spec.name_en})"
            user = _user(
                demo_email(role, spec.slug),
                name,
                spec.default_language,
                ROLE_LANGUAGES[role],
                password_hash,
                report,
            )
            _membership(institution, user, role, report)
            if role in MFA_ROLES:
                _enrol_totp(user, report)
    multi = _user(
        MULTI_USER_EMAIL, "Multi Institution", "fr", ["fr", "nl", "en"], password_hash, report
    )
    for slug in MULTI_USER_INSTITUTIONS:
        _membership(Institution.objects.get(slug=slug), multi, Role.COMMUNICATOR, report)
    return report


def _institution(spec: DemoInstitution, report: SeedReport) -> Institution:
    institution, created = Institution.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "name_fr": spec.name_fr,
            "name_nl": spec.name_nl,
            "name_en": spec.name_en,
            "default_language": spec.default_language,
        },
    )
    report.institutions += created
    _public_details(institution, spec)
    return institution


STATEMENT_PREPARED = date(2026, 1, 15)


def _public_details(institution: Institution, spec: DemoInstitution) -> None:
    """Demo contact addresses (``.demo``, like the accounts) and the accessibility statement's
    facts, set once: an institution that has any of these addresses keeps all its values."""
    details = {
        "contact_email": f"contact@{spec.slug}.demo",
        "dpo_email": f"dpo@{spec.slug}.demo",
        "accessibility_email": f"accessibility@{spec.slug}.demo",
        "accessibility_prepared_on": STATEMENT_PREPARED,
        "accessibility_ombudsman": spec.ombudsman,
    }
    if institution.contact_email or institution.dpo_email or institution.accessibility_email:
        return
    for name, value in details.items():
        setattr(institution, name, value)
    institution.save(update_fields=list(details))


def _user(
    email: str,
    full_name: str,
    language: str,
    spoken: list[str],
    password_hash: str,
    report: SeedReport,
) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "full_name": full_name,
            "preferred_language": language,
            "spoken_languages": spoken,
            "password": password_hash,
        },
    )
    if created:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        report.users += 1
    return user


def _membership(institution: Institution, user: User, role: str, report: SeedReport) -> None:
    _, created = Membership.objects.get_or_create(institution=institution, user=user, role=role)
    report.memberships += created


def _enrol_totp(user: User, report: SeedReport) -> None:
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return
    TOTP.activate(user, DEMO_TOTP_SECRET)
    RecoveryCodes.activate(user)
    report.authenticators += 1


def seed_invitations() -> int:
    """Each institution's admin invites a new communicator who has not answered yet."""
    created = 0
    for spec in INSTITUTIONS:
        institution = Institution.objects.get(slug=spec.slug)
        email = INVITEE_EMAIL.format(slug=spec.slug)
        if Invitation.objects.for_institution(institution).filter(email=email).exists():
            continue
        admin = User.objects.get(email=demo_email(Role.INSTITUTION_ADMIN, spec.slug))
        invitation_create(
            institution=institution, actor=admin, email=email, roles=[Role.COMMUNICATOR]
        )
        created += 1
    return created
