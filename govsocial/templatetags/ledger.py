"""``{% ledger_proof row institution %}``: a record's ledger entry and its day's digest, for the
page that shows the record (a decision's page, for instance).

It shows the entry's number and hashes, the day's published digest (or when it will be
published), links to the day's public list, and the canonical document whose SHA-256 is the
content hash, so that the reader can check the record against the published digest with the
procedure of docs/accountability.md. The document holds the record itself (internal notes,
account ids): a public page passes ``with_document=False`` and shows the hashes and the digest,
which the day's published list lets anyone follow.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models

from govsocial.ledger.selectors import record_proof

register = template.Library()


@register.inclusion_tag("govsocial/_ledger_proof.html")
def ledger_proof(row: models.Model, institution: Any, with_document: bool = True) -> dict[str, Any]:
    return {
        "proof": record_proof(row, institution),
        "institution": institution,
        "with_document": with_document,
    }
