"""Open data: an institution's transparency figures and statements of reasons as CSV and JSON.

Nothing is computed here: the rows are the transparency page's figures
(``reports.transparency``, the same cached computation) and the statements of reasons export
(``reports.statements``), flattened. Each dataset's fields are declared once below; the
Table Schema (CSV), the JSON Schema (JSON) and the Data Package that lists the files and their
licence are generated from that one declaration, and a test checks every served row against
its schema. Licence: CC0 1.0 (docs/transparency.md, "Open data", says why).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from reports.transparency import PublicMonth

LICENCE = {
    "name": "CC0-1.0",
    "title": "Creative Commons Zero v1.0 Universal",
    "path": "https://creativecommons.org/publicdomain/zero/1.0/",
}
CSV_DIALECT = {"delimiter": ";", "header": True, "doubleQuote": True}
"""GovSocial's CSV dialect (``govsocial.csv_export``): semicolons, UTF-8 with a byte order
mark; open data is written in English, so numbers use a decimal point."""
FORMATS = ("csv", "json")

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    """``string``, ``integer``, ``number``, ``date`` or ``list`` (a JSON array; in CSV the
    values joined by commas)."""
    description: str
    nullable: bool = False


@dataclass(frozen=True)
class Dataset:
    name: str
    title: StrOrPromise
    """Shown on the open data page in the reader's language; English in the schemas."""
    description: str
    fields: tuple[Field, ...]
    monthly: bool = False
    """One file per month (``?month=YYYY-MM``), rather than the last twelve months."""


MONTH = Field("month", "string", "Calendar month in the institution's time zone, YYYY-MM.")
COUNTS = (
    Field("hidden", "integer", "Hides decided that month."),
    Field("removed", "integer", "Removals decided that month."),
    Field("hidden_carried_out", "integer", "Of those hides, carried out on the platform."),
    Field("removed_carried_out", "integer", "Of those removals, carried out on the platform."),
)
FIGURES = Dataset(
    "figures",
    _("Monthly figures"),
    "The transparency page's figures for the current month and the eleven before it.",
    (
        MONTH,
        Field("items_handled", "integer", "Public messages received that month and handled."),
        Field(
            "answered_in_time_percent",
            "number",
            "Percentage of them answered within the promised time (null: none known yet).",
            nullable=True,
        ),
        *COUNTS,
        Field("contests_received", "integer", "Decisions contested that month."),
        Field("contests_upheld", "integer", "Contests decided that month: decision upheld."),
        Field("contests_reversed", "integer", "Contests decided that month: decision reversed."),
        Field("complaints_received", "integer", "Complaints received that month."),
        Field(
            "complaints_in_time_percent",
            "number",
            "Percentage of them answered within 30 days (null: none known yet).",
            nullable=True,
        ),
    ),
)
RULES = Dataset(
    "rules",
    _("Hides and removals by house rule"),
    "Per month and per rule of the house rules cited, in the language of the request.",
    (
        MONTH,
        Field("rule", "string", "The rule cited and the version of the house rules."),
        Field("rule_url", "string", "The rule's public text in that version."),
        *COUNTS,
    ),
)
STATEMENTS = Dataset(
    "statements",
    _("Statements of reasons"),
    "Each hide and removal decided in the month, in the shape of the EU Digital Services Act "
    "transparency database (docs/transparency.md); no personal data, no message text.",
    (
        Field("puid", "string", "Unique identifier of the decision."),
        Field("platform_name", "string", "The institution."),
        Field("platform_channel", "string", "The social media platform."),
        Field("decision_visibility", "list", "DSA visibility restriction(s) applied."),
        Field("decision_visibility_other", "string", "Why not carried out yet.", nullable=True),
        Field("execution_state", "string", "Whether the platform carried it out."),
        Field("application_date", "date", "When it was carried out.", nullable=True),
        Field("decision_ground", "string", "DSA ground: incompatible with the house rules."),
        Field("incompatible_content_ground", "string", "The rule cited."),
        Field("decision_ground_reference_url", "string", "The rule's public text."),
        Field("incompatible_content_explanation", "string", "The statement of reasons."),
        Field("incompatible_content_illegal", "string", "Always No: house rules, not law."),
        Field("decision_facts", "string", "The facts, as written for the person concerned."),
        Field("automated_detection", "string", "Yes when a keyword watch flagged it."),
        Field("automated_decision", "string", "Always not automated."),
        Field("content_type", "list", "DSA content type(s)."),
        Field(
            "content_language",
            "string",
            "Language of the message (ISO 639-1, upper case), empty when unknown.",
            nullable=True,
        ),
        Field("content_date", "date", "When the message was posted."),
        Field("decision_date", "date", "When the decision was taken."),
        Field("source_type", "string", "DSA source: voluntary moderation."),
        Field("contest_state", "string", "open, upheld or reversed.", nullable=True),
        Field("contest_date", "date", "When it was contested.", nullable=True),
        Field("contest_outcome_date", "date", "When the contest was decided.", nullable=True),
    ),
    monthly=True,
)
DATASETS = {dataset.name: dataset for dataset in (FIGURES, RULES, STATEMENTS)}


def figures_rows(months: list[PublicMonth]) -> Iterator[dict[str, Any]]:
    for month in months:
        yield {
            "month": month.month.key,
            "items_handled": month.handled,
            "answered_in_time_percent": month.answered_in_time_share,
            "hidden": month.hidden,
            "removed": month.removed,
            "hidden_carried_out": month.hidden_done,
            "removed_carried_out": month.removed_done,
            "contests_received": month.contests_received,
            "contests_upheld": month.contests_upheld,
            "contests_reversed": month.contests_reversed,
            "complaints_received": month.complaints_received,
            "complaints_in_time_percent": month.complaints_in_time_share,
        }


def rules_rows(months: list[PublicMonth]) -> Iterator[dict[str, Any]]:
    for month in months:
        for rule in month.rules:
            yield {
                "month": month.month.key,
                "rule": rule.label,
                "rule_url": rule.url,
                "hidden": rule.hidden,
                "removed": rule.removed,
                "hidden_carried_out": rule.hidden_done,
                "removed_carried_out": rule.removed_done,
            }


def csv_cells(dataset: Dataset, rows: Iterable[dict[str, Any]]) -> Iterator[list[object]]:
    """The rows as CSV cells in the schema's order: null as an empty cell, lists joined."""
    for row in rows:
        yield [_cell(row[field.name]) for field in dataset.fields]


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return value


TABLE_TYPES = {"string": "string", "integer": "integer", "number": "number", "date": "date",
               "list": "string"}  # fmt: skip
JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "list": {"type": "array", "items": {"type": "string"}},
}


def table_schema(dataset: Dataset) -> dict[str, Any]:
    """The Frictionless Table Schema of the CSV file."""
    return {
        "fields": [
            {
                "name": field.name,
                "type": TABLE_TYPES[field.type],
                "description": field.description
                + (" Values separated by commas." if field.type == "list" else ""),
                "constraints": {"required": not field.nullable},
            }
            for field in dataset.fields
        ],
        "missingValues": [""],
    }


def json_schema(dataset: Dataset, schema_url: str) -> dict[str, Any]:
    """The JSON Schema (2020-12) of the JSON file: the institution, the licence, the rows."""

    def column(field: Field) -> dict[str, Any]:
        kind = dict(JSON_TYPES[field.type])
        if field.nullable:
            kind = {"anyOf": [kind, {"type": "null"}]}
        return {**kind, "description": field.description}

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_url,
        "title": str(dataset.title),
        "description": dataset.description,
        "type": "object",
        "required": ["institution", "licence", "rows"],
        "properties": {
            "institution": {"type": "string", "description": "The institution's short name."},
            "month": {"type": "string", "description": "The month of a monthly file."},
            "licence": {"type": "object", "required": ["name", "path"]},
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [field.name for field in dataset.fields],
                    "properties": {field.name: column(field) for field in dataset.fields},
                },
            },
        },
    }
