"""Contesting a decision (issue 15, point 2): the public form on the decision page, the
contest's reference and deadline (warned and breached once by the engine), the decision by
another moderator (service and database), reversal restoring the content, and the figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification, OutgoingEmail, Role
from accounts.services.institutions import institution_update_settings
from accounts.tests.factories import member
from complaints.public_form import started_token
from deadlines.engine import deadlines_check
from govsocial.ledger.selectors import entry_for
from govsocial.ledger.verify import ledger_verify
from moderation.forms import CONTEST_SALT
from moderation.models import (
    Action,
    Contest,
    ContestOutcome,
    DecisionStatement,
    Item,
    PlatformAction,
)
from moderation.models.contests import ContestOutcomeImmutableError
from moderation.services.contests import ContestRefused, contest_decide, contest_open
from moderation.services.decisions import item_reopen
from moderation.tests.test_decision_pages import comment, facebook, hide, page_of, remove
from reports.monthly import monthly_report
from reports.periods import Month
from reports.statements import statements
from reports.transparency import transparency

pytestmark = pytest.mark.django_db
EXPLANATION = "Dit was geen reclame: ik verwees naar een vereniging."


@pytest.fixture
def house_rules(defence, defence_admin):
    from charter.tests.factories import published_charter

    return published_charter(defence, defence_admin)


@pytest.fixture
def reviewer(defence):
    return member(defence, Role.COMMUNICATOR)


@pytest.fixture
def statement(defence, house_rules, defence_communicator) -> DecisionStatement:
    return hide(comment(facebook(defence)), defence_communicator)


def contest(statement: DecisionStatement, email: str = "") -> Contest:
    return contest_open(
        statement=statement, explanation=EXPLANATION, contact_email=email, language="nl"
    )


def form_data(**fields: str) -> dict[str, str]:
    """What the form sends when it was shown a minute ago."""
    with time_machine.travel(timezone.now() - timedelta(minutes=1)):
        started = started_token(CONTEST_SALT)
    return {"explanation": EXPLANATION, "contact_email": "", "website": "", "started": started,
            **fields}  # fmt: skip


# --- opening --------------------------------------------------------------------------------


def test_the_person_contests_on_the_decision_page(statement, defence) -> None:
    client = Client()
    client.cookies["django_language"] = "nl"
    url = f"/decisions/{statement.token}/contest/"
    response = client.post(url, form_data(contact_email="lies@example.be"))
    assert response.status_code == 302
    assert response.url == f"/decisions/{statement.token}/"
    opened = Contest.objects.get()
    year = timezone.now().astimezone(defence.zone).year
    assert opened.reference == f"DEF-C-{year}-00001"
    assert (opened.explanation, opened.language, opened.status) == (EXPLANATION, "nl", "open")
    page = client.get(response.url).content.decode()
    assert opened.reference in page
    assert "Contest this decision" not in page  # the form is gone once contested
    [email] = OutgoingEmail.objects.filter(to_address="lies@example.be")
    assert opened.reference in email.subject
    assert EXPLANATION not in email.body_text  # nothing typed into the form is repeated


def test_the_contest_is_due_at_the_end_of_the_institutions_14th_day(statement, defence) -> None:
    received = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)  # Brussels, CEST; due after the change
    opened = contest_open(
        statement=statement, explanation="x", contact_email="", language="fr", now=received
    )
    assert opened.due_at == datetime(2026, 11, 3, 22, 59, 59, tzinfo=UTC)  # 23:59:59 CET
    assert received < opened.warn_at < opened.due_at


def test_the_contest_time_is_an_institution_setting(statement, defence) -> None:
    defence.contest_days = 3
    defence.save()
    received = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    opened = contest_open(
        statement=statement, explanation="x", contact_email="", language="fr", now=received
    )
    assert opened.due_at == datetime(2026, 6, 4, 21, 59, 59, tzinfo=UTC)


def test_an_institution_admin_sets_the_contest_time(defence, defence_admin) -> None:
    client = Client()
    client.force_login(defence_admin)
    page = client.get("/i/defence/settings/").content.decode()
    assert 'name="contest_days"' in page
    institution_update_settings(institution=defence, actor=defence_admin, contest_days=21)
    defence.refresh_from_db()
    assert defence.contest_days == 21
    with pytest.raises(ValidationError):
        institution_update_settings(institution=defence, actor=defence_admin, contest_days=0)


def test_a_decision_is_contested_once(statement) -> None:
    first = contest(statement)
    with pytest.raises(ContestRefused, match=first.reference):
        contest(statement)
    response = Client().post(f"/decisions/{statement.token}/contest/", form_data())
    assert response.status_code == 400
    assert first.reference in response.content.decode()


def test_an_empty_explanation_is_refused_with_the_text_kept(statement) -> None:
    response = Client().post(
        f"/decisions/{statement.token}/contest/",
        form_data(explanation="", contact_email="lies@example.be"),
    )
    assert response.status_code == 400
    assert "lies@example.be" in response.content.decode()
    assert not Contest.objects.exists()


def test_robots_are_turned_away_without_hurting_people(statement) -> None:
    url = f"/decisions/{statement.token}/contest/"
    assert Client().post(url, form_data(website="http://spam.example")).status_code == 400
    too_fast = form_data(started=started_token(CONTEST_SALT))
    assert Client().post(url, too_fast).status_code == 400
    forged = form_data(started=started_token("complaints.public-form"))
    response = Client().post(url, forged)
    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()
    assert not Contest.objects.exists()
    assert Client().post(url, form_data()).status_code == 302  # a person still gets through


def test_one_address_is_rate_limited(statement, defence, defence_communicator) -> None:
    cache.clear()
    client = Client()
    url = f"/decisions/{statement.token}/contest/"
    for _attempt in range(5):
        client.post(url, form_data(website="spam"))
    response = client.post(url, form_data())
    assert response.status_code == 429
    assert not Contest.objects.exists()
    other = hide(comment(facebook(defence), 2), defence_communicator)
    assert (
        Client(REMOTE_ADDR="10.0.0.9")
        .post(f"/decisions/{other.token}/contest/", form_data())
        .status_code
        == 302
    )


def test_the_moderators_but_the_decider_are_told(statement, reviewer, defence_communicator) -> None:
    opened = contest(statement)
    told = set(
        Notification.objects.filter(kind="contest.received").values_list("recipient", flat=True)
    )
    assert reviewer.pk in told
    assert defence_communicator.pk not in told
    assert all(
        opened.reference in n.subject for n in Notification.objects.filter(kind="contest.received")
    )


# --- deciding -------------------------------------------------------------------------------


def test_the_decider_may_not_decide_the_contest(statement, defence_communicator) -> None:
    opened = contest(statement)
    with pytest.raises(ContestRefused, match="another moderator"):
        contest_decide(contest=opened, actor=defence_communicator, outcome="upheld", reasons="Ok")
    assert not ContestOutcome.objects.exists()


def test_the_database_refuses_an_outcome_by_the_decider(statement, defence_communicator) -> None:
    opened = contest(statement)
    with (
        pytest.raises(IntegrityError, match="contest_decided_by_another_moderator"),
        transaction.atomic(),
    ):
        ContestOutcome.objects.create(
            institution=opened.institution,
            contest=opened,
            outcome="upheld",
            reasons="Ok",
            decided_by=defence_communicator,
            original_decider=defence_communicator,
        )


def test_only_a_moderator_of_the_institution_decides(statement, defence, police) -> None:
    opened = contest(statement)
    for outsider in (member(police, Role.COMMUNICATOR), member(defence, Role.COMPLAINT_OFFICER)):
        with pytest.raises(ContestRefused, match="Only a moderator"):
            contest_decide(contest=opened, actor=outsider, outcome="upheld", reasons="Ok")


def test_upheld_keeps_the_item_hidden_and_the_page_says_so(statement, reviewer) -> None:
    opened = contest(statement, email="lies@example.be")
    outcome = contest_decide(
        contest=opened, actor=reviewer, outcome="upheld", reasons="Het bericht is reclame."
    )
    assert outcome.reinstatement is None
    assert Contest.objects.get().status == "upheld"
    assert Item.objects.get().status == "hidden"
    html = page_of(statement)
    assert "Decision upheld" in html
    assert "Het bericht is reclame." in html
    assert reviewer.full_name not in html
    with translation.override(opened.language):
        decided = _("Your contest %(reference)s has been decided") % {"reference": opened.reference}
    assert OutgoingEmail.objects.filter(subject=decided).count() == 1  # in the person's language
    with pytest.raises(ContestRefused, match="already been decided"):
        contest_decide(contest=opened, actor=reviewer, outcome="reversed", reasons="Changed mind")


def test_a_reversed_hide_is_unhidden_on_the_platform(statement, reviewer) -> None:
    opened = contest(statement)
    outcome = contest_decide(
        contest=opened, actor=reviewer, outcome="reversed", reasons="Een vereniging, geen reclame."
    )
    item = Item.objects.get()
    assert item.status == "no_action"
    reinstatement = outcome.reinstatement
    assert reinstatement is not None
    assert (reinstatement.action, reinstatement.actor) == (Action.REINSTATE, reviewer)
    assert opened.reference in reinstatement.note
    [unhide] = reinstatement.platform_actions.all()
    assert (unhide.kind, unhide.state, unhide.target_id) == ("unhide", "queued", item.external_id)
    html = page_of(statement)
    assert "Decision reversed" in html
    assert "Your content is being made visible again on the platform." in html
    PlatformAction.objects.filter(pk=unhide.pk).update(state="verified", executed_at=timezone.now())
    assert "Your content was made visible again on the platform." in page_of(statement)
    # the item's history keeps both: the hide and its reversal, append-only
    answers = item.decisions.exclude(action="assign").values_list("action", flat=True)
    assert list(answers) == ["hide", "reinstate"]


def test_a_contest_outcome_and_its_reinstatement_are_chained(statement, reviewer) -> None:
    """Issue 15, point 4: the outcome (both moderators, the reasons) is in the hash chain, with
    the reinstating decision; the chain verifies against the live rows."""
    outcome = contest_decide(
        contest=contest(statement), actor=reviewer, outcome="reversed", reasons="Geen reclame."
    )
    assert entry_for(outcome).kind == "moderation.contest_outcome"
    assert entry_for(outcome.reinstatement).kind == "moderation.decision"
    assert ledger_verify(outcome.institution_id).broken is None


def test_a_reversed_removal_goes_on_the_manual_list(
    defence, house_rules, defence_communicator, reviewer
) -> None:
    statement = remove(comment(facebook(defence)), defence_communicator)
    outcome = contest_decide(
        contest=contest(statement), actor=reviewer, outcome="reversed", reasons="Geen reclame."
    )
    [restore] = outcome.reinstatement.platform_actions.all()
    assert (restore.kind, restore.state) == ("unhide", "manual")
    assert "no way to restore it" in restore.manual_reason
    assert restore.due_at is not None  # on the list, with its deadline
    assert "must restore your content on the platform by hand" in page_of(statement)


def test_a_reversal_after_the_item_moved_on_restores_nothing(
    statement, reviewer, defence_communicator
) -> None:
    opened = contest(statement)
    item_reopen(item=statement.decision.item, actor=defence_communicator, reason="Second look")
    outcome = contest_decide(contest=opened, actor=reviewer, outcome="reversed", reasons="Ok.")
    assert outcome.reinstatement is None
    assert Item.objects.get().status == "open"
    assert "There was nothing left to restore" in page_of(statement)


def test_a_contest_outcome_is_append_only(statement, reviewer) -> None:
    outcome = contest_decide(
        contest=contest(statement), actor=reviewer, outcome="upheld", reasons="Ok"
    )
    with pytest.raises(ContestOutcomeImmutableError):
        outcome.save()
    with pytest.raises(ContestOutcomeImmutableError):
        ContestOutcome.objects.filter(pk=outcome.pk).update(reasons="Other")


def test_a_reinstatement_reopened_later_unhides_nothing_twice(
    statement, reviewer, defence_communicator
) -> None:
    outcome = contest_decide(
        contest=contest(statement), actor=reviewer, outcome="reversed", reasons="Ok"
    )
    item_reopen(item=statement.decision.item, actor=defence_communicator, reason="Follow-up")
    kinds = list(PlatformAction.objects.filter(kind="unhide").values_list("decision_id", flat=True))
    assert kinds == [outcome.reinstatement_id]


# --- pages in the workspace -----------------------------------------------------------------


def test_the_reviewer_decides_from_the_contest_page(statement, reviewer) -> None:
    opened = contest(statement)
    client = Client()
    client.force_login(reviewer)
    listing = client.get("/i/defence/contests/").content.decode()
    assert opened.reference in listing
    detail = client.get(f"/i/defence/contests/{opened.reference}/").content.decode()
    assert EXPLANATION in detail
    assert "Record the outcome" in detail
    response = client.post(
        f"/i/defence/contests/{opened.reference}/decide/",
        {"outcome": "reversed", "reasons": ""},
    )
    assert response.status_code == 400
    response = client.post(
        f"/i/defence/contests/{opened.reference}/decide/",
        {"outcome": "reversed", "reasons": "Geen reclame."},
    )
    assert response.status_code == 302
    assert Contest.objects.get().status == "reversed"


def test_the_decider_sees_why_they_cannot_decide(statement, defence_communicator) -> None:
    opened = contest(statement)
    client = Client()
    client.force_login(defence_communicator)
    detail = client.get(f"/i/defence/contests/{opened.reference}/").content.decode()
    assert "another moderator must review it" in detail
    assert "Record the outcome" not in detail
    response = client.post(
        f"/i/defence/contests/{opened.reference}/decide/", {"outcome": "upheld", "reasons": "Ok"}
    )
    assert response.status_code == 400
    assert not ContestOutcome.objects.exists()


def test_another_institutions_contest_is_a_404(statement, police, defence) -> None:
    opened = contest(statement)
    police_member = member(police, Role.COMMUNICATOR)
    client = Client()
    client.force_login(police_member)
    assert client.get(f"/i/police/contests/{opened.reference}/").status_code == 404
    assert (
        client.post(
            f"/i/police/contests/{opened.reference}/decide/", {"outcome": "upheld", "reasons": "x"}
        ).status_code
        == 404
    )
    assert not ContestOutcome.objects.exists()


# --- deadlines ------------------------------------------------------------------------------


def test_warning_then_breach_exactly_once(
    statement, reviewer, defence_communicator, defence_admin
) -> None:
    opened = contest(statement)
    Notification.objects.all().delete()
    with time_machine.travel(opened.warn_at + timedelta(minutes=1)):
        deadlines_check()
        deadlines_check()
    warned = Notification.objects.filter(dedupe_key__startswith="deadline:contest:")
    assert {n.recipient_id for n in warned} == {reviewer.pk}  # never the decider
    assert warned.count() == 1
    with time_machine.travel(opened.due_at + timedelta(minutes=1)):
        deadlines_check()
        deadlines_check()
    breached = Notification.objects.filter(dedupe_key__contains=":breach:")
    assert {n.recipient_id for n in breached} == {reviewer.pk, defence_admin.pk}
    assert Contest.objects.get().breached_at is not None


def test_a_decided_contest_is_never_warned(statement, reviewer) -> None:
    opened = contest(statement)
    contest_decide(contest=opened, actor=reviewer, outcome="upheld", reasons="Ok")
    Notification.objects.all().delete()
    with time_machine.travel(opened.due_at + timedelta(days=1)):
        deadlines_check()
    assert not Notification.objects.filter(dedupe_key__startswith="deadline:contest:").exists()


# --- figures --------------------------------------------------------------------------------


def test_contests_in_the_transparency_page_statements_and_monthly_report(
    defence, house_rules, defence_communicator, reviewer
) -> None:
    first = hide(comment(facebook(defence), 1), defence_communicator)
    second = hide(comment(facebook(defence), 2), defence_communicator)
    contest_decide(contest=contest(first), actor=reviewer, outcome="reversed", reasons="Ok")
    contest_decide(contest=contest(second), actor=reviewer, outcome="upheld", reasons="Ok")
    now = timezone.now()
    [month, *_older] = transparency(defence, now)
    assert (month.contests_received, month.contests_upheld, month.contests_reversed) == (2, 1, 1)
    assert all("?v=1#R" in rule.url for rule in month.rules)
    html = Client().get("/transparency/defence/").content.decode()
    assert "Decisions contested" in html
    assert "/charters/defence/house-rules/?v=1#R1" in html

    rows = {row["puid"]: row for row in statements(defence, Month.containing(now, defence.zone))}
    row = rows[f"govsocial:defence:decision:{first.decision_id}"]
    assert row["contest_state"] == "reversed"
    assert row["contest_outcome_date"] == now.astimezone(defence.zone).date().isoformat()
    assert row["decision_ground_reference_url"].endswith("/charters/defence/house-rules/?v=1#R1")

    report = monthly_report(defence, Month.containing(now, defence.zone), now)
    table = report.table("contest_reversals")
    assert table is not None
    values = {row.label.split(" · ")[-1]: row.values[0] for row in table.rows}
    assert values == {"contests decided": 2, "reversed (share)": 50.0}


def test_retention_erases_the_contests_personal_data_with_the_item(statement, defence) -> None:
    from moderation.services.retention import items_anonymise_expired

    opened = contest(statement, email="lies@example.be")
    assert OutgoingEmail.objects.filter(to_address="lies@example.be").exists()
    later = timezone.now() + timedelta(days=31 * (defence.item_retention_months + 1))
    assert items_anonymise_expired(later) >= 1
    opened.refresh_from_db()
    assert (opened.explanation, opened.contact_email) == ("", "")
    assert opened.reference  # the figures keep the contest itself
    assert not OutgoingEmail.objects.filter(to_address="lies@example.be").exists()


def test_the_decision_page_costs_a_few_queries_whatever_its_history(
    statement, reviewer, defence, defence_communicator
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(token: str) -> int:
        client = Client()
        client.get(f"/decisions/{token}/")  # session and caches warmed
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/decisions/{token}/").status_code == 200
        return len(captured)

    plain = queries(statement.token)
    other = hide(comment(facebook(defence), 2), defence_communicator)
    contest_decide(contest=contest(other), actor=reviewer, outcome="reversed", reasons="Ok")
    reversed_page = queries(other.token)
    print(f"decision page queries: {plain} uncontested, {reversed_page} reversed")
    assert plain <= 7  # with the ledger entry and the day's digest (issue 15, point 4)
    assert reversed_page <= plain + 2  # the outcome with its reinstatement, and its actions
