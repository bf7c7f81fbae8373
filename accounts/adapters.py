"""allauth adapter: public sign-up is closed; people join through an institution's invitation."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        """Speak the user's language from the moment they are signed in: allauth renders its
        "Successfully signed in" message in this same request, which was still in the sign-in
        page's language (UserLanguageMiddleware only applies the preference on later requests)."""
        super().login(request, user)
        language = getattr(user, "preferred_language", "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language  # type: ignore[attr-defined]

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse | None:
        """Someone with no active role anywhere is turned away like a locked account.

        Their account stays active (``is_active`` is the platform's lock, not the institutions'):
        a new invitation or a reactivation lets them in again.
        """
        from accounts.services.members import may_sign_in

        if user.is_active and not may_sign_in(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

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
