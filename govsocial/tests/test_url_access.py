"""Every URL pattern of the project, walked as each kind of user (the Zulip/RTD gate).

A new URL fails ``test_every_url_pattern_has_an_expectation`` until it is added to EXPECTATIONS:
nobody can ship a page without stating who may see it. For each page the walker checks the
status per actor, and the security headers every response must carry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import ROLE_INCLUDES, Invitation, Role, User
from accounts.services.members import invitation_create
from accounts.tenancy import ANY_MEMBER
from api.services import token_create
from channels.connectors.base import ItemEvent, Verb
from channels.models import ImportJob, InboundDelivery, WatchTerm
from channels.tests.factories import ChannelFactory
from charter.selectors import rules_justifying
from charter.tests.factories import published_charter
from complaints.models import Correspondence, LegalHold, Recommendation, RoutingRule, Team
from complaints.services.evidence import attachment_add, snapshot_take
from complaints.tests.factories import register
from deadlines.engine import deadlines_check
from govsocial.ledger.digests import ledger_digests_publish
from moderation.models import Contest, PlatformAction, Post, SensitiveAccount
from moderation.services.contests import contest_open
from moderation.services.decisions import item_hide
from moderation.services.ingest import item_apply_event
from moderation.services.posts import PostDraft, post_create
from moderation.social_items import social_item
from webhooks.demo import seed_webhooks
from webhooks.models import Subscription

ADMIN = Role.INSTITUTION_ADMIN
EDITOR = Role.CHARTER_EDITOR


@dataclass(frozen=True)
class Public:
    """No login needed: everyone gets ``status``."""

    status: int = 200


@dataclass(frozen=True)
class SignedIn:
    """Any signed-in user; anonymous visitors are sent to the login page."""

    status: int = 200


@dataclass(frozen=True)
class Tenant:
    """An institution page: outsiders 404, members without one of ``roles`` 403."""

    roles: frozenset[str]
    status: int = 200


def tenant(*roles: str, status: int = 200) -> Tenant:
    return Tenant(frozenset(roles), status)


EXPECTATIONS: dict[str, Public | SignedIn | Tenant] = {
    "home": SignedIn(),
    "healthz": Public(),
    "deadlines-breached": tenant(ADMIN),
    "reports:dashboard": tenant(Role.COMMUNICATOR, Role.COMPLAINT_OFFICER, ADMIN),
    "reports:monthly": tenant(Role.COMMUNICATOR, Role.COMPLAINT_OFFICER, ADMIN),
    "reports:statements": tenant(ADMIN),
    "reports:transparency": Public(),
    "reports:ledger-index": Public(),
    "reports:ledger-day": Public(),  # the walker's day is published (url_kwargs)
    "reports:open-data": Public(),
    "reports:open-data-package": Public(),
    "reports:open-data-schema": Public(),
    "reports:open-data-file": Public(),
    "webhooks:subscription-list": tenant(ADMIN),
    "webhooks:subscription-create": tenant(ADMIN),
    "webhooks:subscription-edit": tenant(ADMIN),
    "webhooks:subscription-rotate": tenant(ADMIN, status=405),
    "webhooks:subscription-delete": tenant(ADMIN, status=405),
    "webhooks:delivery-list": tenant(ADMIN),
    "webhooks:delivery-detail": tenant(ADMIN),
    "webhooks:delivery-redeliver": tenant(ADMIN, status=405),
    "channels:channel-crisis": tenant(ADMIN, Role.SPOKESPERSON, status=405),
    "channels:channel-token-check": tenant(ADMIN, status=405),
    "accounts:institution-detail": tenant(ANY_MEMBER),
    "accounts:institution-settings": tenant(ADMIN),
    "accounts:member-list": tenant(ADMIN),
    "api:tokens": tenant(ADMIN),
    "api:token-revoke": tenant(ADMIN, status=405),
    "accounts:member-invite": tenant(ADMIN),
    "accounts:member-edit": tenant(ADMIN),
    "accounts:member-deactivate": tenant(ADMIN, status=405),
    "accounts:member-reactivate": tenant(ADMIN, status=405),
    "accounts:invitation-revoke": tenant(ADMIN, status=405),
    "accounts:invitation-resend": tenant(ADMIN, status=405),
    "accounts:invitation-accept": Public(status=404),  # the walker's token is not a real one
    "accounts:notification-list": SignedIn(),
    "accounts:notification-unread-count": SignedIn(),
    "accounts:notification-read-all": SignedIn(status=405),
    "accounts:notification-read": SignedIn(status=405),
    "accounts:profile-edit": SignedIn(),
    "accounts:push-devices": SignedIn(),
    "accounts:push-device-subscribe": SignedIn(status=405),
    "accounts:push-device-unsubscribe": SignedIn(status=405),
    "accounts:push-device-test": SignedIn(status=405),
    "accounts:push-device-remove": SignedIn(status=405),
    "accounts:service-worker": Public(),
    "accounts:web-manifest": Public(),
    "accounts:offline": Public(),
    "accounts:language-set": Public(status=405),
    "accounts:public-accessibility": Public(),
    "accounts:public-privacy": Public(),
    "accounts:public-contact": Public(),
    "charter:charter-list": tenant(EDITOR, ADMIN),
    "charter:charter-create": tenant(EDITOR, ADMIN),
    "charter:draft-preview": tenant(EDITOR, ADMIN, status=405),
    "charter:charter-detail": tenant(EDITOR, ADMIN),
    "charter:draft-start": tenant(EDITOR, ADMIN, status=405),
    "charter:charter-make-house-rules": tenant(EDITOR, ADMIN, status=405),
    "charter:draft-edit": tenant(EDITOR, ADMIN),
    "charter:version-publish": tenant(EDITOR, ADMIN),
    "charter:version-diff": tenant(EDITOR, ADMIN),
    "charter:charter-acknowledge": tenant(ANY_MEMBER),
    "charter:acknowledgement-list": tenant(ADMIN),
    "charter:public-list": Public(),
    "charter:public-detail": Public(),
    "channels:hook-meta": Public(status=403),  # a GET without the handshake parameters
    "channels:hook-generic": Public(status=405),
    "channels:hook-x": Public(status=403),  # a GET without a crc_token
    "channels:channel-list": tenant(ANY_MEMBER),
    "channels:channel-create": tenant(ADMIN),
    "channels:channel-edit": tenant(ADMIN),
    "channels:delivery-list": tenant(ADMIN),
    "channels:delivery-reprocess": tenant(ADMIN, status=405),
    "channels:watch-list": tenant(ADMIN),
    "channels:watch-edit": tenant(ADMIN),
    "channels:import-list": tenant(Role.COMMUNICATOR, ADMIN),
    "channels:import-detail": tenant(Role.COMMUNICATOR, ADMIN),
    "channels:import-progress": tenant(Role.COMMUNICATOR, ADMIN),
    "moderation:queue": tenant(Role.COMMUNICATOR),
    "moderation:new-count": tenant(Role.COMMUNICATOR),
    "moderation:bulk": tenant(Role.COMMUNICATOR, status=405),
    "moderation:saved-replies": tenant(Role.COMMUNICATOR, ADMIN),
    "moderation:duty": tenant(Role.COMMUNICATOR, ADMIN),
    "moderation:duty-toggle": tenant(Role.COMMUNICATOR, status=405),
    "moderation:handover": tenant(Role.COMMUNICATOR),
    "moderation:ladder": tenant(ADMIN),
    "moderation:removal-approvals": tenant(Role.COMMUNICATOR, ADMIN),
    "moderation:sensitive-accounts": tenant(ADMIN),
    "moderation:sensitive-account-edit": tenant(ADMIN),
    "moderation:item-detail": tenant(Role.COMMUNICATOR),
    "moderation:item-action": tenant(Role.COMMUNICATOR, status=405),
    "moderation:item-evidence": tenant(Role.COMMUNICATOR),
    "moderation:platform-to-do": tenant(Role.COMMUNICATOR, ADMIN),
    "moderation:platform-to-do-done": tenant(Role.COMMUNICATOR, ADMIN, status=405),
    "moderation:contest-list": tenant(Role.COMMUNICATOR, ADMIN),
    "moderation:contest-detail": tenant(Role.COMMUNICATOR, ADMIN),
    "moderation:contest-decide": tenant(Role.COMMUNICATOR, status=405),
    "moderation:decision-page": Public(),
    "moderation:decision-contest": Public(status=405),
    "moderation:post-list": tenant(Role.COMMUNICATOR, ADMIN),
    "moderation:post-create": tenant(Role.COMMUNICATOR),
    "moderation:post-calendar": tenant(Role.COMMUNICATOR, ADMIN),
    "moderation:post-detail": tenant(Role.COMMUNICATOR, ADMIN),
    "moderation:post-edit": tenant(Role.COMMUNICATOR),
    "moderation:post-action": tenant(Role.COMMUNICATOR, status=405),
    "complaints:public-form": Public(),
    "complaints:public-sent": Public(status=302),  # nothing sent in this session yet
    "complaints:case-list": tenant(Role.COMPLAINT_OFFICER),
    "complaints:case-create": tenant(Role.COMPLAINT_OFFICER),
    "complaints:case-detail": tenant(Role.COMPLAINT_OFFICER),
    "complaints:case-action": tenant(Role.COMPLAINT_OFFICER, status=405),
    "complaints:case-reroute": tenant(Role.COMPLAINT_OFFICER, status=405),
    "complaints:personal-data-export": tenant(Role.COMPLAINT_OFFICER, status=405),
    "complaints:personal-data-erase": tenant(Role.COMPLAINT_OFFICER, status=405),
    "complaints:routing": tenant(ADMIN),
    "complaints:category-list": tenant(ADMIN),
    "complaints:template-list": tenant(Role.COMPLAINT_OFFICER, ADMIN),
    "complaints:analysis": tenant(Role.COMPLAINT_OFFICER),
    "complaints:recommendation-list": tenant(Role.COMPLAINT_OFFICER),
    "complaints:recommendation-edit": tenant(Role.COMPLAINT_OFFICER),
    "complaints:template-edit": tenant(Role.COMPLAINT_OFFICER, ADMIN),
    "complaints:note-create": tenant(Role.COMPLAINT_OFFICER, status=405),
    "complaints:attachment-upload": tenant(Role.COMPLAINT_OFFICER, status=405),
    "complaints:attachment-download": tenant(Role.COMPLAINT_OFFICER),
    "complaints:evidence-download": tenant(Role.COMPLAINT_OFFICER, status=405),
    "complaints:evidence-capture": tenant(Role.COMPLAINT_OFFICER, status=405),
    "complaints:advice-check": tenant(Role.COMPLAINT_OFFICER, status=405),
    "complaints:referral": tenant(Role.COMPLAINT_OFFICER, status=405),
    "complaints:letter-compose": tenant(Role.COMPLAINT_OFFICER),
    "complaints:letter-print": tenant(Role.COMPLAINT_OFFICER),
    "complaints:rule-edit": tenant(ADMIN),
    "complaints:rule-move": tenant(ADMIN, status=405),
    "complaints:team-edit": tenant(ADMIN),
    "complaints:tracking": Public(status=404),  # the walker's token is not the case's
    "complaints:tracking-renew": Public(status=405),
    "complaints:tracking-rotate": tenant(Role.COMPLAINT_OFFICER, status=405),
    "complaints:hold-list": tenant(Role.COMPLAINT_OFFICER, ADMIN),
    "complaints:hold-lift": tenant(Role.COMPLAINT_OFFICER, ADMIN, status=405),
}

# Pages about the staff charter take its slug; every other charter page takes the house rules'.
KWARG_OVERRIDES = {
    "charter:charter-acknowledge": {"charter_slug": "staff-charter"},
    "charter:acknowledgement-list": {"charter_slug": "staff-charter"},
    "channels:hook-meta": {"channel_id": "webhook_id"},
    "channels:hook-generic": {"channel_id": "webhook_id"},
    "channels:hook-x": {"channel_id": "webhook_id"},
    "moderation:contest-detail": {"reference": "contest_reference"},
    "moderation:contest-decide": {"reference": "contest_reference"},
    "moderation:decision-page": {"token": "decision_token"},
    "moderation:decision-contest": {"token": "decision_token"},
}

# Third-party URL groups, each covered by its own tests (allauth's flows in accounts/tests), and
# the REST API, which a token opens, not a session: api/tests/test_walk.py walks every endpoint
# (no token, no scope, another institution's token, the scope) and fails on an unlisted one.
THIRD_PARTY_PREFIXES = ("admin:", "account_", "mfa_", "usersessions_", "headless", "api-v1:")


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def is_third_party(name: str) -> bool:
    return name.startswith(THIRD_PARTY_PREFIXES)


def test_every_url_pattern_has_an_expectation() -> None:
    missing = sorted({n for n in url_names() if n not in EXPECTATIONS and not is_third_party(n)})
    assert missing == [], f"Add these URL names to EXPECTATIONS: {missing}"


def test_every_url_pattern_has_a_name() -> None:
    """Unnamed patterns would escape the walker."""

    def unnamed(resolver: URLResolver) -> Iterator[str]:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if not (pattern.namespace or "").startswith("admin"):
                    yield from unnamed(pattern)
            elif not pattern.name:
                yield str(pattern.pattern)

    assert list(unnamed(get_resolver())) == []


@pytest.fixture
def url_kwargs(defence, defence_admin, defence_communicator) -> dict[str, str]:
    invitation = invitation_create(
        institution=defence,
        actor=defence_admin,
        email="new@defence.test",
        roles=[Role.CHARTER_EDITOR],
    )
    published_charter(defence, defence_admin, slug="staff-charter", audience="staff")
    published_charter(defence, defence_admin, slug="house-rules", audience="public", draft=True)
    channel = ChannelFactory(institution=defence)
    delivery = InboundDelivery.objects.create(
        institution=defence, channel=channel, source="generic", body=b"{}", body_sha256="0" * 64
    )
    case = register(defence)
    deadlines_check()  # a recent run keeps /healthz at 200
    ledger_digests_publish(now=timezone.now() + timedelta(days=2))  # today's digest, published
    item = item_apply_event(channel=channel, event=ItemEvent(external_id="w", verb=Verb.CREATE))
    contest = contested_hide(channel, defence_communicator)
    seed_webhooks()  # an (inactive) subscription with a delivery in each institution
    subscription = Subscription.objects.get(institution=defence)
    return {
        "subscription_id": str(subscription.pk),
        "outgoing_id": str(subscription.deliveries.get().pk),
        "dataset": "statements",
        "fmt": "json",
        "contest_reference": contest.reference,
        "decision_token": contest.decision.statement.token,
        "channel_id": str(channel.pk),
        "webhook_id": str(channel.webhook_id),
        "delivery_id": str(delivery.pk),
        "job_id": str(
            ImportJob.objects.create(
                institution=defence,
                channel=channel,
                uploaded_by=defence_communicator,
                file_name="export.csv",
                file_format="csv",
                content=b"external_id\n",
            ).pk
        ),
        "reference": case.reference,
        "attachment_id": str(
            attachment_add(
                case=case,
                actor=defence_admin,
                upload=SimpleUploadedFile("note.txt", b"walker"),
            ).pk
        ),
        "item_id": str(item.pk),
        "action_id": str(
            PlatformAction.objects.create(
                institution=defence,
                channel=channel,
                kind=PlatformAction.Kind.PUBLISH,
                post=Post.objects.create(
                    institution=defence,
                    channel=channel,
                    title="Published by hand",
                    planned_at=timezone.now(),
                    author=defence_communicator,
                    state="approved",
                ),
                state=PlatformAction.State.MANUAL,
            ).pk
        ),
        "snapshot_id": str(snapshot_take(item=social_item(item), actor=defence_admin).pk),
        "post_id": str(
            post_create(
                institution=defence,
                author=defence_communicator,
                draft=PostDraft(
                    channel=channel,
                    title="Walker",
                    planned_at=timezone.now(),
                    sensitive=False,
                    texts={"fr": "Bonjour"},
                ),
            ).pk
        ),
        "letter_id": str(
            Correspondence.objects.create(
                institution=defence,
                case=case,
                kind="answer",
                channel="letter",
                subject="s",
                body="b",
            ).pk
        ),
        "hold_id": str(
            LegalHold.objects.create(
                institution=defence, case=case, reason="walker", placed_by=defence_admin
            ).pk
        ),
        "action": "start",
        "direction": "up",
        "kind": "acknowledgement",
        "recommendation_id": str(
            Recommendation.objects.create(
                institution=defence, title="t", body="b", created_by=defence_admin
            ).pk
        ),
        "language": "nl",
        "team_id": str(Team.objects.create(institution=defence, name="Second line").pk),
        "rule_id": str(
            RoutingRule.objects.create(
                institution=defence, name="Everything", team=Team.objects.get(name="Second line")
            ).pk
        ),
        "term_id": str(WatchTerm.objects.create(institution=defence, term="défense").pk),
        "account_id": str(
            SensitiveAccount.objects.create(
                institution=defence, platform="x", handle="@walker", category="journalist"
            ).pk
        ),
        "institution_slug": defence.slug,
        "user_id": str(defence_communicator.public_id),
        "invitation_id": str(invitation.public_id),
        "notification_id": str(uuid.uuid4()),
        "device_id": str(uuid.uuid4()),
        "token_id": str(
            token_create(
                institution=defence,
                actor=defence_admin,
                name="Walker",
                scopes=["items:read"],
                expires_at=timezone.now() + timedelta(days=30),
            ).token.pk
        ),
        "token": "not-a-real-token",
        "charter_slug": "house-rules",
        "day": timezone.localdate(timezone.now(), defence.zone).isoformat(),
    }


def contested_hide(channel, moderator: User) -> Contest:
    """A hidden item of ``channel``, its decision page and a contest of it."""
    item = item_apply_event(channel=channel, event=ItemEvent(external_id="h", verb=Verb.CREATE))
    rule = rules_justifying(channel.institution, "hide").first()
    hidden = item_hide(item=item, actor=moderator, rule=rule, reasons="Spam.").decision
    return contest_open(
        statement=hidden.statement, explanation="Not spam.", contact_email="", language="fr"
    )


def build_url(name: str, available: dict[str, str]) -> str:
    overrides = KWARG_OVERRIDES.get(name, {})
    available = {
        **available,
        **{key: available[value] for key, value in overrides.items() if value in available},
        **{key: value for key, value in overrides.items() if value not in available},
    }
    resolver = get_resolver()
    namespace, _, plain = name.rpartition(":")
    patterns = resolver.namespace_dict[namespace][1] if namespace else resolver
    possibilities = patterns.reverse_dict.getlist(plain)
    params = possibilities[0][0][0][1]
    return reverse(name, kwargs={param: available[param] for param in params})


def assert_security_headers(response, *, signed_in: bool) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp, (response.request["PATH_INFO"], csp)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    if signed_in:
        cache_control = response.headers.get("Cache-Control", "")
        if "ETag" in response.headers:  # a poll (govsocial.polling): the browser alone may keep it
            assert "private" in cache_control
            assert "no-cache" in cache_control
        else:
            assert "no-store" in cache_control


def signed_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


OUR_URLS = sorted(EXPECTATIONS)


@pytest.mark.parametrize("name", OUR_URLS)
def test_anonymous_visitor(name: str, url_kwargs: dict[str, str], client: Client) -> None:
    expectation = EXPECTATIONS[name]
    response = client.get(build_url(name, url_kwargs))
    assert_security_headers(response, signed_in=False)
    if isinstance(expectation, Public):
        assert response.status_code == expectation.status
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", OUR_URLS)
def test_outsider(name: str, url_kwargs: dict[str, str], police_communicator: User) -> None:
    expectation = EXPECTATIONS[name]
    client = signed_in_client(police_communicator)
    response = client.get(build_url(name, url_kwargs))
    assert_security_headers(response, signed_in=True)
    if isinstance(expectation, Tenant):
        assert response.status_code == 404
        missing = client.get(build_url(name, {**url_kwargs, "institution_slug": "no-such-place"}))
        assert missing.status_code == 404
        assert [t.name for t in response.templates] == [t.name for t in missing.templates]
    else:
        assert response.status_code == expectation.status


@pytest.fixture
def defence_personas(defence, defence_admin: User) -> dict[str, User]:
    """One Defence member per role (each holding only that role)."""
    from accounts.tests.factories import member
    from conftest import enrol_totp

    personas = {role: member(defence, role) for role in Role.values if role != ADMIN}
    enrol_totp(personas[Role.COMPLAINT_OFFICER])  # a role that must use MFA
    return {**personas, ADMIN: defence_admin}


ROLE_RESTRICTED_URLS = [
    n for n, e in EXPECTATIONS.items() if isinstance(e, Tenant) and ANY_MEMBER not in e.roles
]


@pytest.mark.parametrize("name", ROLE_RESTRICTED_URLS)
def test_members_without_the_role_get_403(
    name: str, url_kwargs: dict[str, str], defence_personas: dict[str, User]
) -> None:
    expectation = EXPECTATIONS[name]
    assert isinstance(expectation, Tenant)
    url = build_url(name, url_kwargs)
    granting = set(expectation.roles) | {
        role for role, included in ROLE_INCLUDES.items() if included & expectation.roles
    }
    for role, user in defence_personas.items():
        if role in granting:
            continue
        response = signed_in_client(user).get(url)
        assert_security_headers(response, signed_in=True)
        assert response.status_code == 403, (role, response.status_code)


@pytest.mark.parametrize("name", OUR_URLS)
def test_members_with_the_role(
    name: str, url_kwargs: dict[str, str], defence_personas: dict[str, User]
) -> None:
    expectation = EXPECTATIONS[name]
    if isinstance(expectation, Tenant) and ANY_MEMBER not in expectation.roles:
        holders = [defence_personas[role] for role in expectation.roles]
    else:
        holders = list(defence_personas.values())
    for user in holders:
        response = signed_in_client(user).get(build_url(name, url_kwargs))
        assert_security_headers(response, signed_in=True)
        assert response.status_code == expectation.status, (user.email, response.status_code)


def test_outsider_cannot_reach_another_institutions_member_page(
    url_kwargs: dict[str, str], police_communicator: User, police, defence_communicator: User
) -> None:
    """Object-level scoping: a Defence member's id under the Police URL is a 404 too."""
    from accounts.tests.factories import member

    police_admin = member(police, ADMIN)
    from conftest import enrol_totp

    enrol_totp(police_admin)
    url = reverse(
        "accounts:member-edit",
        kwargs={"institution_slug": police.slug, "user_id": defence_communicator.public_id},
    )
    assert signed_in_client(police_admin).get(url).status_code == 404


def test_invitation_of_one_institution_is_refused_under_another(
    defence, police, defence_admin: User, client: Client
) -> None:
    from accounts.services import members

    invitation = invitation_create(
        institution=defence, actor=defence_admin, email="x@defence.test", roles=[Role.COMMUNICATOR]
    )
    token = "known-token"
    invitation.token_hash = members._hash_token(token)
    invitation.save()
    wrong = reverse(
        "accounts:invitation-accept", kwargs={"institution_slug": police.slug, "token": token}
    )
    right = reverse(
        "accounts:invitation-accept", kwargs={"institution_slug": defence.slug, "token": token}
    )
    assert client.get(wrong).status_code == 404
    assert client.get(right).status_code == 200
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
