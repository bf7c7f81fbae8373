"""Recording each result of a platform action as its own append-only row (and ledger entry).

Invariants:
- a result is written in the transaction that moves the action to it, by the same code path:
  ``action_results_record`` from the executor and the verifier (``platform_actions._applied``),
  ``action_result_record`` from the to-do list (failed, done by hand);
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
        _emit_executed(action, at)
    return recorded


def _emit_executed(action: PlatformAction, at: datetime) -> None:
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
    action: PlatformAction, result: str, at: datetime, actor: User | None = None
) -> PlatformActionResult:
    return PlatformActionResult(
        institution_id=action.institution_id,
        action=action,
        result=result,
        at=at,
        object_id=action.object_id,
        url=action.url,
        observed=action.observed if result in (Result.VERIFIED, Result.MISMATCH) else "",
        error=action.last_error if result == Result.FAILED else "",
        actor=actor,
    )


def action_results_record(
    action: PlatformAction, fields: dict[str, Any], now: datetime
) -> list[PlatformActionResult]:
    """The results in ``fields`` just written to ``action`` (already set on it) at ``now``, in
    one INSERT (an execution verified at once is two results)."""
    results = []
    if fields.get("executed_at"):
        results.append(_result(action, Result.EXECUTED, fields["executed_at"]))
        _emit_executed(action, fields["executed_at"])
    state = fields.get("state")
    if state == State.VERIFIED:
        results.append(_result(action, Result.VERIFIED, fields.get("verified_at") or now))
    elif state in (State.MISMATCH, State.FAILED):
        results.append(_result(action, str(state), now))
    return PlatformActionResult.objects.bulk_create(results) if results else []
