"""Replies recorded before deliveries existed were all "to post": give each its delivery row,
then drop ``Decision.reply_state``."""

from django.db import migrations


def deliveries_for_earlier_replies(apps, schema_editor):
    Decision = apps.get_model("moderation", "Decision")
    ReplyDelivery = apps.get_model("moderation", "ReplyDelivery")
    replies = Decision.objects.filter(action="reply", delivery__isnull=True)
    ReplyDelivery.objects.bulk_create(
        (
            ReplyDelivery(
                institution_id=decision.institution_id,
                decision_id=decision.pk,
                state="to_post",
                created_at=decision.created_at,
            )
            for decision in replies.iterator()
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0006_posts_reply_deliveries_harassment")]

    operations = [
        migrations.RunPython(deliveries_for_earlier_replies, migrations.RunPython.noop),
        migrations.RemoveField(model_name="decision", name="reply_state"),
    ]
