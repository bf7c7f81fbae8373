"""The notification inbox and the unread badge in the navigation bar."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.middleware import background_request
from accounts.models import Notification
from accounts.services.notifications import notification_mark_read, notifications_mark_all_read
from accounts.tenancy import AuthenticatedRequest, user_memberships
from accounts.unread import unread_count
from govsocial.polling import conditional_poll, poll_etag

PAGE_SIZE = 25


def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    notifications = Notification.objects.visible_to(request.user).select_related("institution")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page": page})


@require_POST
def notification_read(request: AuthenticatedRequest, notification_id: str) -> HttpResponse:
    """Mark read, then follow the notification's link when it has one (a local path only)."""
    notification = get_object_or_404(
        Notification.objects.visible_to(request.user), public_id=notification_id
    )
    notification_mark_read(user=request.user, notification=notification)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("accounts:notification-list")


@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    notifications_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("accounts:notification-list")


@background_request
def notification_unread_count(request: AuthenticatedRequest) -> HttpResponse:
    """Polled by the navigation bar; background polling does not keep the session alive.

    The count comes from the cache (accounts.unread); an unchanged badge is answered 304."""
    count = unread_count(request.user, user_memberships(request))
    etag = poll_etag("unread", request.user.pk, count, translation.get_language())
    return conditional_poll(
        request,
        etag,
        lambda: render(
            request, "accounts/notification_list.html#unread-badge", {"nav_unread_count": count}
        ),
    )
