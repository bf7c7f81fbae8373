# Chains the timeline events written before the ledger existed (govsocial/ledger/backfill.py).

from django.db import migrations

from complaints.ledger import TIMELINE_EVENT
from govsocial.ledger.backfill import ledger_backfill


def backfill(apps, schema_editor):
    ledger_backfill(apps, [TIMELINE_EVENT])


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0011_tracking_legal_hold_access_log"),
        ("govsocial", "0004_ledger"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
