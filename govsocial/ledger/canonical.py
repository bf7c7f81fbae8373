"""The exact bytes an entry's content hash covers, and the chain's two hash rules (pure).

This is a published format: an outsider recomputes it with Python's standard library alone
(docs/accountability.md, tools/verify_ledger.py). Changing anything here makes every stored
entry fail verification, so it never changes; a new format would get a new ``VERSION``.

- the *document* of an entry is ``{"v": 1, "kind": ..., "id": ..., "salt": ..., "record": {...}}``
  where ``record`` holds the recorded row's fields (registry) as JSON values: datetimes in UTC as
  ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, dates ``YYYY-MM-DD``, decimals, UUIDs and floats as strings
  (a float's text differs between languages), foreign keys as their id;
- its bytes are ``json.dumps(document, sort_keys=True, separators=(",", ":"),
  ensure_ascii=True)`` encoded as ASCII;
- ``content_hash = sha256(bytes)`` and ``entry_hash = sha256(prev_hash + content_hash)`` over the
  128 ASCII characters of the two lowercase hex digests; the first entry's ``prev_hash`` is
  ``GENESIS``.

The random ``salt`` (kept in the entry, never published) makes a published content hash useless
for guessing what a record says: without it nobody can test a guess against the hash.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

VERSION = 1
GENESIS = "0" * 64


def json_value(value: Any) -> Any:
    """``value`` as a JSON value with one possible text."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return str(value)  # a TextChoices member becomes its plain value
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("The ledger refuses NaN and infinite numbers.")
        return repr(value)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    raise TypeError(f"The ledger cannot record a {type(value).__name__}.")


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("The ledger records aware datetimes only.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def document_bytes(*, kind: str, object_id: str, salt: str, record: Mapping[str, Any]) -> bytes:
    document = {
        "v": VERSION,
        "kind": kind,
        "id": object_id,
        "salt": salt,
        "record": json_value(record),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return text.encode("ascii")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def link_hash(prev_hash: str, content_hash: str) -> str:
    return sha256_hex((prev_hash + content_hash).encode("ascii"))


def new_salt() -> str:
    return secrets.token_hex(16)
