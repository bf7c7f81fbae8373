"""seed_demo creates the documented demo accounts, and nothing more when run again.

The tests read the demo through ``demo_db``: what seed_demo made once in this test process, put
back as it was (conftest.py, tests/demo_snapshot.py), which saves a 20 s seed per test. Running
seed_demo again on it, and under a travelled clock, still calls the command itself.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, INSTITUTIONS
from accounts.models import Institution, Membership, Role, User
from conftest import totp_code

pytestmark = pytest.mark.django_db


def row_counts() -> tuple[int, ...]:
    return (
        Institution.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Authenticator.objects.count(),
    )


def test_seed_demo_twice_creates_nothing_new(demo_db: None) -> None:
    first = row_counts()
    call_command("seed_demo")
    assert row_counts() == first
    assert first[:3] == (len(INSTITUTIONS), 5 * len(Role.values) + 1, 5 * len(Role.values) + 2)


def test_every_documented_account_exists_with_its_role(demo_db: None) -> None:
    slugs = {"defence", "foreign-affairs", "federal-police", "bosa", "cirb"}
    assert set(Institution.objects.values_list("slug", flat=True)) == slugs
    for slug in slugs:
        for role in Role.values:
            user = User.objects.get(email=f"{role}@{slug}.demo")
            assert Membership.objects.filter(user=user, institution__slug=slug, role=role).exists()
    multi = User.objects.get(email="multi@govsocial.demo")
    assert set(multi.memberships.values_list("institution__slug", flat=True)) == {
        "defence",
        "foreign-affairs",
    }


def test_a_demo_admin_signs_in_with_the_documented_totp_secret(
    demo_db: None, client: Client
) -> None:
    client.post(
        reverse("account_login"),
        {"login": "institution_admin@cirb.demo", "password": DEMO_PASSWORD},
    )
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get("/i/cirb/members/").status_code == 200


def test_demo_complaints_cover_every_status_source_and_deadline_state(demo_db: None) -> None:
    from django.utils import timezone

    from complaints.models import Case, Source, Status

    defence = Case.objects.filter(institution__slug="defence")
    assert set(defence.values_list("status", flat=True)) == set(Status.values)
    assert set(defence.values_list("source", flat=True)) == set(Source.values)
    now = timezone.now()
    open_cases = defence.exclude(status__in=("answered", "closed"))
    assert open_cases.filter(due_at__lt=now).exists()  # overdue
    assert open_cases.filter(warn_at__lt=now, due_at__gt=now).exists()  # near the deadline
    assert defence.filter(
        category__code="cyber_harassment", items__isnull=False, evidence__isnull=False
    ).exists()
    assert all(case.assigned_officer_id for case in defence)
    from complaints.models import Recommendation

    recommendations = Recommendation.objects.filter(institution__slug="defence")
    assert recommendations.count() == 2
    assert recommendations.filter(cases__isnull=False).exists()
    cases_before = Case.objects.count()
    call_command("seed_demo")
    assert Case.objects.count() == cases_before


def test_demo_queue_has_items_in_every_state_and_saved_replies(demo_db: None) -> None:
    from django.utils import timezone

    from moderation.models import Item, SavedReply

    items = Item.objects.filter(institution__slug="defence", external_id__startswith="queue-")
    assert items.count() >= 4 * 24
    assert set(items.values_list("language", flat=True)) == {"fr", "nl", "en"}
    assert items.filter(due_at__lt=timezone.now()).exists()
    assert items.filter(warn_at__lt=timezone.now(), due_at__gt=timezone.now()).exists()
    assert items.filter(priority=2).exists()  # an urgent watch term hit
    assert items.filter(assigned_to__isnull=False).exists()
    languages = set(
        SavedReply.objects.filter(institution__slug="defence").values_list("language", flat=True)
    )
    assert languages == {"fr", "nl", "en"}


def test_demo_moderation_has_a_marked_harassment_item_and_posts_in_every_state(
    demo_db: None,
) -> None:
    from moderation.models import Decision, Post, PostState

    marked = Decision.objects.filter(institution__slug="defence", action="harassment").get()
    assert marked.evidence.sha256
    assert marked.referral_person
    states = set(Post.objects.filter(institution__slug="defence").values_list("state", flat=True))
    assert states == set(PostState.values) - {PostState.WITHDRAWN}
    sensitive = Post.objects.get(institution__slug="defence", sensitive=True)
    assert sensitive.state == PostState.IN_REVIEW


def test_demo_history_gives_the_monthly_report_months_to_compare() -> None:
    from django.utils import timezone

    from accounts.models import Institution
    from reports.monthly import monthly_report
    from reports.periods import Month

    # Mid-month: the demo queue's items were received up to 30 hours ago (their clock counts
    # from receipt), which early in a month would add some to the previous month.
    with time_machine.travel(datetime(2026, 11, 15, 12, 0, tzinfo=UTC)):
        call_command("seed_demo")
        defence = Institution.objects.get(slug="defence")
        month = Month.containing(timezone.now(), defence.zone).previous()
        report = monthly_report(defence, month, timezone.now())
    received = {row.label: row.values for row in report.table("sla").rows}["Items received"]
    assert received == [30, 30, 30]  # the month, the month before, the same month last year
    assert report.table("moderation_rules").rows


def test_demo_complaint_officers_sign_in_with_the_documented_totp_secret(
    demo_db: None, client: Client
) -> None:
    """Complaint officers must use MFA (they see complainants' data): the demo enrols them."""
    first = client.post(
        reverse("account_login"),
        {"login": "complaint_officer@defence.demo", "password": DEMO_PASSWORD},
    )
    assert first.url == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get("/i/defence/complaints/").status_code == 200


def test_demo_institutions_publish_contact_details_and_an_accessibility_statement(
    demo_db: None,
    client: Client,
) -> None:
    for institution in Institution.objects.all():
        assert institution.contact_email == f"contact@{institution.slug}.demo"
        assert institution.dpo_email == f"dpo@{institution.slug}.demo"
        assert institution.accessibility_email == f"accessibility@{institution.slug}.demo"
        page = client.get(f"/accessibility/{institution.slug}/", headers={"accept-language": "en"})
        assert f"accessibility@{institution.slug}.demo" in page.content.decode()
    ombudsmen = dict(Institution.objects.values_list("slug", "accessibility_ombudsman"))
    assert ombudsmen == {
        "defence": "federal",
        "foreign-affairs": "federal",
        "federal-police": "federal",
        "bosa": "federal",
        "cirb": "brussels",  # a Brussels regional body
    }
    cirb = Institution.objects.get(slug="cirb")
    cirb.contact_email = "info@cirb.example"
    cirb.save()
    call_command("seed_demo")  # an institution's own values are never overwritten
    cirb.refresh_from_db()
    assert cirb.contact_email == "info@cirb.example"


def test_demo_gives_every_page_something_to_show(demo_db: None) -> None:
    """The page walker (tests/e2e/test_page_walker.py) builds every address from these rows: an
    import with a refused row, the answer letter of each answered case, a pending invitation
    whose link is in the outbox."""
    from accounts.models import Invitation, OutgoingEmail
    from channels.models import ImportJob
    from complaints.models import Case, Correspondence

    job = ImportJob.objects.get(institution__slug="defence")
    assert (job.status, job.created_count, job.error_count) == ("done", 2, 1)
    imported = job.channel.items.filter(external_id__startswith="import-")
    assert set(imported.values_list("status", flat=True)) == {"historic"}  # not in the queue
    answered = Case.objects.filter(institution__slug="defence", answered_at__isnull=False)
    letters = Correspondence.objects.filter(case__in=answered, kind="answer")
    assert answered.exists()
    assert set(letters.values_list("case", flat=True)) == set(answered.values_list("pk", flat=True))
    invitation = Invitation.objects.get(institution__slug="defence", accepted_at__isnull=True)
    mail = OutgoingEmail.objects.get(to_address=invitation.email)
    assert "/invitations/defence/" in mail.body_text
    call_command("seed_demo")
    assert ImportJob.objects.count() == 5
    assert Invitation.objects.count() == 5


def test_demo_has_sensitive_accounts_and_a_removal_waiting_for_a_second_look(demo_db: None) -> None:
    from moderation.models import RemovalProposal, SensitiveAccount

    call_command("seed_demo")
    defence = Institution.objects.get(slug="defence")
    assert SensitiveAccount.objects.for_institution(defence).count() == 2
    proposal = RemovalProposal.objects.for_institution(defence).pending().get()
    assert proposal.sensitive_account is not None
    assert proposal.item.removal_pending
