"""One attempt at a platform action, its database side: claiming the action and recording the
outcome (``platform_actions.action_execute`` calls the platform in between).

Invariants:
- an action is claimed by one worker at a time: the row is locked with ``SKIP LOCKED`` (a second
  worker skips it rather than wait) and marked *sending*, ``attempts + 1``, with a lease
  (``next_attempt_at = now + LEASE``), and the mark is committed before the platform is called;
- a row is claimable while it is *queued* and due, or *sending* with its lease run out (the
  worker that held it died): that second case is reported as ``unknown``, and the attempt asks
  the platform what it already did before doing anything;
- an outcome is recorded only on the attempt that claimed it (``state = sending`` and the same
  ``attempts``): a worker whose lease was taken over never overwrites the newer attempt.

On PostgreSQL the claim is **one statement** in autocommit (``UPDATE … FROM (SELECT … FOR
UPDATE OF action SKIP LOCKED) … RETURNING``) that also brings back the channel and, for a
decision, the item's author handle and what the record needs of the decision; the models are
built from the returned row without the ORM's query compiler. Locking and reading the row with
``select_related`` through the ORM, then saving it, took 3.3 ms of the 7 ms an action cost
(docs/benchmarks.md, actions). The record is one statement too (``WITH recorded AS (UPDATE
…), answered AS (UPDATE item …), ledger_…``): a reply's SLA update, the attempt's results and
their ledger entries included (``govsocial.ledger.append.ledger_insert_ctes``); it had become a
transaction of four statements when the results were chained (docs/benchmarks.md, actions).
Other databases (the SQLite demo, which has no row locks and serialises writers) take the
portable path through the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from copy import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from django.db import connection, models, transaction

from channels.models import Channel
from govsocial.ledger.append import ledger_insert_ctes
from moderation.models import Decision, Item, PlatformAction, PlatformActionResult
from moderation.services.action_results import action_executed_emit
from moderation.services.platform_to_do import REPLY_KINDS, item_reply_posted
from webhooks.events import Event, listens

State = PlatformAction.State
LEASE = timedelta(minutes=5)
"""How long a claimed attempt may take before the sweeper takes it again."""

_DECISION_FIELDS = ("id", "item_id", "created_at")
"""What an attempt and its record read of the decision (the SLA update, the to-do deadline);
any other field is loaded on first use (a mismatch alert)."""


@dataclass(frozen=True)
class Claim:
    action: PlatformAction
    """With its channel, and its decision's ``_DECISION_FIELDS``, loaded."""
    unknown: bool
    """The previous attempt was cut off: its outcome on the platform is unknown."""
    mention: str
    """The handle of the author of the decision's item (empty for a post)."""


def action_claim(action_id: int, now: datetime) -> Claim | None:
    """Claim ``action_id`` for an attempt if it is due and no other worker holds it."""
    if _one_statement():
        return _claim_one_statement(action_id, now)
    return _claim_portable(action_id, now)


def _one_statement() -> bool:
    """Whether the database takes the one-statement claim and record (PostgreSQL)."""
    return connection.vendor == "postgresql"


# --- PostgreSQL: one statement ---------------------------------------------------------------


def _claim_one_statement(action_id: int, now: datetime) -> Claim | None:
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), [now + LEASE, action_id, list(PlatformAction.WAITING), now])
        row = cursor.fetchone()
    if row is None:
        return None
    previous, mention, *values = row
    action_columns, channel_columns = _columns(PlatformAction), _columns(Channel)
    split = len(action_columns.fields)
    end = split + len(channel_columns.fields)
    action = action_columns.build(values[:split])
    action.channel = channel_columns.build(values[split:end])
    if action.decision_id is not None:
        action.decision = Decision.from_db(connection.alias, _DECISION_FIELDS, values[end:])
    return Claim(action, previous == State.SENDING, mention or "")


@dataclass(frozen=True)
class _Columns:
    """A model's concrete columns and the converters the ORM would apply to them (JSON fields
    arrive as text from psycopg2), to build instances from a raw row."""

    model: type[models.Model]
    fields: Sequence[models.Field[Any, Any]]
    converters: Sequence[tuple[int, Sequence[Callable[..., Any]], Any]]

    def build(self, values: Sequence[Any]) -> Any:
        row = list(values)
        for index, functions, column in self.converters:
            for function in functions:
                row[index] = function(row[index], column, connection)
        return self.model.from_db(connection.alias, [f.attname for f in self.fields], row)


@cache
def _columns(model: type[models.Model]) -> _Columns:
    fields = model._meta.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, found, column))
    return _Columns(model, fields, converters)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def _column(field: models.Field[Any, Any]) -> str:
    return cast("str", field.column)  # set on every concrete field once its model is ready


@cache
def _claim_sql() -> str:
    """Lock the due row (``SKIP LOCKED``: a held row is not waited for), mark it sending and
    return it with its previous state, the item's author handle, the channel and the decision's
    ``_DECISION_FIELDS``. Parameters: end of the lease, id, waiting states, now."""
    action = PlatformAction._meta.db_table
    channel = Channel._meta.db_table
    decision = Decision._meta.db_table
    item = Item._meta.db_table
    quote = connection.ops.quote_name
    channel_fields = [_column(f) for f in _columns(Channel).fields]
    decision_fields = [_column(_field(Decision, name)) for name in _DECISION_FIELDS]
    selected = [f"channel.{quote(c)} AS {quote('channel_' + c)}" for c in channel_fields] + [
        f"decision.{quote(c)} AS {quote('decision_' + c)}" for c in decision_fields
    ]
    returned = (
        [f"action.{quote(_column(f))}" for f in _columns(PlatformAction).fields]
        + [f"claimed.{quote('channel_' + c)}" for c in channel_fields]
        + [f"claimed.{quote('decision_' + c)}" for c in decision_fields]
    )
    return f"""
        UPDATE {action} AS action
        SET state = 'sending', attempts = action.attempts + 1, next_attempt_at = %s
        FROM (
            SELECT locked.id AS claimed_id, locked.state AS previous, item.author_handle,
                   {", ".join(selected)}
            FROM {action} AS locked
            JOIN {channel} AS channel ON channel.id = locked.channel_id
            LEFT JOIN {decision} AS decision ON decision.id = locked.decision_id
            LEFT JOIN {item} AS item ON item.id = decision.item_id
            WHERE locked.id = %s AND locked.state = ANY(%s) AND locked.next_attempt_at <= %s
            FOR UPDATE OF locked SKIP LOCKED
        ) AS claimed
        WHERE action.id = claimed.claimed_id
        RETURNING claimed.previous, claimed.author_handle, {", ".join(returned)}
    """  # noqa: S608 (tables and columns from the models, values as parameters)


# --- the record ------------------------------------------------------------------------------


def action_record(
    action: PlatformAction,
    fields: dict[str, Any],
    results: Sequence[PlatformActionResult] = (),
) -> bool:
    """Write ``fields`` on ``action`` if its claimed attempt still holds it, with its new
    ``results`` (unsaved, ``action_results.action_results_pending``) and their ledger entries;
    whether it did. All in one transaction: on PostgreSQL one statement.

    A reply that reached the platform (``executed_at`` among the fields) answers its item for
    the SLA figures in the same write (``platform_to_do.item_reply_posted``'s rule)."""
    answered = _answered_item(action, fields)
    executed_at = fields.get("executed_at")
    # The action.executed event is written with the record (an outbox row, when an outgoing
    # webhook listens for it): then the record is a transaction, not a lone statement.
    emits = bool(executed_at) and listens(action.institution_id, Event.ACTION_EXECUTED)
    with transaction.atomic() if emits or not _one_statement() else nullcontext():
        saved = _write(action, fields, results, answered)
        if saved and emits:
            action_executed_emit(_with(copy(action), fields), fields["executed_at"])
    return saved


def _write(
    action: PlatformAction,
    fields: dict[str, Any],
    results: Sequence[PlatformActionResult],
    answered: int | None,
) -> bool:
    if not _one_statement():
        saved = PlatformAction.objects.filter(
            pk=action.pk, state=State.SENDING, attempts=action.attempts
        ).update(**fields)
        if saved and answered is not None:
            item_reply_posted(_with(action, fields))
        if saved and results:
            PlatformActionResult.objects.bulk_create(results)
        return bool(saved)
    names = tuple(fields)
    model_fields = [_field(PlatformAction, name) for name in names]
    values = [f.get_db_prep_save(fields[f.name], connection) for f in model_fields]
    params = [*values, action.pk, State.SENDING, action.attempts]
    if answered is not None:
        params += [fields["executed_at"], answered]
    ledger, ledger_params = ledger_insert_ctes(results, when="recorded") if results else ("", [])
    sql = _record_sql(names, answers=answered is not None, ledger=ledger)
    with connection.cursor() as cursor:
        cursor.execute(sql, params + ledger_params)
        (saved,) = cursor.fetchone()
    return saved == 1


def _answered_item(action: PlatformAction, fields: dict[str, Any]) -> int | None:
    """The item a reply answers, when this outcome is the reply reaching the platform."""
    if not fields.get("executed_at") or action.kind not in REPLY_KINDS:
        return None
    return action.decision.item_id if action.decision is not None else None


def _with(action: PlatformAction, fields: dict[str, Any]) -> PlatformAction:
    for name, value in fields.items():
        setattr(action, name, value)
    return action


@cache
def _record_sql(names: tuple[str, ...], *, answers: bool, ledger: str) -> str:
    """The conditional UPDATE setting ``names`` and, when it ``answers`` an item, that item's
    first answer time (PostgreSQL's LEAST skips NULL: the earliest answer stays), then the
    ``ledger`` CTEs (``ledger_insert_ctes``: the results and their entries, when the UPDATE
    wrote); its one row is how many actions were written. Parameters: the values, id, state,
    attempts, then when it answers the execution time and the item's id, then the ledger's."""
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(_column(_field(PlatformAction, name)))} = %s" for name in names
    )
    action, item = PlatformAction._meta.db_table, Item._meta.db_table
    recorded = (
        f"recorded AS (UPDATE {action} SET {assignments} "  # noqa: S608 (as above)
        "WHERE id = %s AND state = %s AND attempts = %s RETURNING 1)"
    )
    answered = (
        f", answered AS (UPDATE {item} SET sla_answered_at = LEAST(sla_answered_at, %s) "  # noqa: S608
        "WHERE id = %s AND EXISTS (SELECT 1 FROM recorded))"
    )
    ctes = f"{recorded}{answered}" if answers else recorded
    if ledger:
        ctes = f"{ctes}, {ledger}"
    return f"WITH {ctes} SELECT count(*) FROM recorded"  # noqa: S608 (as above)


# --- other databases -------------------------------------------------------------------------


def _claim_portable(action_id: int, now: datetime) -> Claim | None:
    with transaction.atomic():
        action = (
            PlatformAction.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("channel", "decision__item")
            .filter(pk=action_id, state__in=PlatformAction.WAITING, next_attempt_at__lte=now)
            .first()
        )
        if action is None:
            return None
        unknown = action.state == State.SENDING
        action.state = State.SENDING
        action.attempts += 1
        action.next_attempt_at = now + LEASE
        action.save(update_fields=["state", "attempts", "next_attempt_at"])
    mention = action.decision.item.author_handle if action.decision is not None else ""
    return Claim(action, unknown, mention)
