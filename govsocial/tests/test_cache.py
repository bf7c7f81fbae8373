"""A Redis outage degrades the cache to per-process memory: logins go on, never a 500."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD
from govsocial.cache import ResilientRedisCache

DEAD_REDIS = {
    "default": {
        "BACKEND": "govsocial.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_unreachable_redis_falls_back_to_memory_and_says_so() -> None:
    cache = ResilientRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}
    )
    assert not cache.degraded
    assert cache.add("key", 1, 30) is True
    assert cache.degraded
    assert cache.get("key") == 1
    assert cache.incr("key") == 2
    started = time.monotonic()
    cache.get("key")
    assert time.monotonic() - started < 0.05, "a degraded cache must not retry Redis every call"


def test_reachable_redis_is_used_normally(settings) -> None:
    cache = caches["default"]
    cache.set("healthy", "yes", 10)
    assert cache.get("healthy") == "yes"
    assert not cache.degraded


@pytest.mark.django_db
def test_login_works_while_redis_is_down(settings, client: Client, defence_communicator) -> None:
    settings.CACHES = DEAD_REDIS
    page = client.get(reverse("account_login"))
    assert page.status_code == 200
    wrong = client.post(
        reverse("account_login"),
        {"login": defence_communicator.email, "password": "wrong password here"},
    )
    assert wrong.status_code == 200
    right = client.post(
        reverse("account_login"), {"login": defence_communicator.email, "password": TEST_PASSWORD}
    )
    assert right.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_rate_limit_still_holds_per_process_while_redis_is_down(
    settings, client: Client, defence_communicator
) -> None:
    settings.CACHES = DEAD_REDIS
    for _ in range(5):
        client.post(
            reverse("account_login"), {"login": defence_communicator.email, "password": "nope-nope"}
        )
    blocked = client.post(
        reverse("account_login"), {"login": defence_communicator.email, "password": TEST_PASSWORD}
    )
    assert blocked.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in blocked.content.decode()


def test_one_redis_client_serves_every_call_of_a_process() -> None:
    cache = caches["default"]
    cache.set("reuse", 1, 10)
    first = cache._cache.get_client(write=True)
    assert cache.get("reuse") == 1
    assert cache._cache.get_client(write=True) is first
    assert cache._cache.get_client(write=True).ping()
