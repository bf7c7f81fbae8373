"""Reply deliveries become platform actions (issue 14): one ``PlatformAction`` per
``ReplyDelivery``, same state in the new words, same times, people and platform answer.

A queued delivery keeps the idempotency key it was being sent with (``govsocial-reply-<pk>``),
so an attempt in flight during the upgrade is never published twice.
"""

from django.db import migrations

STATES = {
    "queued": "queued",
    "sent": "executed",
    "failed": "failed",
    "to_post": "manual",
    "posted": "done_by_hand",
}
MANUAL_REASON = "The platform's API does not let GovSocial post this reply: post it by hand."


def deliveries_to_actions(apps, schema_editor):
    ReplyDelivery = apps.get_model("moderation", "ReplyDelivery")
    PlatformAction = apps.get_model("moderation", "PlatformAction")
    deliveries = ReplyDelivery.objects.select_related("decision__item").order_by("pk")
    batch = []
    for delivery in deliveries.iterator(chunk_size=1000):
        item = delivery.decision.item
        state = STATES[delivery.state]
        batch.append(
            PlatformAction(
                institution_id=delivery.institution_id,
                channel_id=item.channel_id,
                kind="private_reply" if item.kind == "direct_message" else "reply",
                decision_id=delivery.decision_id,
                target_id=item.external_id,
                text=delivery.decision.reply_text,
                key=f"govsocial-reply-{delivery.pk}",
                state=state,
                created_at=delivery.created_at,
                attempts=delivery.attempts,
                next_attempt_at=delivery.next_attempt_at if state == "queued" else None,
                last_error=delivery.last_error,
                manual_reason=MANUAL_REASON if state == "manual" else "",
                executed_at=delivery.sent_at,
                object_id=delivery.platform_id,
                url=delivery.platform_url,
                done_by_id=delivery.posted_by_id,
                done_at=delivery.posted_at,
            )
        )
        if len(batch) >= 1000:
            PlatformAction.objects.bulk_create(batch)
            batch = []
    PlatformAction.objects.bulk_create(batch)


def actions_to_deliveries(apps, schema_editor):
    """Back: the reply actions become deliveries again (states mapped back)."""
    ReplyDelivery = apps.get_model("moderation", "ReplyDelivery")
    PlatformAction = apps.get_model("moderation", "PlatformAction")
    back = {new: old for old, new in STATES.items()}
    back.update({"sending": "queued", "verified": "sent", "mismatch": "sent"})
    replies = PlatformAction.objects.filter(
        kind__in=("reply", "private_reply"), decision__isnull=False
    )
    ReplyDelivery.objects.bulk_create(
        ReplyDelivery(
            institution_id=action.institution_id,
            decision_id=action.decision_id,
            state=back[action.state],
            created_at=action.created_at,
            attempts=action.attempts,
            next_attempt_at=action.next_attempt_at,
            last_error=action.last_error,
            sent_at=action.executed_at,
            platform_id=action.object_id,
            platform_url=action.url,
            posted_by_id=action.done_by_id,
            posted_at=action.done_at,
        )
        for action in replies
    )
    replies.delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0014_platform_action")]

    operations = [migrations.RunPython(deliveries_to_actions, actions_to_deliveries)]
