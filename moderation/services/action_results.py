"""Recording each result of a platform action as its own append-only row (and ledger entry).

Invariants:
- a result is written in the transaction that moves the action to it, by the same code path:
  the executor's record of an attempt writes ``action_results_pending`` in its own statement
  (``action_attempts.action_record``), the verifier ``action_results_record``
  (``platform_actions._applied``), the to-do list ``action_result_record`` (failed, done by
  hand);
- results are what happened, not states: a first execution verified at once writes "executed"
  then "verified"; a later read-back that finds the action still as expected writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.models import User
from moderation.models import PlatformAction, PlatformActionResult
from webhooks.events import emit
from webhooks.models import Event

State = PlatformAction.State
Result = PlatformActionResult.Result


def action_result_record(
    action: PlatformAction, result: str, *, at: datetime, actor: User | None = None
) -> PlatformActionResult:
    """Append ``result`` of ``action``, read from the action as it now stands."""
    recorded = _result(action, result, at, actor)
    recorded.save()
    if result == Result.EXECUTED:
        action_executed_emit(action, at)
    return recorded


def action_executed_emit(action: PlatformAction, at: datetime) -> None:
    """The ``action.executed`` event, in the transaction that records the execution (the
    action's fields as just written)."""
    emit(
        action.institution_id,
        Event.ACTION_EXECUTED,
        {
            "action_id": action.pk,
            "kind": action.kind,
            "channel_id": action.channel_id,
            "decision_id": action.decision_id,
            "post_id": action.post_id,
            "object_id": action.object_id,
            "url": action.url,
            "executed_at": at.isoformat(),
        },
    )


def _result(
    action: PlatformAction,
    result: str,
    at: datetime,
    actor: User | None = None,
    fields: dict[str, Any] | None = None,
) -> PlatformActionResult:
    """``result`` of ``action`` as it stands, or as it will once ``fields`` are written."""
    now = {
        name: (fields or {}).get(name, getattr(action, name))
        for name in ("object_id", "url", "observed", "last_error")
    }
    return PlatformActionResult(
        institution_id=action.institution_id,
        action=action,
        result=result,
        at=at,
        object_id=now["object_id"],
        url=now["url"],
        observed=now["observed"] if result in (Result.VERIFIED, Result.MISMATCH) else "",
        error=now["last_error"] if result == Result.FAILED else "",
        actor=actor,
    )


def action_results_record(
    action: PlatformAction, fields: dict[str, Any], now: datetime
) -> list[PlatformActionResult]:
    """The results in ``fields`` just written to ``action`` (already set on it) at ``now``, in
    one INSERT (an execution verified at once is two results)."""
    results = action_results_pending(action, fields, now)
    if fields.get("executed_at"):
        action_executed_emit(action, fields["executed_at"])
    return PlatformActionResult.objects.bulk_create(results) if results else []


def action_results_pending(
    action: PlatformAction, fields: dict[str, Any], now: datetime
) -> list[PlatformActionResult]:
    """The results ``fields`` are about to write to ``action`` at ``now``, not saved; ``action``
    is left as it is (its ``attempts`` still names the claimed attempt)."""
    results = []
    if fields.get("executed_at"):
        results.append(_result(action, Result.EXECUTED, fields["executed_at"], fields=fields))
    state = fields.get("state")
    if state == State.VERIFIED:
        at = fields.get("verified_at") or now
        results.append(_result(action, Result.VERIFIED, at, fields=fields))
    elif state in (State.MISMATCH, State.FAILED):
        results.append(_result(action, str(state), now, fields=fields))
    return results
