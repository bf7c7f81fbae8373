"""Institution admins' pages for outgoing webhooks: subscriptions and their deliveries."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from webhooks.forms import SubscriptionForm
from webhooks.models import Attempt, Delivery, Subscription
from webhooks.services import (
    delivery_redeliver,
    subscription_delete,
    subscription_rotate_secret,
    subscription_save,
)

ADMIN = Role.INSTITUTION_ADMIN


@requires_role(ADMIN)
def subscription_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    subscriptions = Subscription.objects.for_institution(request.institution)
    return render(request, "webhooks/subscription_list.html", {"subscriptions": subscriptions})


@requires_role(ADMIN)
def subscription_create(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    return _edit(request, Subscription(institution=request.institution))


@requires_role(ADMIN)
def subscription_edit(
    request: InstitutionRequest, institution_slug: str, subscription_id: int
) -> HttpResponse:
    return _edit(request, _subscription(request, subscription_id))


def _edit(request: InstitutionRequest, subscription: Subscription) -> HttpResponse:
    form = SubscriptionForm(request.POST or None, instance=subscription)
    if request.method == "POST" and form.is_valid():
        created = subscription.pk is None
        subscription = subscription_save(
            subscription=subscription,
            actor=request.user,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            description=form.cleaned_data["description"],
            is_active=form.cleaned_data["is_active"],
        )
        messages.success(
            request,
            _("The subscription was created: copy its secret below.")
            if created
            else _("The subscription was saved."),
        )
        return redirect(
            "webhooks:subscription-edit",
            institution_slug=request.institution.slug,
            subscription_id=subscription.pk,
        )
    recent = (
        subscription.deliveries.order_by("-created_at")[:20]
        if subscription.pk
        else Delivery.objects.none()
    )
    return render(
        request,
        "webhooks/subscription_form.html",
        {"form": form, "subscription": subscription, "recent": recent},
    )


@require_POST
@requires_role(ADMIN)
def subscription_rotate(
    request: InstitutionRequest, institution_slug: str, subscription_id: int
) -> HttpResponse:
    subscription = _subscription(request, subscription_id)
    subscription_rotate_secret(subscription=subscription, actor=request.user)
    messages.success(request, _("A new secret was made: the old one no longer signs deliveries."))
    return redirect(
        "webhooks:subscription-edit",
        institution_slug=request.institution.slug,
        subscription_id=subscription.pk,
    )


@require_POST
@requires_role(ADMIN)
def subscription_delete_view(
    request: InstitutionRequest, institution_slug: str, subscription_id: int
) -> HttpResponse:
    subscription_delete(subscription=_subscription(request, subscription_id), actor=request.user)
    messages.success(request, _("The subscription was deleted."))
    return redirect("webhooks:subscription-list", institution_slug=request.institution.slug)


@requires_role(ADMIN)
def delivery_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    status = request.GET.get("status", "")
    deliveries = (
        Delivery.objects.for_institution(request.institution)
        .select_related("subscription")
        .defer("payload")
        .order_by("-created_at", "-pk")
    )
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    else:
        status = ""
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/delivery_list.html",
        {"page": page, "status": status, "statuses": Delivery.Status.choices},
    )


@requires_role(ADMIN)
def delivery_detail(
    request: InstitutionRequest, institution_slug: str, outgoing_id: int
) -> HttpResponse:
    delivery = _delivery(request, outgoing_id)
    attempts = Attempt.objects.for_institution(request.institution).filter(delivery=delivery)
    return render(
        request,
        "webhooks/delivery_detail.html",
        {
            "delivery": delivery,
            "body": json.dumps(delivery.payload, ensure_ascii=False, indent=2, sort_keys=True),
            "attempts": attempts.select_related("requested_by"),
        },
    )


@require_POST
@requires_role(ADMIN)
def delivery_redeliver_view(
    request: InstitutionRequest, institution_slug: str, outgoing_id: int
) -> HttpResponse:
    delivery = delivery_redeliver(delivery=_delivery(request, outgoing_id), actor=request.user)
    messages.success(request, _("The delivery will be sent again in a moment."))
    return redirect(
        "webhooks:delivery-detail",
        institution_slug=request.institution.slug,
        outgoing_id=delivery.pk,
    )


def _subscription(request: InstitutionRequest, subscription_id: int) -> Subscription:
    return get_object_or_404(
        Subscription.objects.for_institution(request.institution), pk=subscription_id
    )


def _delivery(request: InstitutionRequest, outgoing_id: int) -> Delivery:
    return get_object_or_404(
        Delivery.objects.for_institution(request.institution).select_related("subscription"),
        pk=outgoing_id,
    )
