from __future__ import annotations

import pytest
from dateutil.relativedelta import relativedelta

from moderation.models import Item
from moderation.services.retention import items_anonymise_expired
from reports.tests.world import NOW, build_world


@pytest.fixture(params=["as received", "after item retention"])
def world(request, db, defence, defence_admin, defence_communicator, defence_officer):  # type: ignore[no-untyped-def]
    """Every report test runs twice: figures must not change when items' text and authors are
    erased by retention (the test's clock stays at NOW; only the retention job looks ahead)."""
    built = build_world(defence, defence_admin, defence_communicator, defence_officer)
    if request.param == "after item retention":
        assert items_anonymise_expired(NOW + relativedelta(months=13)) == Item.objects.count()
    return built
