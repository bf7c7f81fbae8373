"""/healthz reports database, broker and cache, and answers 503 when it cannot work."""

from __future__ import annotations

import pytest
from django.test import Client

from govsocial.celery import app as celery_app


@pytest.fixture
def broken_broker():
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    yield
    celery_app.conf.broker_url = original


@pytest.mark.django_db
def test_healthz_is_200_when_everything_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "up",
        "broker": "up",
        "cache": "up",
    }
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.usefixtures("broken_broker")
def test_healthz_is_503_when_the_broker_is_down(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["status"] == "fail"
