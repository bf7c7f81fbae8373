"""Playwright in Debian's Chromium (no browser download) against pytest-django's live server.

The demo data: a tour that needs it asks for the ``demo_data`` fixture (``@pytest.mark.usefixtures(
"demo_data")`` or a ``demo_data: None`` argument) instead of calling ``call_command("seed_demo")``
(some 20 s a call). ``demo_data`` (the root conftest.py) puts back the demo exactly as seeded,
uploaded files included, in well under a second, whatever the tests before changed: the demo is
seeded once per test process and copied out (tests/demo_snapshot.py). It empties the whole
database first: rows that other fixtures of the test made before it are gone, so add them after.
A module that wants the demo once for all its tests behind a server of its own (the page walker)
calls ``restore(demo_seed.current(), media_root)`` in a module fixture.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in this thread for the whole session;
    the tests' own ORM calls (and the database flush after each test) are still synchronous and
    safe (microsoft/playwright-pytest#29)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Reduced motion: Bootstrap then drops its transitions, so axe never measures the contrast
    of a button halfway through a colour change (a flaky ``color-contrast``)."""
    return {**browser_context_args, "reduced_motion": "reduce"}


@pytest.fixture
def watched_page(page: Page) -> Iterator[Page]:
    """A page that fails the test on any CSP violation or console error."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    yield page
    assert problems == []
