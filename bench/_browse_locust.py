"""The locust scenario of bench/browse.py (a locustfile: ``locust -f bench/_browse_locust.py``).

Each simulated moderator signs in once, then loops: the queue page and its two htmx polls (the
new-items count and the unread-notifications badge), an item picked among the first page's rows,
and one time in three a decision on it ("assign to me" or "no action needed", followed by the
page it redirects to, as a browser would), then thinks 2 to 5 seconds. A poll answered with an
``ETag`` is asked again with ``If-None-Match``, as a browser revalidates.

Configured by environment variables set by bench/browse.py: ``BROWSE_ACCOUNTS`` (JSON list of
``[email, password, institution slug]``, one per user, taken in turn), ``BROWSE_CANARIES``
(JSON object: slug -> the text only that institution's pages may show), ``BROWSE_WARM_UP``
(seconds after the last sign-in before requests count), ``BROWSE_DURATION`` (seconds counted,
then the run stops), ``BROWSE_WEB_PID`` (gunicorn's master: its CPU time), ``BROWSE_RESULT``
(where to write the figures as JSON when the run stops). Every response body is searched for
other institutions' canaries: a hit is a tenancy leak.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from itertools import count
from pathlib import Path
from typing import Any

import gevent
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

ACCOUNTS: list[list[str]] = json.loads(os.environ.get("BROWSE_ACCOUNTS", "[]"))
CANARIES: dict[str, str] = json.loads(os.environ.get("BROWSE_CANARIES", "{}"))
WARM_UP = float(os.environ.get("BROWSE_WARM_UP", "5"))
DURATION = float(os.environ.get("BROWSE_DURATION", "180"))
RESULT = os.environ.get("BROWSE_RESULT", "")
THINK = tuple(float(v) for v in os.environ.get("BROWSE_THINK", "2,5").split(","))
"""Seconds of thought between two loops (min, max): 2 to 5 for the scenario, less to find the
server's capacity."""
DECISION_SHARE = 1 / 3
SIGN_IN_ATTEMPTS = 5

ITEM_LINK = re.compile(r'href="(/i/[^"/]+/queue/items/(\d+)/)')
NEW_COUNT = re.compile(r'hx-get="(/i/[^"]+/queue/new/[^"]*)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_next_account = count()
_random = random.SystemRandom()


class Figures:
    """Response times per page (ms) once every user has signed in, errors, leaks."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.signed_in = 0
        self.started = 0
        self.sign_in_retries = 0
        self.sign_in_errors: list[str] = []
        self.started_at: float | None = None
        self.ended_at = 0.0
        self.requests = 0
        self.errors: list[str] = []
        self.refused = 0
        self.leaks: list[str] = []
        self.not_modified = 0
        self.web_cpu_started = 0.0
        self.web_cpu_seconds = 0.0

    def web_cpu_at_start(self) -> None:
        self.web_cpu_started = web_cpu_seconds()

    def measuring(self) -> bool:
        return self.started_at is not None and time.monotonic() >= self.started_at

    def record(self, page: str, milliseconds: float) -> None:
        if self.measuring():
            self.times.setdefault(page, []).append(milliseconds)
            self.requests += 1
            self.ended_at = time.monotonic()


FIGURES = Figures()


def web_cpu_seconds() -> float:
    """CPU time used so far by gunicorn (``BROWSE_WEB_PID``, its master): the master, its live
    workers and the workers it reaped (``--max-requests`` restarts them). The cost of a request
    on the server, whatever else runs on the machine."""
    pid = os.environ.get("BROWSE_WEB_PID", "")
    if not pid:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = sum(int(value) for value in stat[11:15])  # utime, stime, cutime, cstime
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # exited meanwhile: counted in cutime from now on
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


class Moderator(FastHttpUser):
    wait_time = between(THINK[0], THINK[1])

    def on_start(self) -> None:
        email, password, self.slug = ACCOUNTS[next(_next_account) % len(ACCOUNTS)]
        self.others = [text for slug, text in CANARIES.items() if slug != self.slug]
        self.etags: dict[str, str] = {}
        self.signed_in = False
        for attempt in range(SIGN_IN_ATTEMPTS):  # as a person tries again after an error
            if attempt:
                FIGURES.sign_in_retries += 1
                gevent.sleep(_random.uniform(2, 5))
            if self._sign_in(email, password):
                self.signed_in = True
                FIGURES.signed_in += 1
                break
        FIGURES.started += 1
        if FIGURES.started == self.environment.runner.target_user_count:
            FIGURES.started_at = time.monotonic() + WARM_UP
            gevent.spawn_later(WARM_UP, FIGURES.web_cpu_at_start)
            gevent.spawn_later(WARM_UP + DURATION, self._stop)

    def _sign_in(self, email: str, password: str) -> bool:
        login = self.client.get("/accounts/login/", name="login")
        token = CSRF.search(login.text or "")
        response = self.client.post(
            "/accounts/login/",
            data={"login": email, "password": password,
                  "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
            allow_redirects=False,
        )  # fmt: skip
        if response.status_code != 302:
            FIGURES.sign_in_errors.append(f"{email}: {response.status_code}")
        return response.status_code == 302

    def _stop(self) -> None:
        FIGURES.web_cpu_seconds = web_cpu_seconds() - FIGURES.web_cpu_started
        self.environment.runner.quit()

    def _get(self, url: str, page: str, **headers: str) -> Any:
        started = time.perf_counter()
        response = self.client.get(url, name=page, headers=headers or None, allow_redirects=False)
        self._check(response, page, started, expected=(200, 304))
        return response

    def _check(self, response: Any, page: str, started: float, expected: tuple[int, ...]) -> None:
        FIGURES.record(page, (time.perf_counter() - started) * 1000)
        if response.status_code not in expected:
            if FIGURES.measuring():
                FIGURES.errors.append(f"{page} {response.status_code} {response.url}")
            return
        body = response.text or ""
        for canary in self.others:
            if canary in body:
                FIGURES.leaks.append(f"{page} {response.url} shows {canary}")

    def _poll(self, url: str) -> None:
        """A poll, revalidated with the ETag of its previous answer when there was one."""
        headers = {"HX-Request": "true"}
        if url in self.etags:
            headers["If-None-Match"] = self.etags[url]
        response = self._get(url, "poll", **headers)
        if response.status_code == 304:
            FIGURES.not_modified += FIGURES.measuring()
        elif response.headers.get("ETag"):
            self.etags[url] = response.headers["ETag"]

    @task
    def browse(self) -> None:
        if not self.signed_in:  # gave up signing in: counted as an error
            return
        queue = self._get(f"/i/{self.slug}/queue/", "queue")
        html = queue.text or ""
        poll = NEW_COUNT.search(html)
        if poll:
            self._poll(poll.group(1).replace("&amp;", "&"))
        self._poll("/notifications/unread-count/")
        links = ITEM_LINK.findall(html)
        if not links:
            return
        path, _ = _random.choice(links[:50])
        item_url = f"{path}?queue=status%3Dopen"
        item = self._get(item_url, "item")
        if _random.random() < DECISION_SHARE:
            self._decide(path, item.text or "")

    def _decide(self, path: str, item_html: str) -> None:
        token = CSRF.search(item_html)
        if not token or ("/assign-me/" not in item_html and "/no-action/" not in item_html):
            return
        action = _random.choice(("assign-me", "no-action"))
        started = time.perf_counter()
        response = self.client.post(
            f"{path}{action}/",
            data={"csrfmiddlewaretoken": token.group(1), "queue": "status=open"},
            headers={"Referer": self.host + path},
            name="decision",
            allow_redirects=False,
        )
        # 400: someone else handled the item first (the page says so); not a server error.
        self._check(response, "decision", started, expected=(302, 400))
        if response.status_code == 400:
            FIGURES.refused += FIGURES.measuring()
        elif response.status_code == 302:
            self._get(response.headers["Location"], "item")


@events.quitting.add_listener
def _write_figures(environment: Any, **_: Any) -> None:
    if not RESULT:
        return
    seconds = (FIGURES.ended_at - FIGURES.started_at) if FIGURES.started_at else 0.0
    with open(RESULT, "w", encoding="utf-8") as out:
        json.dump(
            {
                "times": FIGURES.times,
                "seconds": seconds,
                "requests": FIGURES.requests,
                "signed_in": FIGURES.signed_in,
                "sign_in_retries": FIGURES.sign_in_retries,
                "sign_in_errors": FIGURES.sign_in_errors,
                "errors": FIGURES.errors,
                "refused": FIGURES.refused,
                "leaks": FIGURES.leaks,
                "not_modified": FIGURES.not_modified,
                "web_cpu_seconds": FIGURES.web_cpu_seconds,
            },
            out,
        )
