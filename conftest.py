"""Shared fixtures: personas in two institutions (defence and federal-police), test settings.

The personas follow the STYLE.md convention: ``defence_communicator``, ``defence_admin``,
``defence_officer``, and ``police_communicator`` who is an outsider to Defence.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import translation
from pytest_django import DjangoDbBlocker

from accounts.models import Institution, Role, User
from accounts.tests.factories import InstitutionFactory, member
from tests.demo_snapshot import DemoSeed, restore

DEMO_TOTP_SECRET = "GOVSOCIALDEMOTOTPSECRET2345672AB"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Test connections commit without waiting for the disk (``synchronous_commit = off``).

    A commit otherwise waits for its WAL flush: 0.6 to 3 ms on the shared 2-core machine against
    0.05 ms without (measured), where seed_demo commits some 2,300 times, a browser tour at
    every request and a transactional test at its flush.
    Only durability across a crash of PostgreSQL is given up, which no test needs; what is
    committed is visible to every connection (the live server's) exactly as before.
    """
    from django.conf import settings
    from django.db import connections

    for alias, database in settings.DATABASES.items():
        if database["ENGINE"] != "django.db.backends.postgresql":
            continue
        for config in (database, connections[alias].settings_dict):
            options = config.setdefault("OPTIONS", {})
            if "synchronous_commit" not in options.get("options", ""):
                options["options"] = f"{options.get('options', '')} -c synchronous_commit=off"


@pytest.fixture(autouse=True)
def _test_settings(settings: pytest.FixtureRequest, tmp_path) -> None:
    """Fast password hashing, plain static storage, and a cache namespace of its own per test.

    The unique key prefix isolates rate-limit counters between tests and xdist workers that
    share one Redis, without flushing anybody else's keys.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"  # uploaded files never land in var/
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    caches = {alias: dict(config) for alias, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches
    from channels.views.hooks import recent_channels

    recent_channels.clear()
    # A request through the test client leaves its language active in the thread: each test
    # starts in the default language, whatever ran before it in this worker.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def demo_seed(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> DemoSeed:
    """This process's demo snapshot (each xdist worker has its own database, so its own seed)."""
    seed = DemoSeed(django_db_blocker, tmp_path_factory)
    seed.current()  # seeded now, outside any test's transaction
    return seed


@pytest.fixture
def demo_data(transactional_db: None, demo_seed: DemoSeed, settings: Any) -> None:
    """The database holds the demo exactly as ``seed_demo`` leaves it, uploaded files included,
    committed for a live server (the browser tours); emptied after the test, as any transactional
    test's. Use it instead of ``call_command("seed_demo")`` (tests/demo_snapshot.py)."""
    restore(demo_seed.current(), settings.MEDIA_ROOT)


@pytest.fixture
def demo_db(db: None, demo_seed: DemoSeed, settings: Any) -> None:
    """The same demo inside the test's transaction, rolled back after it (tests without a live
    server: cheaper than ``demo_data``'s flush)."""
    restore(demo_seed.current(), settings.MEDIA_ROOT)


def totp_code(secret: str, at: float | None = None, margin: float = 2.0) -> str:
    """RFC 6238 code computed independently of allauth, as an authenticator app would.

    GovSocial accepts no neighbouring period (MFA_TOTP_TOLERANCE = 0): a code read in the last
    ``margin`` seconds of its period could expire before the server checks it, so the current
    time waits for the next period then.
    """
    if at is None and 30 - time.time() % 30 < margin:
        time.sleep(30 - time.time() % 30 + 0.1)
    counter = int((time.time() if at is None else at) // 30)
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def enrol_totp(user: User, secret: str = DEMO_TOTP_SECRET) -> None:
    TOTP.activate(user, secret)


@pytest.fixture
def defence(db: None) -> Institution:
    return InstitutionFactory(
        slug="defence", name_en="Defence", name_fr="Défense", name_nl="Defensie"
    )


@pytest.fixture
def police(db: None) -> Institution:
    return InstitutionFactory(
        slug="federal-police",
        name_en="Federal Police",
        name_fr="Police fédérale",
        name_nl="Federale Politie",
    )


@pytest.fixture
def defence_communicator(defence: Institution) -> User:
    return member(defence, Role.COMMUNICATOR, email="communicator@defence.test")


@pytest.fixture
def defence_officer(defence: Institution) -> User:
    """Complaint officers see complainants' personal data: like admins, they must use MFA."""
    user = member(defence, Role.COMPLAINT_OFFICER, email="officer@defence.test")
    enrol_totp(user)
    return user


@pytest.fixture
def defence_admin(defence: Institution) -> User:
    user = member(defence, Role.INSTITUTION_ADMIN, email="admin@defence.test")
    enrol_totp(user)
    return user


@pytest.fixture
def police_communicator(police: Institution) -> User:
    return member(police, Role.COMMUNICATOR, email="communicator@police.test")


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Celery's broker unreachable (nothing listens on port 1) for one test.

    Celery caches its connection and producer pools on first publish: they are dropped before
    and after, or a pool made for the dead broker would serve every later test of the process.
    """
    from govsocial.celery import app

    app._after_fork()  # Celery's own reset of its pools (done in every forked worker)
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    yield
    monkeypatch.undo()
    app._after_fork()


@pytest.fixture
def platform_sandbox(settings) -> Iterator[object]:
    """The platform sandbox (devtools/platform_sandbox) served over HTTP on a free port, with
    every platform's API address pointed at it, as ``PLATFORM_SANDBOX_URL`` does."""
    from devtools.platform_sandbox.server import running

    with running() as sandbox:
        settings.PLATFORM_SANDBOX_URL = sandbox.url
        settings.PLATFORM_API_URLS = {
            platform: f"{sandbox.url}/{platform}" for platform in settings.PLATFORM_API_URLS
        }
        settings.CONNECTORS_ALLOW_PRIVATE_HOSTS = True
        yield sandbox
