"""Contract tests generated from the OpenAPI document (Schemathesis) against a live server on
PostgreSQL: every operation, generated valid and invalid requests, with a token holding every
scope; no 5xx, every status documented, every body matching its schema.

Bounded for CI (``CONTRACT_EXAMPLES`` per operation, about a minute on a quiet machine):
``SCHEMATHESIS_EXAMPLES=500 pytest api/tests/test_contract.py`` runs a deeper pass.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import Scope
from api.tests.conftest import World, make_token

CONTRACT_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@pytest.mark.django_db(transaction=True)
def test_api_contract(live_server, world: World, defence, defence_admin, settings) -> None:
    """Every operation of the live schema, valid and invalid requests, one Hypothesis run per
    operation and mode (schemathesis's pytest loader is not used: it does not run under
    pytest 9)."""
    settings.API_RATE_LIMIT = (1_000_000, 60)  # the generator is no abuse
    token = make_token(defence, defence_admin, *Scope.values, name="Schemathesis")
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    calls = 0
    for operation in operations:
        for mode in MODES:

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(
                max_examples=CONTRACT_EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def run(case: schemathesis.Case) -> None:
                nonlocal calls
                calls += 1
                case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # Nothing to make invalid (no parameter, no body): the valid pass covers it.
                assert mode == GenerationMode.NEGATIVE, operation.label
    assert calls >= len(operations) * CONTRACT_EXAMPLES // 2
