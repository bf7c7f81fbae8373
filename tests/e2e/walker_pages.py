"""Which pages the page walker opens, as whom, and at which address (read from the demo data).

The list of pages is the URL walker's (``govsocial/tests/test_url_access.py``): every URL name of
its EXPECTATIONS is either audited, for each demo role that may open it, or named in
``NOT_PAGES`` with the reason. The address of a page is built from the rows ``seed_demo``
creates: ``page_path`` fails (``Unresolved``) for a URL taking a parameter the walker cannot
find there, so a new page cannot escape the walker unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import get_resolver, reverse

from accounts.demo import INVITEE_EMAIL, demo_email
from accounts.models import ROLE_INCLUDES, Institution, OutgoingEmail, Role, User
from accounts.tenancy import ANY_MEMBER
from channels.models import Channel, ImportJob, WatchTerm
from charter.models import Charter
from complaints.models import Case, Correspondence, Recommendation, RoutingRule, Source, Team
from complaints.views.public import SESSION_KEY as SENT_SESSION_KEY
from govsocial.tests.test_url_access import EXPECTATIONS, Public, SignedIn, Tenant
from moderation.models import (
    Contest,
    Decision,
    DecisionStatement,
    Post,
    PostState,
    SensitiveAccount,
)
from webhooks.models import Delivery, Subscription

INSTITUTION = "defence"
"""The demo institution whose rows reach every page: a charter draft, two published versions of
the house rules, answer letters, an import, a pending invitation."""

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, *Role.values)
LANGUAGES = ("fr", "nl", "en")
WIDTHS = (375, 1280, 1920)
REFLOW_WIDTH = 320
PHONE_WIDTH = 375
PHONE_PAGES = ("moderation:queue", "moderation:item-detail")
"""Pages worked on a phone at night (the installable app): at PHONE_WIDTH every control must
also be within reach and large enough to tap (walker_targets.js)."""
"""WCAG 1.4.10's narrowest width: the document must not scroll sideways there either (measured
for overflow only; axe and screenshots at WIDTHS)."""

NOT_PAGES: dict[str, str] = {
    "healthz": "JSON status for monitors",
    "channels:hook-meta": "platform webhook (GET is Meta's handshake, answered in text/plain)",
    "channels:hook-generic": "platform webhook (POST)",
    "channels:hook-x": "platform webhook (GET is X's challenge-response check, JSON)",
    "reports:statements": "JSON Lines download (statements of reasons)",
    "complaints:attachment-download": "download of an uploaded file",
    "moderation:item-evidence": "JSON download of an evidence snapshot",
    "accounts:notification-unread-count": "htmx fragment polled by the navigation bar",
    "moderation:new-count": "htmx fragment polled by the queue page",
    "channels:import-progress": "htmx fragment polled by an import's page",
    "reports:ledger-index": "JSON of the ledger's daily digests, for outside verification",
    "reports:ledger-day": "JSON of one day's ledger entries, for outside verification",
    "reports:open-data-package": "JSON Data Package describing the open data files",
    "reports:open-data-schema": "JSON Schema of an open data file",
    "reports:open-data-file": "CSV or JSON open data download",
    "accounts:service-worker": "the service worker's script (JavaScript)",
    "accounts:web-manifest": "the installable app's manifest (JSON)",
}
POST_ONLY = "answers GET with 405: a form's target, audited on the page holding the form"

# allauth's pages that ours link to (its other flows are covered by accounts/tests). The account
# pages of the user menu are the same for every role but for the second factor: they are walked
# by a role without one (communicator) and a role that must use one (institution admin).
SIGN_IN_PAGES = ("account_login", "account_reset_password", "account_reset_password_done")
ACCOUNT_PAGES = ("mfa_index", "account_change_password", "account_email", "usersessions_list")
ACCOUNT_PAGE_ROLES = (Role.COMMUNICATOR, Role.INSTITUTION_ADMIN)

QUERIES = {"charter:version-diff": "?a=1&b=2"}  # the diff itself, not only the form


class Unresolved(LookupError):
    """The walker cannot build the address of a page from the demo data."""


@dataclass(frozen=True)
class Visit:
    name: str
    path: str
    status: int = 200


def why_not_a_page(name: str) -> str | None:
    expectation = EXPECTATIONS[name]
    if expectation.status == 405:
        return POST_ONLY
    return NOT_PAGES.get(name)


def may_open(role: str, name: str) -> bool:
    """Whether ``role`` opens page ``name`` (public pages are audited for anonymous visitors)."""
    expectation = EXPECTATIONS[name]
    if role == ANONYMOUS or isinstance(expectation, Public):
        return role == ANONYMOUS and isinstance(expectation, Public)
    if isinstance(expectation, SignedIn):
        return True
    assert isinstance(expectation, Tenant)
    held = {role} | ROLE_INCLUDES.get(role, frozenset())
    return ANY_MEMBER in expectation.roles or bool(held & expectation.roles)


def visits(role: str, institution: Institution) -> list[Visit]:
    """Every page ``role`` may open, with its address; ``Unresolved`` lists those without one."""
    names = [n for n in sorted(EXPECTATIONS) if why_not_a_page(n) is None and may_open(role, n)]
    found, unresolved = [], []
    for name in names:
        try:
            found.append(Visit(name, page_path(name, institution)))
        except Unresolved as error:
            unresolved.append(str(error))
    if unresolved:
        raise Unresolved("; ".join(unresolved))
    extra = {ANONYMOUS: SIGN_IN_PAGES} | dict.fromkeys(ACCOUNT_PAGE_ROLES, ACCOUNT_PAGES)
    allauth = [Visit(name, reverse(name)) for name in extra.get(role, ())]
    return found + allauth + error_pages(role, institution)


def error_pages(role: str, institution: Institution) -> list[Visit]:
    """The 404 page (public) and the 403 page (a member without the role)."""
    if role == ANONYMOUS:
        return [Visit("404", reverse("charter:public-list", args=["no-such-institution"]), 404)]
    if role == Role.COMMUNICATOR:
        path = reverse("accounts:member-list", kwargs={"institution_slug": institution.slug})
        return [Visit("403", path, 403)]
    return []


def page_path(name: str, institution: Institution) -> str:
    finders = {**PARAMETERS, **OVERRIDES.get(name, {})}
    values = {}
    for parameter in url_parameters(name):
        if parameter not in finders:
            raise Unresolved(f"{name}: no rule in walker_pages.PARAMETERS finds {parameter!r}")
        try:
            values[parameter] = finders[parameter](institution)
        except Unresolved as missing:
            raise Unresolved(f"{name}: {missing}") from None
    return reverse(name, kwargs=values) + QUERIES.get(name, "")


def url_parameters(name: str) -> list[str]:
    resolver = get_resolver()
    namespace, _, plain = name.rpartition(":")
    patterns = resolver.namespace_dict[namespace][1] if namespace else resolver
    return list(patterns.reverse_dict.getlist(plain)[0][0][0][1])


def _first(rows: QuerySet[Any], what: str) -> Any:
    row = rows.first()
    if row is None:
        raise Unresolved(f"the demo data has no {what}")
    return row


def _user_id(institution: Institution) -> str:
    email = demo_email(Role.COMMUNICATOR, institution.slug)
    return str(_first(User.objects.filter(email=email), email).public_id)


def _charter(institution: Institution, **lookups: object) -> str:
    rows = Charter.objects.for_institution(institution).filter(**lookups)
    return _first(rows, f"charter {lookups}").slug


def _case(institution: Institution) -> str:
    """The case opened from a harassment item: evidence, advice and a linked item."""
    rows = Case.objects.for_institution(institution).filter(
        items__isnull=False, evidence__isnull=False
    )
    return _first(rows, "complaint opened from an item").reference


def _item(institution: Institution) -> int:
    """The item marked as harassment: its page shows the evidence record."""
    rows = Decision.objects.for_institution(institution).filter(action="harassment")
    return _first(rows, "item marked as harassment").item_id


def _post(state: str) -> Callable[[Institution], int]:
    def find(institution: Institution) -> int:
        rows = Post.objects.for_institution(institution).filter(state=state)
        return _first(rows, f"post {state}").pk

    return find


def _letter(institution: Institution) -> Correspondence:
    return _first(Correspondence.objects.for_institution(institution), "letter")


def _invitation_token(institution: Institution) -> str:
    """Read from the invitation e-mail in the outbox, as the invitee would."""
    email = INVITEE_EMAIL.format(slug=institution.slug)
    mail = _first(OutgoingEmail.objects.filter(to_address=email), "invitation")
    match = re.search(rf"/invitations/{institution.slug}/([^/\s]+)/", mail.body_text)
    if match is None:
        raise Unresolved(f"no invitation link in the mail to {email}")
    return match.group(1)


def _tracking(institution: Institution) -> tuple[str, str]:
    """The demo's tracking link (reference, token), read from its e-mail as the complainant
    would."""
    mails = OutgoingEmail.objects.filter(
        about__startswith="complaints.case:", body_text__contains="/track/"
    )
    for mail in mails.order_by("-pk"):
        match = re.search(
            rf"/complaints/{institution.slug}/track/([^/\s]+)/([^/\s]+)/", mail.body_text
        )
        if match is not None:
            return match.group(1), match.group(2)
    raise Unresolved("no tracking link in the outbox")


def _contest(institution: Institution) -> str:
    """The reversed contest: its pages show the outcome."""
    rows = Contest.objects.for_institution(institution).filter(status="reversed")
    return _first(rows, "reversed contest").reference


def _decision_token(institution: Institution) -> str:
    """The page of the contest still open: its form is audited with the page."""
    rows = DecisionStatement.objects.for_institution(institution).filter(
        decision__contest__isnull=True
    )
    return _first(rows, "uncontested decision page").token


def _pk(model: Any, what: str) -> Callable[[Institution], int]:
    return lambda institution: _first(model.objects.for_institution(institution), what).pk


PARAMETERS: dict[str, Callable[[Institution], object]] = {
    "institution_slug": lambda institution: institution.slug,
    "user_id": _user_id,
    "charter_slug": lambda institution: _charter(institution, is_house_rules=True),
    "channel_id": _pk(Channel, "channel"),
    "job_id": _pk(ImportJob, "import"),
    "term_id": _pk(WatchTerm, "watch term"),
    "account_id": _pk(SensitiveAccount, "sensitive account"),
    "reference": _case,
    "item_id": _item,
    "post_id": _post(PostState.IN_REVIEW),
    "recommendation_id": _pk(Recommendation, "recommendation"),
    "team_id": _pk(Team, "team"),
    "rule_id": _pk(RoutingRule, "routing rule"),
    "kind": lambda institution: "answer",
    "language": lambda institution: "fr",
    "token": _invitation_token,
    "subscription_id": _pk(Subscription, "webhook subscription"),
    "outgoing_id": _pk(Delivery, "webhook delivery"),
}
OVERRIDES: dict[str, dict[str, Callable[[Institution], object]]] = {
    "charter:charter-acknowledge": {"charter_slug": lambda i: _charter(i, audience="staff")},
    "charter:acknowledgement-list": {"charter_slug": lambda i: _charter(i, audience="staff")},
    "moderation:post-edit": {"post_id": _post(PostState.DRAFT)},
    "complaints:tracking": {
        "reference": lambda i: _tracking(i)[0],
        "token": lambda i: _tracking(i)[1],
    },
    "moderation:contest-detail": {"reference": _contest},
    "moderation:decision-page": {"token": _decision_token},
    "complaints:letter-print": {
        "reference": lambda i: _letter(i).case.reference,
        "letter_id": lambda i: _letter(i).pk,
    },
}


def anonymous_session(institution: Institution) -> dict[str, str]:
    """What a visitor's session holds after sending the public complaint form (the page saying
    it was sent shows the reference kept there)."""
    rows = Case.objects.for_institution(institution).filter(source=Source.WEB_FORM)
    return {SENT_SESSION_KEY: _first(rows, "complaint from the public form").reference}
