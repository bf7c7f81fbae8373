"""The hand-counted fixture shared by the report tests (its figures are listed in
test_figures.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from charter.selectors import rules_justifying
from charter.tests.factories import published_charter
from complaints.services.cases import case_answer, case_close
from complaints.tests.factories import register
from moderation.models import Item, PlatformAction
from moderation.services import decisions
from moderation.services.ingest import item_apply_event
from moderation.services.platform_to_do import action_mark_done
from reports.periods import Month

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
NOVEMBER = Month(2026, 11, BRUSSELS)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def arrive(channel, external_id: str, at: datetime, language: str, kind: str = "comment") -> Item:
    return item_apply_event(
        channel=channel,
        event=ItemEvent(external_id=external_id, verb=Verb.CREATE, occurred_at=at, kind=kind,
                        author_name=f"Author {external_id}", text=f"Secret text {external_id}",
                        language=language),
        now=at,
    )  # fmt: skip


def act(at: datetime, decide, **kwargs):  # type: ignore[no-untyped-def]
    with time_machine.travel(at, tick=False):
        return decide(**kwargs)


def reply_posted(at: datetime, outcome, actor) -> None:  # type: ignore[no-untyped-def]
    """The reply of ``outcome`` posted on the platform at ``at`` (marked done by hand): the SLA
    figures count a reply then, not when it was typed."""
    action = PlatformAction.objects.create(
        institution_id=outcome.item.institution_id, channel=outcome.item.channel,
        kind="reply", decision=outcome.decision, state="manual",
    )  # fmt: skip
    with time_machine.travel(at, tick=False):
        action_mark_done(action=action, actor=actor)


def build_world(defence, defence_admin, defence_communicator, defence_officer):  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2025, 10, 1, 9, 0), tick=False):
        published_charter(defence, defence_admin)
    fb = ChannelFactory(institution=defence, name="Defensie FB", platform="facebook")
    x = ChannelFactory(institution=defence, name="Defensie X", platform="x")
    me = defence_communicator
    remove_rule = rules_justifying(defence, "remove", at=local(2026, 11, 12)).get(number=1)
    hide_rule = rules_justifying(defence, "hide", at=local(2026, 11, 20)).get(number=2)

    a = arrive(fb, "A", local(2026, 11, 1, 0, 30), "nl")
    reply_posted(a.due_at, act(a.due_at, decisions.item_reply, item=a, actor=me, text="Dag A"), me)
    b = arrive(fb, "B", local(2026, 11, 10, 10, 0), "fr")
    late = b.due_at + timedelta(seconds=1)
    reply_posted(late, act(late, decisions.item_reply, item=b, actor=me, text="Bonjour"), me)
    c = arrive(x, "C", local(2026, 11, 12, 9, 0), "fr", kind="mention")
    act(local(2026, 11, 12, 9, 30), decisions.item_remove, item=c, actor=me, rule=remove_rule,
        reasons="Publicité")  # fmt: skip
    d = arrive(x, "D", local(2026, 11, 20, 8, 0), "en")
    act(local(2026, 11, 20, 10, 0), decisions.item_hide, item=d, actor=me, rule=hide_rule,
        reasons="Insult")  # fmt: skip
    arrive(fb, "E", local(2026, 11, 28, 12, 0), "nl")
    f = arrive(fb, "F", local(2026, 10, 31, 23, 30), "fr")
    act(local(2026, 11, 1, 4, 30), decisions.item_no_action, item=f, actor=me)
    g = arrive(fb, "G", local(2025, 11, 15, 10, 0), "nl")
    g_at = local(2025, 11, 15, 11, 0)
    reply_posted(g_at, act(g_at, decisions.item_reply, item=g, actor=me, text="Dag G"), me)
    arrive(fb, "H", NOW - timedelta(hours=2), "fr")
    arrive(fb, "I", NOW - timedelta(hours=22), "fr")

    k1 = register(defence, received_at=local(2026, 11, 3, 10, 0))
    case_answer(case=k1, actor=defence_officer, at=local(2026, 11, 20, 10, 0))
    case_close(case=k1, actor=defence_officer, outcome="founded", at=local(2026, 11, 21, 10, 0))
    register(defence, received_at=local(2026, 11, 5, 10, 0))
    k4 = register(defence, received_at=local(2026, 11, 2, 10, 0))
    case_answer(case=k4, actor=defence_officer, at=local(2026, 12, 4, 10, 0))
    k3 = register(defence, received_at=local(2026, 10, 1, 10, 0))
    case_answer(case=k3, actor=defence_officer, at=local(2026, 11, 15, 10, 0))
    return defence
