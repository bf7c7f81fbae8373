"""Receivers: session clock at login, security log lines, session revocation on MFA removal."""

from __future__ import annotations

import logging
from typing import Any

from allauth.mfa.signals import authenticator_removed
from allauth.usersessions.internal.flows.sessions import end_other_sessions
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.middleware import start_session_clock

security_log = logging.getLogger("govsocial.security")


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)
    security_log.info("auth.login user=%s", user.pk)


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    security_log.info("auth.logout user=%s", getattr(user, "pk", None))


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # The attempted e-mail is personal data and stays out of the log.
    security_log.info("auth.login_failed")


@receiver(authenticator_removed)
def on_authenticator_removed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Removing a second factor ends the user's other sessions (ASVS 7.4.3)."""
    end_other_sessions(request, user)
    security_log.info("auth.mfa_removed user=%s", user.pk)
