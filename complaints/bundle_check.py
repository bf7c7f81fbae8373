"""Offline check of a downloaded evidence bundle (no database: it reads only the zip).

A bundle passes when its manifest is well formed, every file the manifest lists is in the zip
with the SHA-256 the manifest gives (and the one recorded when the piece was captured or
uploaded), and the zip holds nothing else. The manifest's own integrity is checked against the
SHA-256 the access log recorded when the bundle was downloaded (shown on the case page), when
given: a bundle whose files and manifest were both rewritten passes the file checks but not
that one. The first problem found is reported, as a sentence naming the file.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


class BundleProblem(Exception):
    """The bundle does not verify; the message names the first problem."""


@dataclass(frozen=True)
class BundleReport:
    case: str
    files: int
    manifest_sha256: str


def bundle_verify(path: Path, *, manifest_sha256: str = "") -> BundleReport:
    try:
        with zipfile.ZipFile(path) as bundle:
            return _verify(bundle, manifest_sha256.strip().lower())
    except FileNotFoundError:
        raise BundleProblem(f"{path}: no such file") from None
    except zipfile.BadZipFile as error:
        raise BundleProblem(f"{path}: not a readable zip file ({error})") from None


def _verify(bundle: zipfile.ZipFile, expected_manifest: str) -> BundleReport:
    names = bundle.namelist()
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise BundleProblem(f"{duplicates[0]}: present more than once in the zip")
    if MANIFEST not in names:
        raise BundleProblem(f"{MANIFEST}: missing")
    manifest_bytes = bundle.read(MANIFEST)
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    if expected_manifest and digest != expected_manifest:
        raise BundleProblem(
            f"{MANIFEST}: SHA-256 {digest} differs from the recorded {expected_manifest}"
        )
    entries = _entries(manifest_bytes)
    listed = set()
    for entry in entries:
        path = entry["path"]
        if path in listed:
            raise BundleProblem(f"{path}: listed twice in the manifest")
        listed.add(path)
        _check_file(bundle, names, entry)
    extra = sorted(set(names) - listed - {MANIFEST})
    if extra:
        raise BundleProblem(f"{extra[0]}: in the zip but not in the manifest")
    manifest = json.loads(manifest_bytes)
    return BundleReport(
        case=str(manifest.get("case", "")), files=len(entries), manifest_sha256=digest
    )


def _entries(manifest_bytes: bytes) -> list[dict[str, Any]]:
    try:
        manifest = json.loads(manifest_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleProblem(f"{MANIFEST}: not valid JSON ({error})") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list):
        raise BundleProblem(f"{MANIFEST}: no list of files")
    for number, entry in enumerate(files, start=1):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("sha256"), str)
        ):
            raise BundleProblem(f"{MANIFEST}: entry {number} has no path or no SHA-256")
    return files


def _check_file(bundle: zipfile.ZipFile, names: list[str], entry: dict[str, Any]) -> None:
    path = entry["path"]
    if path not in names:
        raise BundleProblem(f"{path}: listed in the manifest but missing from the zip")
    try:
        data = bundle.read(path)
    except zipfile.BadZipFile as error:  # e.g. a CRC mismatch: the bytes were altered
        raise BundleProblem(f"{path}: unreadable ({error})") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"]:
        raise BundleProblem(
            f"{path}: SHA-256 {digest} differs from the manifest's {entry['sha256']}"
        )
    recorded = entry.get("recorded_sha256")
    if recorded is not None and recorded != digest:
        raise BundleProblem(f"{path}: SHA-256 {digest} differs from the one recorded {recorded}")
