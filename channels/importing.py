"""Reading an uploaded file of items (CSV or JSON) into numbered rows, and a row into an event.

Pure functions, no database. The columns are those of the generic webhook (docs/imports.md):
``external_id`` is required, ``text``, ``action``, ``kind``, ``author_name``, ``author_handle``,
``author_url``, ``language``, ``permalink``, ``parent_id`` and ``occurred_at`` are optional,
and so is ``historic`` (yes/no: the row was already handled elsewhere and gets no answer
deadline; the whole file can be marked so at upload); unknown columns are ignored. CSV may
use commas, semicolons (Excel in Belgium) or tabs, in UTF-8 (with or without BOM) or
Windows-1252. JSON is a list of objects, or the webhook's ``{"items": [...]}``; each object may
nest ``author`` as the webhook does or use flat columns.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from channels.connectors import generic
from channels.connectors.base import ItemEvent, PayloadError

MAX_ROWS = 100_000
COLUMNS = (
    "external_id", "text", "action", "kind", "author_name", "author_handle", "author_url",
    "language", "permalink", "parent_id", "occurred_at", "historic",
)  # fmt: skip
YES = frozenset({"1", "true", "yes", "y", "x", "oui", "ja", "ok"})
NO = frozenset({"", "0", "false", "no", "n", "non", "nee"})


class ImportFileError(ValueError):
    """The file as a whole cannot be read; nothing is imported. The message is for the user."""


@dataclass(frozen=True)
class Row:
    number: int
    """CSV: the line the row starts on (the header is line 1). JSON: the record's position."""
    data: Any
    problem: str = ""
    """Why the row could not even be split into columns (too many values)."""


def read_rows(content: bytes, file_format: str) -> list[Row]:
    text = _decode(content)
    rows = list(_csv_rows(text) if file_format == "csv" else _json_rows(text))
    if not rows:
        raise ImportFileError(_("The file holds no item."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(
            _("At most %(max)s items per file; this one has %(count)s. Split it.")
            % {"max": f"{MAX_ROWS:,}", "count": f"{len(rows):,}"}
        )
    return rows


def row_event(row: Row) -> ItemEvent:
    """The row as an item event; ``PayloadError`` with a translated reason when it is invalid."""
    if row.problem:
        raise PayloadError(row.problem)
    item = row.data
    if isinstance(item, dict) and not isinstance(item.get("author"), dict):
        author = {key: item.get(f"author_{key}") for key in ("name", "handle", "url")}
        item = {**item, "author": author}
    return generic.item_event(item)


def row_is_historic(row: Row) -> bool:
    """Whether the row's ``historic`` column says it was already handled (``PayloadError``
    with a translated reason when the value is neither yes nor no)."""
    value = row.data.get("historic") if isinstance(row.data, dict) else None
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in YES or text in NO:
        return text in YES
    raise PayloadError(
        _("historic must be yes or no (1/0, true/false), not “%(value)s”.") % {"value": text[:40]}
    )


def detect_format(file_name: str, content: bytes) -> str:
    """``json`` when the name says so or the content starts like JSON, else ``csv``."""
    if file_name.lower().endswith(".json"):
        return "json"
    if file_name.lower().endswith((".csv", ".txt", ".tsv")):
        return "csv"
    return "json" if content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{") else "csv"


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is neither UTF-8 nor Windows-1252 text. Save it as CSV UTF-8.")
        ) from None


def _csv_rows(text: str) -> Iterator[Row]:
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(io.StringIO(text.replace("\x00", ""), newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    except csv.Error as error:
        raise ImportFileError(
            _("The header line cannot be read: %(error)s") % {"error": error}
        ) from None
    columns = [name.strip().lower().replace(" ", "_") for name in header]
    if "external_id" not in columns:
        raise ImportFileError(
            _("The first line must name the columns, including external_id. Known columns: %(c)s.")
            % {"c": ", ".join(COLUMNS)}
        )
    line = reader.line_num + 1
    try:
        for values in reader:
            if any(value.strip() for value in values):
                yield _csv_row(line, columns, values)
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s cannot be read: %(error)s") % {"line": line, "error": error}
        ) from None


def _csv_row(line: int, columns: list[str], values: list[str]) -> Row:
    if len(values) > len(columns):
        problem = _("This line has %(found)s values for %(expected)s columns.") % {
            "found": len(values),
            "expected": len(columns),
        }
        return Row(line, None, problem)
    return Row(
        line, {column: value.strip() for column, value in zip(columns, values, strict=False)}
    )


def _json_rows(text: str) -> Iterator[Row]:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            _("The file is not valid JSON: %(error)s (line %(line)s, column %(column)s).")
            % {"error": error.msg, "line": error.lineno, "column": error.colno}
        ) from None
    if isinstance(payload, dict) and isinstance(payload.get("items"), list):
        payload = payload["items"]
    if not isinstance(payload, list):
        raise ImportFileError(_("Expected a list of items, or an object with an 'items' list."))
    for position, record in enumerate(payload, start=1):
        yield Row(position, record)
