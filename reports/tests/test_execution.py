"""Reports tell decided from carried out: the DSA statements per action state, the public
transparency counts, the dashboard's unfinished actions per channel; constant queries;
tenancy."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import member
from channels.connectors import registry
from channels.connectors.actions import ActionKind, Capability
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from charter.selectors import rules_justifying
from charter.tests.factories import published_charter
from conftest import enrol_totp
from moderation.models import Decision, PlatformAction
from moderation.services import decisions
from moderation.services.ingest import item_apply_event
from reports.dashboard import dashboard
from reports.periods import Month
from reports.statements import statements
from reports.transparency import transparency

pytestmark = pytest.mark.django_db
State = PlatformAction.State
EXECUTED_AT = datetime(2026, 11, 12, 23, 30, tzinfo=UTC)  # 13 November in Brussels
DONE_AT = datetime(2026, 11, 14, 9, 0, tzinfo=UTC)


class BlindConnector:
    """A connector that deletes but cannot read back (a platform without verification)."""

    platform = "linkedin"
    capabilities = {ActionKind.DELETE: Capability(call="DELETE /comments/{id}")}

    def configured(self, channel) -> bool:  # type: ignore[no-untyped-def]
        return True


class SightedConnector:
    platform = "facebook"
    capabilities = {
        ActionKind.HIDE: Capability(call="POST /{id} is_hidden=true", verify="GET /{id}"),
        ActionKind.DELETE: Capability(call="DELETE /{id}", verify="GET /{id}"),
    }

    def configured(self, channel) -> bool:  # type: ignore[no-untyped-def]
        return True


@pytest.fixture(autouse=True)
def connectors(monkeypatch) -> None:
    monkeypatch.setitem(registry.CONNECTORS, "linkedin", BlindConnector())
    monkeypatch.setitem(registry.CONNECTORS, "facebook", SightedConnector())


@pytest.fixture
def charter(defence, defence_admin) -> None:
    published_charter(defence, defence_admin)


counter = iter(range(10**6))


def decide(institution, actor, action: str = "remove", platform: str = "facebook", channel=None):  # type: ignore[no-untyped-def]
    channel = channel or ChannelFactory(institution=institution, platform=platform)
    item = item_apply_event(
        channel=channel,
        event=ItemEvent(external_id=f"e{next(counter)}", verb=Verb.CREATE, text="Secret text"),
    )
    rule = rules_justifying(institution, action).first()
    service = decisions.item_remove if action == "remove" else decisions.item_hide
    decision = service(item=item, actor=actor, rule=rule, reasons="Spam").decision
    # The tests give each decision the actions they need (``act``): not the planned ones.
    PlatformAction.objects.filter(decision=decision).delete()
    return decision


def act(decision: Decision, kind: str, state: str, **fields) -> PlatformAction:  # type: ignore[no-untyped-def]
    if state in (State.EXECUTED, State.VERIFIED, State.MISMATCH):
        fields.setdefault("executed_at", EXECUTED_AT)
    if state == State.DONE_BY_HAND:
        fields.setdefault("done_at", DONE_AT)
    return PlatformAction.objects.create(
        institution=decision.institution, channel=decision.item.channel, decision=decision,
        kind=kind, state=state, **fields,
    )  # fmt: skip


def export(institution) -> list[dict[str, object]]:
    month = Month.containing(timezone.now(), institution.zone)
    return list(statements(institution, month))


OTHER = ["DECISION_VISIBILITY_OTHER"]
REMOVED = ["DECISION_VISIBILITY_CONTENT_REMOVED"]
DISABLED = ["DECISION_VISIBILITY_CONTENT_DISABLED"]


@pytest.mark.parametrize(
    ("action", "platform", "kind", "state", "visibility", "execution", "applied", "why"),
    [
        ("remove", "facebook", "delete", State.VERIFIED, REMOVED, "verified", "2026-11-13", None),
        ("hide", "facebook", "hide", State.VERIFIED, DISABLED, "verified", "2026-11-13", None),
        ("remove", "linkedin", "delete", State.EXECUTED, REMOVED, "executed_unverifiable",
         "2026-11-13", None),
        ("remove", "facebook", "delete", State.DONE_BY_HAND, REMOVED, "done_by_hand",
         "2026-11-14", None),
        ("remove", "facebook", "delete", State.EXECUTED, OTHER, "awaiting_verification", None,
         "carried out on the platform on 2026-11-13, not yet confirmed"),
        ("hide", "facebook", "hide", State.QUEUED, OTHER, "waiting", None, "waiting to be sent"),
        ("hide", "facebook", "hide", State.SENDING, OTHER, "waiting", None, "waiting to be sent"),
        ("remove", "x", "delete", State.MANUAL, OTHER, "to_do_by_hand", None, "by hand"),
        ("remove", "facebook", "delete", State.FAILED, OTHER, "to_do_by_hand", None, "by hand"),
        ("hide", "facebook", "hide", State.MISMATCH, OTHER, "changed_back", None,
         "then found changed back"),
        ("remove", "facebook", "", None, OTHER, "not_started", None,
         "not carried out on the platform."),
        # a removal a platform could only carry out as a hide is reported as what happened
        ("remove", "facebook", "hide", State.VERIFIED, DISABLED, "verified", "2026-11-13", None),
    ],
)  # fmt: skip
def test_each_action_state_in_the_dsa_statement(
    defence,
    defence_communicator,
    charter,
    action,
    platform,
    kind,
    state,
    visibility,
    execution,
    applied,
    why,
) -> None:  # type: ignore[no-untyped-def]
    decision = decide(defence, defence_communicator, action, platform)
    if state is not None:
        act(decision, kind, state)
    (statement,) = export(defence)
    assert statement["decision_visibility"] == visibility
    assert statement["execution_state"] == execution
    assert statement["application_date"] == applied
    decided = timezone.localdate(decision.created_at, defence.zone).isoformat()
    assert statement["decision_date"] == decided
    if why is None:
        assert statement["decision_visibility_other"] is None
    else:
        other = statement["decision_visibility_other"]
        assert isinstance(other, str)
        assert why in other
        assert len(other) <= 500
        assert other.startswith(
            f"{'Removal' if action == 'remove' else 'Hiding'} decided on {decided}"
        )


def test_a_refused_action_done_by_hand_afterwards_is_carried_out(
    defence, defence_communicator, charter
) -> None:
    decision = decide(defence, defence_communicator)
    act(decision, "delete", State.FAILED, last_error="(#200) Permissions error")
    act(decision, "delete", State.DONE_BY_HAND, done_by=defence_communicator)
    (statement,) = export(defence)
    assert statement["decision_visibility"] == REMOVED
    assert statement["execution_state"] == "done_by_hand"


def test_the_export_keeps_its_columns_and_adds_the_execution_ones(
    defence, defence_communicator, charter
) -> None:
    act(decide(defence, defence_communicator), "delete", State.VERIFIED)
    decide(defence, defence_communicator)
    before = {
        "puid", "platform_name", "platform_channel", "decision_visibility", "decision_ground",
        "incompatible_content_ground", "incompatible_content_explanation",
        "incompatible_content_illegal", "decision_facts", "automated_detection",
        "automated_decision", "content_type", "content_language", "content_date",
        "decision_date", "application_date", "source_type",
    }  # fmt: skip
    for statement in export(defence):
        assert set(statement) == before | {
            "decision_visibility_other",
            "execution_state",
            "decision_ground_reference_url",
            "contest_state",
            "contest_date",
            "contest_outcome_date",
        }


def test_the_export_costs_the_same_queries_for_3_or_30_decisions(
    defence, defence_communicator, charter
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export(defence)
        return len(captured)

    states = [State.VERIFIED, State.QUEUED, State.FAILED]
    for n in range(3):
        act(decide(defence, defence_communicator), "delete", states[n])
    few = queries()
    for n in range(27):
        act(decide(defence, defence_communicator), "delete", states[n % 3])
    assert queries() == few


def test_other_institutions_actions_never_reach_the_export(
    defence, defence_communicator, charter, police, police_communicator, defence_admin
) -> None:
    police_admin = member(police, Role.INSTITUTION_ADMIN, email="admin@police.test")
    published_charter(police, police_admin)
    act(decide(police, police_communicator), "delete", State.VERIFIED)
    decide(defence, defence_communicator)
    (statement,) = export(defence)
    assert statement["execution_state"] == "not_started"


def test_the_export_over_http_for_admins_only(
    client: Client, defence, defence_communicator, defence_admin, charter, police
) -> None:
    act(decide(defence, defence_communicator), "delete", State.VERIFIED)
    client.force_login(defence_admin)
    month = timezone.localdate(timezone.now(), defence.zone).strftime("%Y-%m")
    response = client.get(f"/i/defence/reports/statements/?month={month}")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert json.loads(lines[0])["decision_visibility"] == REMOVED
    police_admin = member(police, Role.INSTITUTION_ADMIN, email="admin@police.test")
    enrol_totp(police_admin)
    client.force_login(police_admin)
    assert client.get(f"/i/defence/reports/statements/?month={month}").status_code == 404


def test_transparency_counts_decided_and_carried_out(
    client: Client, defence, defence_communicator, charter
) -> None:
    act(decide(defence, defence_communicator, "remove"), "delete", State.VERIFIED)
    act(decide(defence, defence_communicator, "remove"), "delete", State.EXECUTED)
    act(decide(defence, defence_communicator, "remove", "linkedin"), "delete", State.EXECUTED)
    decide(defence, defence_communicator, "remove")
    act(decide(defence, defence_communicator, "hide"), "hide", State.DONE_BY_HAND)
    act(decide(defence, defence_communicator, "hide"), "hide", State.MISMATCH)
    month = transparency(defence, timezone.now())[0]
    assert (month.removed, month.removed_done) == (4, 2)
    assert (month.hidden, month.hidden_done) == (2, 1)
    page = client.get("/transparency/defence/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "4 decided, 2 carried out on the platform" in page
    assert "2 decided, 1 carried out on the platform" in page
    assert "Removed from the platform" in page


def test_transparency_queries_do_not_grow_with_decisions(
    defence, defence_communicator, charter
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            transparency(defence, timezone.now())
        return len(captured)

    act(decide(defence, defence_communicator), "delete", State.VERIFIED)
    few = queries()
    for _ in range(10):
        act(decide(defence, defence_communicator, "hide"), "hide", State.QUEUED)
    assert queries() == few


def test_the_dashboard_shows_unfinished_actions_per_channel_in_one_query(
    client: Client,
    defence,
    defence_communicator,
    defence_admin,
    charter,
    police,
    police_communicator,
    django_assert_max_num_queries,
) -> None:  # type: ignore[no-untyped-def]
    page_a = ChannelFactory(institution=defence, name="Alpha page", platform="facebook")
    page_b = ChannelFactory(institution=defence, name="Beta page", platform="facebook")
    states = {
        page_a: [State.QUEUED, State.SENDING, State.FAILED, State.EXECUTED, State.VERIFIED],
        page_b: [State.MANUAL, State.MISMATCH, State.DONE_BY_HAND],
    }
    for channel, channel_states in states.items():
        for state in channel_states:
            act(decide(defence, defence_communicator, channel=channel), "delete", state)
    finished = ChannelFactory(institution=defence, name="Gamma page", platform="facebook")
    act(decide(defence, defence_communicator, channel=finished), "delete", State.VERIFIED)
    police_admin = member(police, Role.INSTITUTION_ADMIN, email="admin@police.test")
    published_charter(police, police_admin)
    police_page = ChannelFactory(institution=police, name="CANARY-POLICE", platform="facebook")
    act(decide(police, police_communicator, channel=police_page), "delete", State.FAILED)

    from reports.dashboard import _actions_by_channel

    with django_assert_max_num_queries(1):
        rows = _actions_by_channel(defence)
    assert [(r.name, r.waiting, r.by_hand, r.unverified) for r in rows] == [
        ("Alpha page", 2, 1, 1),
        ("Beta page", 0, 1, 1),
    ]
    assert dashboard(defence, timezone.now()).actions == rows
    client.force_login(defence_admin)
    page = client.get("/i/defence/dashboard/").content.decode()
    assert "Decisions still to carry out on the platforms" in page
    section = page[page.index('id="actions-heading"') : page.index('id="sla-heading"')]
    assert "Alpha page" in section
    assert "Gamma page" not in section
    assert "CANARY-POLICE" not in page
    enrol_totp(police_admin)
    client.force_login(police_admin)
    assert client.get("/i/defence/dashboard/").status_code == 404
    police_page_html = client.get("/i/federal-police/dashboard/").content.decode()
    assert "Alpha page" not in police_page_html
    assert "CANARY-POLICE" in police_page_html


def test_the_dashboard_says_when_everything_is_carried_out(
    client: Client, defence, defence_communicator
) -> None:
    client.force_login(defence_communicator)
    page = client.get("/i/defence/dashboard/").content.decode()
    assert "Every decision is carried out and confirmed on its platform." in page


def test_confirmed_actions_are_those_the_platform_or_a_person_confirmed() -> None:
    from reports.execution import CONFIRMED, Execution, confirmed_q

    assert {e.value for e in CONFIRMED} == {"verified", "executed_unverifiable", "done_by_hand"}
    assert Execution.WAITING.carried_out is False
    # executed counts only where the platform cannot read back (linkedin's blind delete here)
    assert "linkedin" in str(confirmed_q())
    assert "facebook" not in str(confirmed_q())


def test_the_dashboards_unfinished_counts_link_to_the_queue_and_the_to_do_list(
    client: Client, defence, defence_communicator, defence_admin, defence_officer, charter
) -> None:  # type: ignore[no-untyped-def]
    page = ChannelFactory(institution=defence, name="Alpha page", platform="facebook")
    quiet = ChannelFactory(institution=defence, name="Beta page", platform="facebook")
    waiting = act(decide(defence, defence_communicator, channel=page), "delete", State.QUEUED)
    failed = act(decide(defence, defence_communicator, channel=page), "delete", State.FAILED)
    act(decide(defence, defence_communicator, channel=quiet), "delete", State.EXECUTED)
    queue_link = f'href="/i/defence/queue/?channel={page.pk}&amp;not_executed=on"'
    to_do_link = f'href="/i/defence/platform-to-do/?channel={page.pk}"'

    client.force_login(defence_communicator)
    html = client.get("/i/defence/dashboard/").content.decode()
    section = html[html.index('id="actions-heading"') : html.index('id="sla-heading"')]
    assert queue_link in section
    assert to_do_link in section
    assert "on Alpha page: open the queue of items whose decision is not carried out" in section
    assert "on Alpha page: open the list of what to do on the platform" in section
    assert f"?channel={quiet.pk}" not in section  # nothing waiting nor by hand there
    queue = client.get(f"/i/defence/queue/?channel={page.pk}&not_executed=on")
    assert queue.status_code == 200
    listed = {item.pk for item in queue.context["items"]}
    assert waiting.decision.item_id in listed
    assert failed.decision.item_id in listed
    to_do = client.get(f"/i/defence/platform-to-do/?channel={page.pk}")
    assert to_do.status_code == 200
    assert failed in list(to_do.context["page"])
    assert waiting not in list(to_do.context["page"])

    client.force_login(defence_admin)  # the to-do list, not the queue
    section = client.get("/i/defence/dashboard/").content.decode()
    assert to_do_link in section
    assert queue_link not in section

    client.force_login(defence_officer)  # neither
    section = client.get("/i/defence/dashboard/").content.decode()
    assert to_do_link not in section
    assert queue_link not in section
