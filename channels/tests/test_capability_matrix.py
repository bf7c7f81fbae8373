"""The capability matrix is one place: the connectors' ``capabilities``. docs/platforms.md shows
it as a table built from the code, and this test keeps the two the same."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from channels.connectors.actions import ActionKind, Capability
from channels.connectors.registry import CONNECTORS, capability_matrix
from channels.models import Platform

COLUMNS = (
    (ActionKind.REPLY, "Reply"),
    (ActionKind.PRIVATE_REPLY, "Private reply"),
    (ActionKind.HIDE, "Hide"),
    (ActionKind.UNHIDE, "Unhide"),
    (ActionKind.DELETE, "Delete"),
    (ActionKind.PUBLISH, "Publish"),
)
DOC = Path(settings.BASE_DIR) / "docs" / "platforms.md"


def cell(capability: Capability | None) -> str:
    if capability is None:
        return "by hand"
    call = f"`{capability.call}`".replace("|", "\\|")
    return f"{call} (own posts only; others by hand)" if capability.own_only else call


def matrix_table() -> str:
    """The markdown table docs/platforms.md holds under "Capability matrix"."""
    lines = [
        "| Platform | " + " | ".join(label for _, label in COLUMNS) + " |",
        "|---|" + "---|" * len(COLUMNS),
    ]
    for platform, capabilities in capability_matrix().items():
        cells = [cell(capabilities.get(kind)) for kind, _ in COLUMNS]
        lines.append(f"| {Platform(platform).label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def test_the_docs_show_the_capability_matrix_of_the_code() -> None:
    expected = matrix_table()
    text = DOC.read_text(encoding="utf-8")
    assert "## Capability matrix" in text
    assert expected in text, (
        "docs/platforms.md does not hold the capability matrix of the code; paste this table "
        f"under '## Capability matrix':\n\n{expected}"
    )


def test_every_capability_is_a_known_kind_with_its_documented_call() -> None:
    matrix = capability_matrix()
    assert set(matrix) == set(CONNECTORS)
    for platform, capabilities in matrix.items():
        assert platform in Platform.values
        assert CONNECTORS[platform].platform == platform
        for kind, capability in capabilities.items():
            assert isinstance(kind, ActionKind), (platform, kind)
            assert isinstance(capability, Capability), (platform, kind)
            assert capability.call.strip(), f"{platform} {kind}: no documented call"


def test_what_a_connector_reads_back_is_declared() -> None:
    """Every kind is verified when the platform offers a read-back: only X's hide and unhide
    (the API shows no hidden state) go without. A new connector that forgets ``verify``
    fails here instead of leaving its actions unverified."""
    unverified = {
        (platform, kind)
        for platform, capabilities in capability_matrix().items()
        for kind, capability in capabilities.items()
        if not capability.verify.strip()
    }
    assert unverified == {("x", ActionKind.HIDE), ("x", ActionKind.UNHIDE)}


def test_publishing_is_available_on_facebook_and_mastodon_only() -> None:
    publishers = {p for p, caps in capability_matrix().items() if ActionKind.PUBLISH in caps}
    assert publishers == {"facebook", "mastodon"}
