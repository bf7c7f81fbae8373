"""Open data: the transparency figures and the statements of reasons as CSV and JSON, without
login, each valid against the schema served beside it, with its licence; nothing an institution
keeps to itself, and the same figures as the transparency page."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import jsonschema
import pytest
import time_machine
from django.test import Client

from reports.open_data import DATASETS
from reports.tests.world import NOW

pytestmark = pytest.mark.django_db

LICENCE_LINK = '<https://creativecommons.org/publicdomain/zero/1.0/>; rel="license"'


@pytest.fixture
def at_now():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


def body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def json_file(client: Client, path: str) -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Link"] == LICENCE_LINK
    document = json.loads(body(response))
    schema_path = path.split("?")[0].replace(".json", ".schema.json")
    schema = client.get(schema_path).json()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
    assert document["licence"]["name"] == "CC0-1.0"
    return document


def csv_file(client: Client, path: str, dataset: str) -> list[dict[str, str]]:
    """Read as a newcomer would, and checked against the Data Package's Table Schema."""
    response = client.get(path)
    assert response["Link"] == LICENCE_LINK
    text = body(response).decode("utf-8-sig")
    package = client.get("/transparency/defence/data/datapackage.json").json()
    [resource] = [r for r in package["resources"] if r["name"] == dataset]
    rows = list(csv.DictReader(io.StringIO(text), delimiter=resource["dialect"]["delimiter"]))
    fields = resource["schema"]["fields"]
    assert list(rows[0]) == [field["name"] for field in fields] if rows else True
    cast = {"integer": int, "number": float, "date": date.fromisoformat, "string": str}
    for row in rows:
        for field in fields:
            value = row[field["name"]]
            if value == "":
                assert not field["constraints"]["required"], field["name"]
            else:
                cast[field["type"]](value)
    return rows


@pytest.mark.usefixtures("at_now")
def test_the_figures_are_the_transparency_page_s_valid_and_licensed(client: Client, world) -> None:
    document = json_file(client, "/transparency/defence/data/figures.json")
    november = next(row for row in document["rows"] if row["month"] == "2026-11")
    page = client.get("/transparency/defence/").content.decode()
    assert "/transparency/defence/data/" in page  # linked from the transparency page
    assert november["hidden"] >= 1
    assert november["removed"] >= 1
    assert len(document["rows"]) == 12
    rows = csv_file(client, "/transparency/defence/data/figures.csv", "figures")
    assert {row["month"]: int(row["hidden"]) for row in rows}["2026-11"] == november["hidden"]
    rules = json_file(client, "/transparency/defence/data/rules.json")["rows"]
    assert any(r["rule_url"].endswith("?v=1#R1") for r in rules)
    csv_file(client, "/transparency/defence/data/rules.csv", "rules")


@pytest.mark.usefixtures("at_now")
def test_statements_of_reasons_are_open_without_personal_data(client: Client, world) -> None:
    document = json_file(client, "/transparency/defence/data/statements.json?month=2026-11")
    assert document["month"] == "2026-11"
    assert len(document["rows"]) == 2
    rows = csv_file(client, "/transparency/defence/data/statements.csv?month=2026-11", "statements")
    assert [row["puid"] for row in rows] == [row["puid"] for row in document["rows"]]
    text = body(client.get("/transparency/defence/data/statements.csv?month=2026-11")).decode()
    for secret in ("Author ", "Secret text", "Anne Dupont", "anne@example.be"):
        assert secret not in text
        assert secret not in json.dumps(document)


def test_every_dataset_is_described_in_the_data_package_with_its_licence(
    client: Client, defence
) -> None:
    package = client.get("/transparency/defence/data/datapackage.json").json()
    assert package["licenses"][0]["name"] == "CC0-1.0"
    assert {r["name"] for r in package["resources"]} == set(DATASETS)
    page = client.get("/transparency/defence/data/").content.decode()
    assert 'rel="license"' in page
    for name in DATASETS:
        assert f"/transparency/defence/data/{name}.schema.json" in page


def test_bad_requests_get_a_clear_answer(client: Client, defence) -> None:
    assert client.get("/transparency/defence/data/statements.json?month=13-2026").status_code == 400
    assert client.get("/transparency/defence/data/members.json").status_code == 404
    assert client.get("/transparency/defence/data/figures.xlsx").status_code == 404
    assert client.get("/transparency/no-such/data/figures.json").status_code == 404


@pytest.mark.usefixtures("at_now")
def test_one_institution_s_files_hold_only_its_own_figures(client: Client, world, police) -> None:
    own = json_file(client, "/transparency/federal-police/data/figures.json")
    assert all(row["hidden"] == row["removed"] == row["items_handled"] == 0 for row in own["rows"])
    statements = json_file(
        client, "/transparency/federal-police/data/statements.json?month=2026-11"
    )
    assert statements["rows"] == []
