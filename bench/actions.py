"""Platform actions benchmark: ``--n`` queued replies carried out on Mastodon by one worker.

Run: ``python bench/actions.py [--n 10000]`` (``make bench`` runs every bench). A database of its
own on the PostgreSQL of ``DATABASE_URL`` (dropped at the end), and the platform sandbox
(devtools/platform_sandbox) in a process of its own, over real HTTP on 127.0.0.1.
Five Mastodon channels of one institution each get their share of ``--n`` items, each with a
reply decision and its queued ``PlatformAction`` (bulk inserts; the mentions exist on the
sandbox), then ``ANALYZE``: without statistics the planner may find the claimed row through the
due-actions index, reading every queued row, where a live database uses the primary key. Then
one worker loop calls the real service, ``action_execute``, for every action in turn: claim
(one statement: lock, mark *sending*, commit), ``POST /api/v1/statuses`` with the action's
Idempotency-Key, read back (``GET /api/v1/statuses/:id``), record execution, verification,
the item's SLA answer, the two results and their two ledger entries in one statement. No
Celery broker is involved: the loop is what a worker's task does, without the broker's round
trip. Reported: actions per second, how many ended verified, ``duplicates`` (statuses on the
sandbox minus actions carried out: must be 0), and the worker's cost per action: CPU time, SQL
statements and, with ``--steps``, CPU per step (claim, platform call, read-back, record). The
last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# bench/ holds queue.py, named like the standard library's queue: the folder goes to the end of
# the path (as queue.py does) so that ``import queue`` finds the standard one.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.append(str(HERE))

import requests  # noqa: E402
from _benchdb import ROOT, django_bench_database, free_port, wait_for_port  # noqa: E402

CHANNELS = 5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000, help="queued actions")
    parser.add_argument(
        "--steps", action="store_true", help="also the worker's CPU per step (adds a little)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with django_bench_database("actions"):
        from django.conf import settings

        settings.CONNECTORS_ALLOW_PRIVATE_HOSTS = True  # the sandbox listens on 127.0.0.1
        with _sandbox_process() as url:
            action_ids = _setup(url, args.n)
            seconds, states, cost = _run(action_ids, steps=args.steps)
            published = requests.get(f"{url}/_sandbox/mastodon/own-statuses", timeout=30).json()[
                "count"
            ]
    carried_out = states.get("verified", 0) + states.get("executed", 0)
    print(
        json.dumps(
            {
                "bench": "actions",
                "n": args.n,
                "actions": len(action_ids),
                "seconds": round(seconds, 2),
                "actions_per_s": round(len(action_ids) / seconds, 1),
                "verified": states.get("verified", 0),
                "states": states,
                "statuses_on_platform": published,
                "duplicates": published - carried_out,
                "channels": CHANNELS,
                "broker": "none (one loop calling the service)",
                **cost,
            }
        )
    )


@contextmanager
def _sandbox_process() -> Iterator[str]:
    """The sandbox in a process of its own, as a platform is another machine: in a thread of
    this one it would share the worker's interpreter lock and slow both down."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.platform_sandbox", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _setup(url: str, n: int) -> list[int]:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from accounts.models import Institution, Membership, Role, User
    from channels.models import Channel
    from devtools.platform_sandbox import mastodon as sandbox_mastodon
    from moderation.models import Decision, Item, PlatformAction

    institution = Institution.objects.create(
        slug="bench-actions", name_en="Bench", name_fr="Bench", name_nl="Bench"
    )
    actor = User.objects.create_user(email="communicator@bench.example", password=None)
    Membership.objects.create(user=actor, institution=institution, role=Role.COMMUNICATOR)
    channels = []
    for number in range(CHANNELS):
        channel = Channel(
            institution=institution, platform="mastodon", name=f"Mastodon {number}",
            url=f"{url}/@defensie", languages=["fr", "nl"],
            response_hours=24, crisis_response_hours=1,
        )  # fmt: skip
        channel.access_token = sandbox_mastodon.TOKEN
        channel.save()
        channels.append(channel)
    now = timezone.now()
    items = Item.objects.bulk_create(
        Item(
            institution=institution,
            channel=channels[g % CHANNELS],
            external_id=str(10**9 + g),
            kind="mention",
            author_name="Lies",
            author_handle="@lies@social.example",
            text=f"Vraag {g}",
            received_at=now,
            due_at=now + timedelta(hours=24),
            warn_at=now + timedelta(hours=18),
            status="answered",
        )
        for g in range(n)
    )
    for start in range(0, len(items), 1000):
        mentions = [{"id": i.external_id, "text": i.text} for i in items[start : start + 1000]]
        requests.post(
            f"{url}/_sandbox/mastodon/mentions", json={"mentions": mentions}, timeout=60
        ).raise_for_status()
    decisions = Decision.objects.bulk_create(
        Decision(
            institution=institution,
            item=item,
            actor=actor,
            action="reply",
            created_at=now,
            reply_text=f"Antwoord op vraag {item.external_id}.",
        )
        for item in items
    )
    actions = PlatformAction.objects.bulk_create(
        PlatformAction(
            institution=institution,
            channel_id=decision.item.channel_id,
            kind="reply",
            decision=decision,
            target_id=decision.item.external_id,
            text=decision.reply_text,
            state="queued",
            next_attempt_at=now,
        )
        for decision in decisions
    )
    with connection.cursor() as cursor:  # statistics, as a live database has them (autovacuum)
        for model in (PlatformAction, Decision, Item, Channel):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return [action.pk for action in actions]


STEPS = {
    "action_claim": "claim",
    "_attempt": "platform_call",
    "_read_back": "read_back",
    "_save_attempt": "record",
}
"""The functions of ``platform_actions`` timed with ``--steps``, and their names in the JSON."""


def _run(action_ids: list[int], *, steps: bool) -> tuple[float, dict[str, int], dict[str, Any]]:
    """Carry every action out; the wall time, the states at the end, and the worker's cost per
    action (CPU, SQL statements and, with ``steps``, CPU per step)."""
    from django.db import connection
    from django.db.models import Count

    from moderation.models import PlatformAction
    from moderation.services import platform_actions

    step_cpu = dict.fromkeys(STEPS, 0.0) if steps else {}
    for name in step_cpu:
        setattr(platform_actions, name, _timed(getattr(platform_actions, name), name, step_cpu))
    statements = 0

    def count(execute: Any, *args: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(*args)

    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        for action_id in action_ids:
            platform_actions.action_execute(action_id)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    states = dict(
        PlatformAction.objects.values("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    n = max(len(action_ids), 1)
    cost: dict[str, Any] = {
        "cpu_ms_per_action": round(cpu / n * 1000, 3),
        "statements_per_action": round(statements / n, 2),
    }
    if steps:
        cost["steps_cpu_ms"] = {
            STEPS[name]: round(total / n * 1000, 3) for name, total in step_cpu.items()
        }
    return seconds, states, cost


def _timed(function: Callable[..., Any], name: str, totals: dict[str, float]) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            totals[name] += time.process_time() - started

    return timed


if __name__ == "__main__":
    main()
