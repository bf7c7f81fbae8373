"""Notifications reach the inbox once, in the recipient's language, and by e-mail via the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Notification, OutgoingEmail
from accounts.services.notifications import (
    email_deliver,
    email_outbox_purge,
    email_outbox_sweep,
    email_queue,
    notification_send,
)

pytestmark = pytest.mark.django_db
SUBJECT = gettext_lazy("Your session expired. Please sign in again.")


def test_notification_is_written_once_per_dedupe_key(defence, defence_communicator) -> None:
    for _ in range(3):
        notification_send(
            recipient=defence_communicator,
            institution=defence,
            kind="test",
            subject=SUBJECT,
            dedupe_key="item-1:warning",
        )
    assert Notification.objects.filter(recipient=defence_communicator).count() == 1
    assert OutgoingEmail.objects.filter(recipient=defence_communicator).count() == 1


def test_notification_is_rendered_in_the_recipients_language(defence, defence_communicator) -> None:
    defence_communicator.preferred_language = "fr"
    defence_communicator.save()
    notification = notification_send(
        recipient=defence_communicator, institution=defence, kind="test", subject=SUBJECT
    )
    assert notification.subject == "Votre session a expiré. Veuillez vous reconnecter."


def test_deactivated_users_are_not_notified(defence, defence_communicator) -> None:
    defence_communicator.is_active = False
    defence_communicator.save()
    assert notification_send(recipient=defence_communicator, kind="t", subject=SUBJECT) is None


def test_email_is_sent_once_then_marked_sent(defence_communicator) -> None:
    notification_send(recipient=defence_communicator, kind="t", subject=SUBJECT)
    outgoing = OutgoingEmail.objects.get()
    assert email_deliver(outgoing.pk) is True
    assert email_deliver(outgoing.pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == outgoing.message_id
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingEmail.Status.SENT


def test_a_failed_send_is_retried_later_and_gives_up_after_five_attempts(
    settings, defence_communicator
) -> None:
    settings.MAILERS = {"default": {"BACKEND": "accounts.tests.test_notifications.BrokenMailer"}}
    notification_send(recipient=defence_communicator, kind="t", subject=SUBJECT)
    outgoing = OutgoingEmail.objects.get()
    for attempt in range(1, OutgoingEmail.MAX_ATTEMPTS + 1):
        assert email_deliver(outgoing.pk) is False
        outgoing.refresh_from_db()
        assert outgoing.attempts == attempt
        assert "SMTP down" in outgoing.last_error
    assert outgoing.status == OutgoingEmail.Status.FAILED


def test_sweeper_picks_up_mail_left_pending(defence_communicator, monkeypatch) -> None:
    notification_send(recipient=defence_communicator, kind="t", subject=SUBJECT)
    enqueued: list[int] = []
    from accounts import tasks

    monkeypatch.setattr(tasks.email_deliver_task, "delay", enqueued.append)
    assert email_outbox_sweep(timezone.now()) == 0, "fresh mail was enqueued on commit"
    later = timezone.now() + timedelta(minutes=3)
    assert email_outbox_sweep(later) == 1
    assert enqueued == [OutgoingEmail.objects.get().pk]


def test_inbox_badge_and_mark_read(client: Client, defence, defence_communicator) -> None:
    notification = notification_send(
        recipient=defence_communicator,
        institution=defence,
        kind="t",
        subject=SUBJECT,
        url="/i/defence/",
    )
    client.force_login(defence_communicator)
    badge = client.get(reverse("accounts:notification-unread-count"))
    assert ">1<" in badge.content.decode().replace(" ", "")
    opened = client.post(
        reverse("accounts:notification-read", kwargs={"notification_id": notification.public_id})
    )
    assert opened.url == "/i/defence/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_notification_links_never_leave_the_site(client: Client, defence_communicator) -> None:
    notification = notification_send(
        recipient=defence_communicator, kind="t", subject=SUBJECT, url="https://evil.example/"
    )
    client.force_login(defence_communicator)
    response = client.post(
        reverse("accounts:notification-read", kwargs={"notification_id": notification.public_id})
    )
    assert response.url == reverse("accounts:notification-list")


def test_someone_elses_notification_is_a_404(
    client: Client, defence_communicator, police_communicator
) -> None:
    notification = notification_send(recipient=police_communicator, kind="t", subject=SUBJECT)
    client.force_login(defence_communicator)
    response = client.post(
        reverse("accounts:notification-read", kwargs={"notification_id": notification.public_id})
    )
    assert response.status_code == 404


def test_notifications_of_a_left_institution_are_hidden(defence, defence_communicator) -> None:
    notification_send(
        recipient=defence_communicator, institution=defence, kind="t", subject=SUBJECT
    )
    defence_communicator.memberships.update(is_active=False)
    assert not Notification.objects.visible_to(defence_communicator).exists()


class BrokenMailer:
    def __init__(self, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: list) -> int:
        raise ConnectionRefusedError("SMTP down")


def test_the_outbox_forgets_finished_mails_after_its_retention(settings) -> None:
    settings.EMAIL_RETENTION_DAYS = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sent = email_queue(to_address="anne@example.be", subject="Dear Anne", body_text="Anne")
        email_deliver(sent.pk)
        pending = email_queue(to_address="bob@example.be", subject="Bob", body_text="Bob")
    with time_machine.travel(start + timedelta(days=29), tick=False):
        recent = email_queue(to_address="carl@example.be", subject="Carl", body_text="Carl")
        email_deliver(recent.pk)
        assert email_outbox_purge() == 0
    with time_machine.travel(start + timedelta(days=30, seconds=1), tick=False):
        assert email_outbox_purge() == 1
    remaining = set(OutgoingEmail.objects.values_list("pk", flat=True))
    assert remaining == {pending.pk, recent.pk}  # a mail still owed is never dropped


def test_an_institutions_notice_never_reaches_someone_no_longer_active_there(
    defence, police, defence_communicator
) -> None:
    """Active in the Federal Police, deactivated in Defence: nothing of Defence's, no e-mail."""
    from accounts.models import Membership, Role

    Membership.objects.create(institution=police, user=defence_communicator, role=Role.COMMUNICATOR)
    Membership.objects.filter(user=defence_communicator, institution=defence).update(
        is_active=False
    )
    sent = notification_send(
        recipient=defence_communicator,
        institution=defence,
        kind="test",
        subject=gettext_lazy("Hello"),
    )
    assert sent is None
    assert not OutgoingEmail.objects.exists()
    assert notification_send(
        recipient=defence_communicator,
        institution=police,
        kind="test",
        subject=gettext_lazy("Hello"),
    )
