# Existing platform actions get the results their row still shows, then decisions and results
# written before the ledger existed are chained (govsocial/ledger/backfill.py).
#
# An action's row keeps only its latest state: an action now verified was executed first (at
# executed_at), then verified (at verified_at); a mismatch was executed then changed back
# (time unknown: the migration's); a failure's time is unknown too; done by hand at done_at.

from django.db import migrations
from django.utils import timezone

from govsocial.ledger.backfill import ledger_backfill
from moderation.ledger import ACTION_RESULT, DECISION

BATCH = 2000


def _results(action, now):
    common = {
        "institution_id": action.institution_id,
        "action_id": action.pk,
        "object_id": action.object_id,
        "url": action.url,
    }
    if action.executed_at is not None:
        yield {**common, "result": "executed", "at": action.executed_at}
    if action.state == "verified":
        observed = action.observed
        yield {**common, "result": "verified", "at": action.verified_at or now, "observed": observed}
    elif action.state == "mismatch":
        yield {**common, "result": "mismatch", "at": now, "observed": action.observed}
    elif action.state == "failed":
        yield {**common, "result": "failed", "at": now, "error": action.last_error}
    elif action.state == "done_by_hand":
        yield {**common, "result": "done_by_hand", "at": action.done_at or now,
               "actor_id": action.done_by_id}


def results_from_actions(apps, schema_editor):
    PlatformAction = apps.get_model("moderation", "PlatformAction")
    Result = apps.get_model("moderation", "PlatformActionResult")
    now = timezone.now()
    batch = []
    for action in PlatformAction.objects.order_by("pk").iterator(chunk_size=BATCH):
        batch.extend(Result(**fields) for fields in _results(action, now))
        if len(batch) >= BATCH:
            Result.objects.bulk_create(batch)
            batch = []
    Result.objects.bulk_create(batch)


def backfill(apps, schema_editor):
    ledger_backfill(apps, [DECISION, ACTION_RESULT])


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0020_platform_action_results_ledger"),
        ("complaints", "0012_timeline_ledger_backfill"),
        ("govsocial", "0004_ledger"),
    ]

    operations = [
        migrations.RunPython(results_from_actions, migrations.RunPython.noop),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
