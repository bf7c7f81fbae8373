"""allauth adapter: public sign-up is closed; people join through an institution's invitation."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails (password reset, verification) go through the outbox like ours.

        Sending inline would make a password reset fail with a 500 whenever SMTP is slow or down.
        """
        from accounts.models import User
        from accounts.services.notifications import email_queue

        message = self.render_mail(template_prefix, email, context)
        email_queue(
            to_address=email,
            subject=message.subject,
            body_text=message.body,
            recipient=User.objects.filter(email=email).first(),
        )
