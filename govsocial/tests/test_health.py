"""/healthz reports database, broker, cache and the last deadline check, and answers 503 when
the instance cannot do its job."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from celery import Celery
from django.test import Client
from django.utils import timezone

from accounts.models import User
from deadlines.engine import deadlines_check
from govsocial import health


@pytest.fixture
def broken_broker(monkeypatch):
    """The health check sees a broker nobody listens on (port 1): a Celery app of its own, never
    made the current app (shared tasks publish through the current app, so every later test of
    the process would publish to port 1), and the project's app and pools stay untouched."""
    broken = Celery("broken", broker="redis://127.0.0.1:1/0", set_as_current=False)
    monkeypatch.setattr(health, "celery_app", broken)


@pytest.mark.django_db
def test_healthz_is_200_when_everything_answers(client: Client) -> None:
    deadlines_check()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "up",
        "broker": "up",
        "cache": "up",
        "deadline_check": "ok",
        "deadline_check_age_seconds": 0,
    }
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_deadline_check_never_ran(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["deadline_check"] == "never run"


@pytest.mark.django_db
def test_healthz_is_503_once_the_last_check_is_older_than_180_seconds(client: Client) -> None:
    deadlines_check()
    with time_machine.travel(timezone.now() + timedelta(seconds=179), tick=False):
        assert client.get("/healthz").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=181), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["deadline_check"] == "stale"
    assert "is Celery beat running?" in body["reason"]


@pytest.mark.django_db
def test_superusers_see_what_the_last_check_found(client: Client) -> None:
    deadlines_check()
    assert "deadline_check_last_run" not in client.get("/healthz").json()
    client.force_login(User.objects.create_superuser("root@govsocial.test", "x" * 20))
    last = client.get("/healthz").json()["deadline_check_last_run"]
    assert (last["warnings"], last["breaches"]) == (0, 0)


@pytest.mark.django_db
@pytest.mark.usefixtures("broken_broker")
def test_healthz_is_503_when_the_broker_is_down(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["status"] == "fail"
