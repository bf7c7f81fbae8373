#!/usr/bin/env python3
"""Check a day of an institution's GovSocial ledger against its published digest.

Standard library only, so that anyone can read and run it without installing anything:

    python3 verify_ledger.py https://govsocial.example.be defence 2026-12-01
    python3 verify_ledger.py https://govsocial.example.be defence 2026-12-01 --document doc.json

It fetches the institution's published digests (``/transparency/<slug>/ledger.json``) and the
day's entries (``/transparency/<slug>/ledger/<day>.json``), recomputes every entry hash of the
day as ``sha256(prev_hash + content_hash)``, checks each link, that the day starts where the
previous day's digest ended and that its last hash is the day's published digest. With
``--document``, a file holding the canonical content copied from a record's page, it also
checks that the SHA-256 of that content is one of the day's entries: the record was in the
ledger that day, exactly as shown. docs/accountability.md explains the format.

Exit status 0 when everything verifies, 1 otherwise (each problem is printed).
Not imported by GovSocial itself.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.request
from collections.abc import Callable
from typing import Any

GENESIS = "0" * 64


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (the user's URL)
        return json.load(response)


def check_day(index: dict[str, Any], published: dict[str, Any], day: str) -> list[str]:
    """The problems of ``day``: empty when its entries chain up to its published digest."""
    digests = {digest["day"]: digest for digest in index["digests"]}
    digest = digests.get(day)
    if digest is None:
        return [f"{day}: no digest is published for this day"]
    problems = []
    if published["digest"] != digest:
        problems.append(f"{day}: the day's list and the list of digests disagree")
    earlier = sorted(d for d in digests if d < day)
    expected_start = digests[earlier[-1]]["head_hash"] if earlier else GENESIS
    if published["previous_head_hash"] != expected_start:
        problems.append(f"{day}: does not start where the previous digest ended")
    prev_hash = published["previous_head_hash"]
    seq = digest["head_seq"] - digest["entries"]
    for entry in published["entries"]:
        seq += 1
        if entry["seq"] != seq:
            problems.append(f"entry #{seq} is missing from the day's list")
            return problems
        if entry["prev_hash"] != prev_hash:
            problems.append(f"entry #{seq}: its link to the previous entry differs")
        computed = sha256_hex((entry["prev_hash"] + entry["content_hash"]).encode("ascii"))
        if computed != entry["entry_hash"]:
            problems.append(f"entry #{seq}: its entry hash does not match its content hash")
        prev_hash = entry["entry_hash"]
    if seq != digest["head_seq"]:
        problems.append(
            f"{day}: the day's list ends at #{seq}, the digest at #{digest['head_seq']}"
        )
    if prev_hash != digest["head_hash"]:
        problems.append(f"{day}: the entries do not chain up to the published digest")
    return problems


def find_document(published: dict[str, Any], document: bytes) -> dict[str, Any] | None:
    """The day's entry whose content hash is the SHA-256 of ``document`` (trailing line breaks
    of a copied file ignored: the canonical content never ends with white space)."""
    content_hash = sha256_hex(document.rstrip(b"\r\n"))
    return next((e for e in published["entries"] if e["content_hash"] == content_hash), None)


def main(argv: list[str] | None = None, fetch: Callable[[str], Any] = fetch_json) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", help="the GovSocial site, e.g. https://govsocial.example.be")
    parser.add_argument("institution", help="the institution's slug, e.g. defence")
    parser.add_argument("day", help="the day, YYYY-MM-DD")
    parser.add_argument("--document", help="a file holding a record's canonical content")
    args = parser.parse_args(argv)
    base = f"{args.site.rstrip('/')}/transparency/{args.institution}"
    index = fetch(f"{base}/ledger.json")
    published = fetch(f"{base}/ledger/{args.day}.json")
    problems = check_day(index, published, args.day)
    if args.document:
        with open(args.document, "rb") as handle:
            entry = find_document(published, handle.read())
        if entry is None:
            problems.append("the document is not among the day's entries (changed, or another day)")
        else:
            print(f"The document is entry #{entry['seq']} ({entry['entry_hash']}).")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{args.day}: {len(published['entries'])} entries chain up to the digest.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
