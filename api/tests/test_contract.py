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
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import Scope
from api.tests.conftest import World, make_token

CONTRACT_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "40"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(live_server, world: World, settings_override) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")


@pytest.fixture
def settings_override(settings) -> None:
    settings.API_RATE_LIMIT = (1_000_000, 60)  # the generator is no abuse


@pytest.fixture
def token(defence, defence_admin) -> str:
    return make_token(defence, defence_admin, *Scope.values, name="Schemathesis")


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=CONTRACT_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_contract(case: schemathesis.Case, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
