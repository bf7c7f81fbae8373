from __future__ import annotations

import pytest

from reports.tests.world import build_world


@pytest.fixture
def world(db, defence, defence_admin, defence_communicator, defence_officer):  # type: ignore[no-untyped-def]
    return build_world(defence, defence_admin, defence_communicator, defence_officer)
