"""The suite runs all of itself: every folder holding tests is under pytest's ``testpaths``.

A folder left out of ``testpaths`` is never collected by ``make test`` or CI, silently (the
18 tests of ``reports/`` once went unrun that way).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_OURS = {".venv", "node_modules", ".git", "var", "staticfiles"}


def folders_with_tests(root: Path) -> set[Path]:
    found = set()
    for test_file in root.rglob("test_*.py"):
        relative = test_file.relative_to(root)
        if relative.parts[0] in NOT_OURS:
            continue
        found.add(test_file.parent)
    return found


def uncollected(root: Path, testpaths: list[str]) -> list[str]:
    collected = [root / path for path in testpaths]
    return sorted(
        str(folder.relative_to(root))
        for folder in folders_with_tests(root)
        if not any(folder == path or path in folder.parents for path in collected)
    )


def test_every_folder_with_tests_is_in_testpaths(pytestconfig: pytest.Config) -> None:
    missing = uncollected(ROOT, pytestconfig.getini("testpaths"))
    assert missing == [], f"add these folders to testpaths in pytest.ini: {missing}"


def test_a_folder_left_out_is_reported(tmp_path: Path) -> None:
    for app in ("reports", "moderation"):
        (tmp_path / app / "tests").mkdir(parents=True)
        (tmp_path / app / "tests" / "test_x.py").write_text("")
    assert uncollected(tmp_path, ["moderation"]) == ["reports/tests"]
