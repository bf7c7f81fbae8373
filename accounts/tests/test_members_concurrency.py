"""Two admins demoting each other at the same instant cannot leave the institution without one."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import Membership, Role
from accounts.services.members import member_set_roles
from accounts.tests.factories import InstitutionFactory, member


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_simultaneous_mutual_demotion_keeps_one_admin(round_: int) -> None:
    institution = InstitutionFactory()
    alice = member(institution, Role.INSTITUTION_ADMIN)
    bob = member(institution, Role.INSTITUTION_ADMIN)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor, target) -> None:
        try:
            barrier.wait(timeout=10)
            member_set_roles(
                institution=institution, actor=actor, user=target, roles=[Role.COMMUNICATOR]
            )
            outcomes.append("done")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=pair) for pair in ((alice, bob), (bob, alice))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["done", "refused"]
    assert Membership.objects.for_institution(institution).admins().count() == 1
