"""Server-rendered bar charts: SVG drawn by a template, no script, the same numbers in a table
beside it (the chart is ``role="img"`` with a title; the table is what screen readers use)."""

from __future__ import annotations

from dataclasses import dataclass

from reports.monthly import Table

WIDTH = 640
LABEL_WIDTH = 240
BAR_AREA = WIDTH - LABEL_WIDTH - 60
ROW_HEIGHT = 26
BAR_HEIGHT = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int
    text_y: int
    width: int
    value_x: int


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int


def bar_chart(table: Table) -> Chart | None:
    """Horizontal bars of the table's first column (the month reported); None without data."""
    values = [(row.label, float(row.values[0] or 0)) for row in table.rows]
    if not values or max(value for _, value in values) <= 0:
        return None
    largest = max(value for _, value in values)
    bars = []
    for index, (label, value) in enumerate(values):
        width = round(BAR_AREA * value / largest)
        y = index * ROW_HEIGHT + 6
        bars.append(
            Bar(
                label=label if len(label) <= 34 else f"{label[:33]}…",
                value=value,
                y=y,
                text_y=y + BAR_HEIGHT - 3,
                width=max(width, 1 if value else 0),
                value_x=LABEL_WIDTH + width + 6,
            )
        )
    return Chart(
        key=table.key,
        title=table.title,
        bars=bars,
        width=WIDTH,
        height=len(bars) * ROW_HEIGHT + 12,
        label_width=LABEL_WIDTH,
    )
