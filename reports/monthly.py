"""The monthly report: every table for a month, beside the previous month and the same month a
year earlier, for an institution or one of its channels."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Institution, SpokenLanguage
from channels.models import Channel, Platform
from charter.models import CharterRule
from charter.selectors import rule_label
from complaints.models import Case, Category, Outcome, Recommendation
from moderation.models import Action, ContestOutcome, Decision, Item, ItemKind
from reports.periods import Month
from reports.stats import (
    RESPONSE_BUCKETS,
    ComplaintFigures,
    MonthKey,
    Sla,
    complaints_by_month,
    counts_by_month,
    hours,
    in_months,
    moderation_by_rule,
    month_key,
    sla_by,
)

BUCKET_LABELS = {
    "1h": gettext_lazy("Up to 1 h"),
    "4h": gettext_lazy("1 to 4 h"),
    "12h": gettext_lazy("4 to 12 h"),
    "24h": gettext_lazy("12 to 24 h"),
    "later": gettext_lazy("More than 24 h"),
}


@dataclass
class Row:
    label: str
    values: list[float | int | None]
    """One per period: the month, the previous month, the same month a year earlier."""
    unit: str = ""


@dataclass
class Table:
    key: str
    title: str
    dimension: str
    rows: list[Row]
    chart: bool = True

    @property
    def total(self) -> int:
        return sum(int(row.values[0] or 0) for row in self.rows)


@dataclass
class Report:
    month: Month
    periods: list[Month]
    channel: Channel | None
    tables: list[Table]

    def table(self, key: str) -> Table | None:
        return next((table for table in self.tables if table.key == key), None)


def monthly_report(
    institution: Institution, month: Month, now: datetime, channel: Channel | None = None
) -> Report:
    periods = [month, month.previous(), month.a_year_earlier()]
    keys = [(period.year, period.month) for period in periods]
    items = Item.objects.for_institution(institution).from_public()
    decisions = Decision.objects.for_institution(institution)
    outcomes = ContestOutcome.objects.for_institution(institution)
    cases = Case.objects.for_institution(institution)
    if channel is not None:
        items = items.filter(channel=channel)
        decisions = decisions.filter(item__channel=channel)
        outcomes = outcomes.filter(contest__decision__item__channel=channel)
        cases = cases.filter(channel=channel)
    tables = [
        _counted(
            "items_platform", _("Items received by platform"), _("Platform"),
            counts_by_month(items, "received_at", periods, "channel__platform"), keys,
            dict(Platform.choices),
        ),
        _counted(
            "items_kind", _("Items received by kind"), _("Kind"),
            counts_by_month(items, "received_at", periods, "kind"), keys, dict(ItemKind.choices),
        ),
        _counted(
            "items_language", _("Items received by language"), _("Language"),
            counts_by_month(items, "received_at", periods, "language"), keys,
            {**dict(SpokenLanguage.choices), "": _("Unknown")},
        ),
        _counted(
            "decisions_action", _("Decisions by action"), _("Action"),
            counts_by_month(decisions, "created_at", periods, "action"), keys,
            dict(Action.choices),
        ),
        _rules(decisions, periods, keys),
        _reversals(outcomes, periods, keys),
        *_sla_tables(items, periods, keys, now),
        *_complaint_tables(institution, cases, periods, keys, now),
    ]  # fmt: skip
    if channel is None:
        tables.append(_recommendations(institution, periods, keys))
    return Report(month=month, periods=periods, channel=channel, tables=tables)


def _counted(
    key: str,
    title: str,
    dimension: str,
    counts: dict[MonthKey, dict[str, int]],
    keys: list[MonthKey],
    labels: Mapping[str, object],
) -> Table:
    values = sorted({value for per_month in counts.values() for value in per_month})
    rows = [
        Row(str(labels.get(value, value)), [counts.get(k, {}).get(value, 0) for k in keys])
        for value in values
    ]
    rows.sort(key=lambda row: (-int(row.values[0] or 0), row.label))
    return Table(key, title, dimension, rows)


def _rules(decisions: QuerySet[Decision], periods: list[Month], keys: list[MonthKey]) -> Table:
    """Hides and removals by the house rule they cited (a rule is its code and title)."""
    language = active_language()
    counts: dict[str, list[int]] = {}
    for key, rule, action, count in moderation_by_rule(decisions, periods):
        label = f"{rule_label(rule, language)} · {Action(action).label}"
        per_period = counts.setdefault(label, [0] * len(keys))
        if key in keys:
            per_period[keys.index(key)] += count
    table_rows = [Row(label, list(values)) for label, values in counts.items()]
    table_rows.sort(key=lambda row: (-int(row.values[0] or 0), row.label))
    return Table("moderation_rules", _("Hides and removals by house rule"), _("Rule"), table_rows)


def _reversals(
    outcomes: QuerySet[ContestOutcome], periods: list[Month], keys: list[MonthKey]
) -> Table:
    """Per house rule cited (code and title, whatever the version): the contests decided in
    the month and the share of them that reversed the decision."""
    language = active_language()
    rows = (
        outcomes.filter(in_months("decided_at", periods))
        .annotate(month=TruncMonth("decided_at", tzinfo=periods[0].zone))
        .order_by()
        .values("month", "contest__decision__rule_id")
        .annotate(decided=Count("pk"), reversed=Count("pk", filter=Q(outcome="reversed")))
    )
    rules = (
        CharterRule.objects.filter(pk__in={row["contest__decision__rule_id"] for row in rows})
        .prefetch_related("texts")
        .in_bulk()
    )
    figures: dict[str, list[list[int]]] = {}
    for row in rows:
        key = month_key(row["month"])
        if key not in keys:
            continue
        label = rule_label(rules[row["contest__decision__rule_id"]], language)
        per_period = figures.setdefault(label, [[0, 0] for _key in keys])
        per_period[keys.index(key)][0] += row["decided"]
        per_period[keys.index(key)][1] += row["reversed"]
    table_rows = []
    for label, values in sorted(figures.items(), key=lambda entry: (-entry[1][0][0], entry[0])):
        table_rows.append(Row(_("%(rule)s · contests decided") % {"rule": label},
                              [decided for decided, _reversed in values]))  # fmt: skip
        table_rows.append(
            Row(
                _("%(rule)s · reversed (share)") % {"rule": label},
                [round(100 * rev / decided, 1) if decided else None for decided, rev in values],
                "%",
            )
        )
    return Table(
        "contest_reversals",
        _("Contested decisions reversed, by house rule"),
        _("Rule"),
        table_rows,
        chart=False,
    )


def active_language() -> str:
    return (translation.get_language() or "en")[:2]


def _sla_tables(
    items: QuerySet[Item], periods: list[Month], keys: list[MonthKey], now: datetime
) -> list[Table]:
    zone = periods[0].zone
    by_month = sla_by(
        items.filter(in_months("received_at", periods)).annotate(
            month=TruncMonth("received_at", tzinfo=zone)
        ),
        now,
        "month",
        with_buckets=True,
    )
    figures = {month_key(month): sla for month, sla in by_month.items()}
    slas = [figures.get(k) for k in keys]

    def row(label: str, pick: Callable[[Sla], float | int | None], unit: str = "") -> Row:
        empty = None if unit else 0  # nothing received that month: no share, no time
        return Row(label, [pick(sla) if sla else empty for sla in slas], unit)

    sla_table = Table(
        "sla",
        _("First answer within the response time"),
        _("Figure"),
        [
            row(_("Items received"), lambda s: s.received),
            row(_("Answered in time"), lambda s: s.met),
            row(_("Answered late"), lambda s: s.answered_late),
            row(_("Not answered, deadline passed"), lambda s: s.unanswered_late),
            row(_("Answered in time (share)"), lambda s: s.compliance, "%"),
            row(_("Median first response"), lambda s: hours(s.median), "h"),
            row(_("90th percentile first response"), lambda s: hours(s.p90), "h"),
        ],
        chart=False,
    )
    distribution = Table(
        "response_time",
        _("First-response time"),
        _("Answered within"),
        [
            Row(
                str(BUCKET_LABELS[name]),
                [sla.buckets[name] if sla and sla.buckets else 0 for sla in slas],
            )
            for name, _upper in RESPONSE_BUCKETS
        ],
    )
    return [distribution, sla_table]


def _complaint_tables(
    institution: Institution,
    cases: QuerySet[Case],
    periods: list[Month],
    keys: list[MonthKey],
    now: datetime,
) -> list[Table]:
    figures = complaints_by_month(cases, periods, now)
    per = [figures.get(k) for k in keys]

    def row(
        label: str, pick: Callable[[ComplaintFigures], float | int | None], unit: str = ""
    ) -> Row:
        empty = None if unit else 0  # no complaint that month: no share, no average
        return Row(label, [pick(f) if f else empty for f in per], unit)

    summary = Table(
        "complaints",
        _("Complaints"),
        _("Figure"),
        [
            row(_("Received"), lambda f: f.received),
            row(_("Answered"), lambda f: f.answered),
            row(_("Answered within 30 days"), lambda f: f.answered_in_time),
            row(_("Not answered, due date passed"), lambda f: f.unanswered_late),
            row(_("Answered within 30 days (share)"), lambda f: f.in_time_share, "%"),
            row(_("Average handling time"), lambda f: f.average_days, _("days")),
        ],
        chart=False,
    )
    categories = {str(c.pk): c.name for c in Category.objects.of_institution(institution)}
    return [
        summary,
        _counted(
            "complaint_outcomes", _("Complaints by outcome"), _("Outcome"),
            counts_by_month(cases.exclude(outcome=""), "received_at", periods, "outcome"), keys,
            dict(Outcome.choices),
        ),
        _counted(
            "complaint_categories", _("Complaints by category"), _("Category"),
            counts_by_month(cases, "received_at", periods, "category_id"), keys, categories,
        ),
    ]  # fmt: skip


def _recommendations(institution: Institution, periods: list[Month], keys: list[MonthKey]) -> Table:
    issued = Recommendation.objects.for_institution(institution).filter(~Q(status="draft"))
    counts = counts_by_month(issued, "created_at", periods, "institution_id")
    values = [sum(counts.get(k, {}).values()) for k in keys]
    return Table(
        "recommendations",
        _("Recommendations to management"),
        _("Figure"),
        [Row(_("Recommendations issued"), list(values))],
        chart=False,
    )
