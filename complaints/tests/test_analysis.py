"""Analysis over a period, and recommendations (status history, linked cases, CSV, print)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from complaints.models import Recommendation
from complaints.selectors import analysis
from complaints.services import cases
from complaints.tests.factories import builtin, register

pytestmark = pytest.mark.django_db


def test_counts_and_time_to_answer_for_a_period(defence, police, defence_officer) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    first = register(defence, received_at=start + timedelta(days=1))
    cases.case_answer(case=first, actor=defence_officer, at=start + timedelta(days=11))
    second = register(
        defence, received_at=start + timedelta(days=2), source="email", category="privacy"
    )
    cases.case_answer(case=second, actor=defence_officer, at=start + timedelta(days=42))
    cases.case_close(case=second, actor=defence_officer, outcome="founded")
    register(defence, received_at=start + timedelta(days=3))  # unanswered, overdue by now
    register(defence, received_at=start - timedelta(days=3))  # before the period
    register(police, received_at=start + timedelta(days=1))  # another institution

    result = analysis(defence, start, start + timedelta(days=31), timezone.now())

    assert result.total == 3
    assert result.by_category == [("service_quality", 2), ("privacy", 1)]
    assert result.by_source == [("phone", 2), ("email", 1)]
    assert result.by_outcome == [("founded", 1)]
    assert (result.answered, result.answered_on_time) == (2, 1)
    assert result.median_days_to_answer == 25.0
    assert result.open_overdue == 1


def test_the_analysis_page(client: Client, defence, defence_officer) -> None:
    register(defence, category="accessibility")
    client.force_login(defence_officer)
    page = client.get("/i/defence/complaints/analysis/").content.decode()
    assert "Accessibility" in page
    bad = client.get("/i/defence/complaints/analysis/?start=2026-05-01&end=2026-04-01")
    assert "The period ends before it starts." in bad.content.decode()


def test_a_recommendation_with_its_cases_status_history_and_exports(
    client: Client, defence, defence_officer, police
) -> None:
    ours = register(defence)
    foreign = register(police)
    client.force_login(defence_officer)
    url = "/i/defence/complaints/recommendations/"
    refused = client.post(
        url, {"title": "x", "body": "y", "status": "draft", "case_references": foreign.reference}
    )
    assert f"Unknown references: {foreign.reference}." in refused.content.decode()
    response = client.post(
        url,
        {
            "title": "=Longer opening hours at the counter",
            "body": "Open until 18:00 on Thursdays.",
            "status": "draft",
            "categories": [builtin().pk],
            "case_references": f"{ours.reference},",
        },
    )
    recommendation = Recommendation.objects.get()
    assert list(recommendation.cases.all()) == [ours]
    client.post(
        response.url,
        {
            "title": recommendation.title,
            "body": recommendation.body,
            "status": "sent",
            "categories": [builtin().pk],
            "case_references": ours.reference,
        },
    )
    history = recommendation.history.order_by("history_date")
    statuses = list(history.values_list("status", flat=True))
    assert statuses == ["draft", "sent"]  # one row per save
    assert statuses[-1] == "sent"
    assert history.last().history_user == defence_officer
    page = client.get(response.url).content.decode()
    assert ours.reference in page
    assert "data-print" in page
    exported = client.get(f"{url}?format=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    assert rows[0] == ["title", "status", "created_at", "categories", "complaints", "text"]
    assert rows[1][0] == "'=Longer opening hours at the counter"  # no formula injection
    assert rows[1][1:2] == ["sent"]
    assert rows[1][4] == ours.reference


def test_communicators_learn_only_that_a_complaint_was_opened(defence, defence_officer) -> None:
    from dataclasses import asdict

    from django.db import connection

    from channels.connectors.base import ItemEvent, Verb
    from channels.tests.factories import ChannelFactory
    from complaints.selectors import (
        complaint_exists_sql,
        complaint_marker_annotations,
        complaint_marker_of,
    )
    from moderation.models import Item
    from moderation.services.ingest import item_apply_event
    from moderation.social_items import social_item

    channel = ChannelFactory(institution=defence)
    escalated, other = (
        item_apply_event(
            channel=channel,
            event=ItemEvent(external_id=name, verb=Verb.CREATE, author_name="Rita", text="x"),
        )
        for name in ("a", "b")
    )
    case = cases.case_open_from_item(
        item=social_item(escalated),
        actor=defence_officer,
        category=builtin(),
        subject="Rita's complaint",
    )
    ids = [escalated.pk, other.pk]
    annotated = Item.objects.filter(pk__in=ids).annotate(**complaint_marker_annotations())
    markers = {item.pk: complaint_marker_of(item) for item in annotated}
    assert markers[other.pk] is None
    assert asdict(markers[escalated.pk]) == {"opened_at": case.created_at, "is_open": True}
    with connection.cursor() as cursor:  # the queue's rows read the marker in SQL
        cursor.execute(
            f"SELECT id, {complaint_exists_sql('moderation_item.id')} FROM moderation_item "  # noqa: S608
            "WHERE id IN (%s, %s)",
            ids,
        )
        assert dict(cursor.fetchall()) == {escalated.pk: True, other.pk: False}


def test_one_save_of_a_recommendation_is_one_history_row_saying_what_changed(
    client: Client, defence, defence_officer
) -> None:
    """Issue 13/31: the editor wrote three identical rows per save (the save and each list)."""
    ours = register(defence)
    client.force_login(defence_officer)
    data = {
        "title": "Longer opening hours",
        "body": "Open until 18:00.",
        "status": "draft",
        "categories": [builtin().pk],
        "case_references": ours.reference,
    }
    created = client.post("/i/defence/complaints/recommendations/", data)
    recommendation = Recommendation.objects.get()
    assert recommendation.history.count() == 1
    assert recommendation.history.get().history_type == "+"
    client.post(created.url, data | {"status": "sent", "case_references": ""})
    assert recommendation.history.count() == 2
    latest = recommendation.history.first()
    assert (latest.history_type, latest.status, latest.history_user) == (
        "~",
        "sent",
        defence_officer,
    )
    assert latest.history_change_reason == "status,cases"
    assert list(latest.cases.values_list("case_id", flat=True)) == []  # the lists as saved
    client.post(created.url, data | {"status": "sent", "case_references": ""})  # no change
    assert recommendation.history.count() == 2
    page = client.get(created.url).content.decode()
    assert "Changed: Status, Complaints" in page
    assert "Created" in page
