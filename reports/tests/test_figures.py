"""Every report figure against a hand-counted fixture (Brussels time, November 2026).

Items of November 2026 (report month; "now" is 5 December 2026, 12:00 UTC):

| item | channel | lang | received (local) | outcome |
|---|---|---|---|---|
| A | FB | nl | 1 Nov 00:30 (31 Oct 23:30 UTC) | reply exactly at due_at: met, 24 h |
| B | FB | fr | 10 Nov 10:00 | reply at due_at + 1 s: late |
| C | X  | fr | 12 Nov 09:00 | removed under R1 after 30 min |
| D | X  | en | 20 Nov 08:00 | hidden under R2 after 2 h |
| E | FB | nl | 28 Nov 12:00 | never answered: late |

October 2026: F (FB, fr, 31 Oct 23:30 local, no action after 5 h). November 2025: G (FB, nl,
reply after 1 h). Open now: H (received 2 h ago), I (due in 2 h), E.

Complaints: K1 received 3 Nov, answered 20 Nov (17 days), closed founded; K2 received 5 Nov, not
answered, due 5 Dec 23:59:59 local (not late yet); K4 received 2 Nov, answered 4 Dec (32 days,
late); K3 received 1 Oct, answered 15 Nov (late).
"""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from reports.dashboard import dashboard
from reports.monthly import monthly_report
from reports.tests.world import NOVEMBER, NOW
from reports.transparency import transparency


def rows(report, key: str) -> dict[str, list]:  # type: ignore[no-untyped-def]
    return {row.label: row.values for row in report.table(key).rows}


def test_items_by_platform_language_and_kind_count_by_local_month(world) -> None:
    report = monthly_report(world, NOVEMBER, NOW)
    assert [p.key for p in report.periods] == ["2026-11", "2026-10", "2025-11"]
    assert rows(report, "items_platform") == {"Facebook": [3, 1, 1], "X (Twitter)": [2, 0, 0]}
    assert rows(report, "items_language") == {
        "Dutch": [2, 0, 1], "French": [2, 1, 0], "English": [1, 0, 0],
    }  # fmt: skip
    assert rows(report, "items_kind") == {"Comment": [4, 1, 1], "Mention": [1, 0, 0]}


def test_sla_boundary_percentiles_and_distribution(world) -> None:
    sla = rows(monthly_report(world, NOVEMBER, NOW), "sla")
    assert sla["Items received"] == [5, 1, 1]
    assert sla["Answered in time"] == [3, 1, 1]  # A at exactly due_at counts as met
    assert sla["Answered late"] == [1, 0, 0]  # B, one second later
    assert sla["Not answered, deadline passed"] == [1, 0, 0]  # E
    assert sla["Answered in time (share)"] == [60.0, 100.0, 100.0]
    assert sla["Median first response"][0] == 13.0  # (2 h + 24 h) / 2
    assert sla["90th percentile first response"][0] == 24.0
    distribution = rows(monthly_report(world, NOVEMBER, NOW), "response_time")
    assert distribution == {
        "Up to 1 h": [1, 0, 1], "1 to 4 h": [1, 0, 0], "4 to 12 h": [0, 1, 0],
        "12 to 24 h": [1, 0, 0], "More than 24 h": [1, 0, 0],
    }  # fmt: skip


def test_decisions_and_rules(world) -> None:
    report = monthly_report(world, NOVEMBER, NOW)
    decided = rows(report, "decisions_action")
    assert decided["Reply"] == [2, 0, 1]
    assert decided["Remove"] == [1, 0, 0]
    assert decided["Hide"] == [1, 0, 0]
    assert decided["No action needed"] == [1, 0, 0]  # F's decision was taken on 1 November
    assert rows(report, "moderation_rules") == {
        "R1 — Règle 1 · Remove": [1, 0, 0],
        "R2 — Règle 2 · Hide": [1, 0, 0],
    }


def test_complaint_figures(world) -> None:
    report = monthly_report(world, NOVEMBER, NOW)
    complaints = rows(report, "complaints")
    assert complaints["Received"] == [3, 1, 0]
    assert complaints["Answered"] == [2, 1, 0]
    assert complaints["Answered within 30 days"] == [1, 0, 0]
    assert complaints["Not answered, due date passed"] == [0, 0, 0]
    assert complaints["Answered within 30 days (share)"] == [50.0, 0.0, None]
    assert complaints["Average handling time"] == [24.5, 45.0, None]
    assert rows(report, "complaint_outcomes") == {"Founded": [1, 0, 0]}
    assert sum(values[0] for values in rows(report, "complaint_categories").values()) == 3


def test_categories_are_labelled_with_the_institutions_own_names(world, police) -> None:
    """Codes are unique per institution only: another institution's "parking" never labels ours
    (issue 13/21)."""
    from complaints.models import Case, Category

    ours = Category.objects.create(
        institution=world, code="parking", name_fr="Stationnement", name_nl="Parkeren",
        name_en="Parking at the barracks",
    )  # fmt: skip
    Category.objects.create(
        institution=police, code="parking", name_fr="PV", name_nl="PV", name_en="Parking fines"
    )
    Case.objects.filter(institution=world, received_at__month=11).update(category=ours)
    Category.objects.filter(pk=ours.pk).update(is_active=False)  # past cases keep their label
    assert rows(monthly_report(world, NOVEMBER, NOW), "complaint_categories") == {
        "Parking at the barracks": [3, 0, 0],
        "Service quality": [0, 1, 0],  # K3, received in October
    }


def test_a_channel_report_keeps_to_its_channel(world) -> None:
    from channels.models import Channel

    x = Channel.objects.get(name="Defensie X")
    report = monthly_report(world, NOVEMBER, NOW, channel=x)
    assert rows(report, "items_platform") == {"X (Twitter)": [2, 0, 0]}
    assert rows(report, "sla")["Answered in time"] == [2, 0, 0]
    assert report.table("recommendations") is None


def test_dashboard_now(world) -> None:
    figures = dashboard(world, NOW)
    assert (figures.items.open, figures.items.due_soon, figures.items.breached,
            figures.items.unassigned) == (3, 1, 1, 3)  # fmt: skip
    assert figures.month.key == "2026-12"
    assert (figures.sla.received, figures.sla.compliance) == (2, None)
    assert [(status, count) for status, _label, count in figures.cases.by_status] == [
        ("received", 1), ("acknowledged", 0), ("in_progress", 0), ("on_hold", 0),
    ]  # fmt: skip
    assert (figures.cases.due_soon, figures.cases.breached) == (1, 0)


def test_dashboard_sla_per_channel_and_language(world) -> None:
    with time_machine.travel(datetime(2026, 11, 30, 12, 0, tzinfo=UTC), tick=False):
        from django.utils import timezone

        figures = dashboard(world, timezone.now())
    by_channel = {channel.name: sla for channel, sla in figures.sla_by_channel}
    assert by_channel["Defensie X"].compliance == 100.0
    assert (by_channel["Defensie FB"].met, by_channel["Defensie FB"].missed) == (1, 2)  # B, E
    by_language = dict(figures.sla_by_language)
    assert by_language["fr"].met == 1  # C; B was late
    assert by_language["nl"].received == 2


def test_transparency_by_month(world) -> None:
    months = {m.month.key: m for m in transparency(world, NOW)}
    november = months["2026-11"]
    assert november.handled == 4
    assert november.answered_in_time_share == 60.0
    assert (november.hidden, november.removed) == (1, 1)
    assert [rule.url.rsplit("#", 1)[1] for rule in november.rules] == ["R1", "R2"]
    assert november.rules[0].url.startswith("/charters/defence/house-rules/")
    assert (november.complaints_received, november.complaints_in_time_share) == (3, 50.0)
    assert months["2026-10"].handled == 1
    assert len(months) == 12
