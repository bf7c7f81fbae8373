"""Channel list (every member), channel settings and delivery troubleshooting (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import ANY_MEMBER, InstitutionRequest, requires_role
from channels.connectors.credentials import EXPIRY_UNREADABLE, SCOPES_UNREADABLE
from channels.forms import ChannelForm
from channels.models import Channel, InboundDelivery, PollState
from channels.services.channels import channel_crisis_set, channel_save, secret_summary
from channels.services.deliveries import delivery_reprocess
from channels.services.tokens import channel_token_check, checkable


@requires_role(ANY_MEMBER)
def channel_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    channels = (
        Channel.objects.for_institution(request.institution)
        .annotate(open_items=Count("items", filter=Q(items__status="open")))
        .order_by("-is_active", "platform", "name")
    )
    return render(
        request,
        "channels/channel_list.html",
        {
            "channels": channels,
            "can_switch_crisis": bool(CRISIS_DECIDERS & request.institution_roles),
        },
    )


CRISIS_DECIDERS = frozenset({Role.INSTITUTION_ADMIN, Role.SPOKESPERSON})


@require_POST
@requires_role(*CRISIS_DECIDERS)
def channel_crisis(
    request: InstitutionRequest, institution_slug: str, channel_id: int
) -> HttpResponse:
    """Crisis mode on or off, with a reason; back to where the switch was pressed."""
    channel = get_object_or_404(Channel.objects.for_institution(request.institution), pk=channel_id)
    on = request.POST.get("crisis_mode") == "on"
    try:
        channel_crisis_set(
            channel=channel, actor=request.user, on=on, reason=request.POST.get("reason", "")
        )
    except ValueError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            (
                _("Crisis mode is on for %(channel)s.")
                if on
                else _("Crisis mode is off for %(channel)s.")
            )
            % {"channel": channel.name},
        )
    target = request.POST.get("next", "")
    if not target.startswith(f"/i/{institution_slug}/"):
        target = reverse("channels:channel-list", kwargs={"institution_slug": institution_slug})
    return redirect(target)


@requires_role(Role.INSTITUTION_ADMIN)
def channel_create(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    return _edit(request, Channel(institution=request.institution))


@requires_role(Role.INSTITUTION_ADMIN)
def channel_edit(
    request: InstitutionRequest, institution_slug: str, channel_id: int
) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.for_institution(request.institution), pk=channel_id)
    return _edit(request, channel)


def _edit(request: InstitutionRequest, channel: Channel) -> HttpResponse:
    form = ChannelForm(request.POST or None, instance=channel, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        channel = form.save(commit=False)
        channel_save(
            channel=channel,
            actor=request.user,
            moderators=list(form.cleaned_data["moderators"]),
            signing_secret=form.cleaned_data["signing_secret"],
            verify_token=form.cleaned_data["verify_token"],
            access_token=form.cleaned_data["access_token"],
        )
        messages.success(request, _("Channel “%(name)s” saved.") % {"name": channel.name})
        return redirect(
            "channels:channel-edit",
            institution_slug=request.institution.slug,
            channel_id=channel.pk,
        )
    context: dict[str, object] = {"form": form, "channel": channel}
    if channel.pk:
        context["secrets"] = secret_summary(channel)
        context["poll_state"] = PollState.objects.filter(channel=channel).first()
        context["token_checkable"] = checkable(channel)
        context["token_scopes_unreadable"] = channel.platform in SCOPES_UNREADABLE
        context["token_expiry_unreadable"] = channel.platform in EXPIRY_UNREADABLE
        context["hook_urls"] = {
            "meta": request.build_absolute_uri(
                reverse("channels:hook-meta", kwargs={"channel_id": channel.webhook_id})
            ),
            "generic": request.build_absolute_uri(
                reverse("channels:hook-generic", kwargs={"channel_id": channel.webhook_id})
            ),
        }
    return render(request, "channels/channel_form.html", context)


@require_POST
@requires_role(Role.INSTITUTION_ADMIN)
def channel_token_check_view(
    request: InstitutionRequest, institution_slug: str, channel_id: int
) -> HttpResponse:
    """ "Check now": ask the platform about the channel's token at once (one API call)."""
    channel = get_object_or_404(Channel.objects.for_institution(request.institution), pk=channel_id)
    if not checkable(channel):
        messages.error(request, _("This channel has no token GovSocial can check."))
    elif channel_token_check(channel=channel) is None:
        messages.warning(
            request,
            _("The platform could not be asked: %(reason)s") % {"reason": channel.token_error},
        )
    elif channel.token_valid and channel.platform in SCOPES_UNREADABLE:
        messages.success(
            request, _("The token works; the platform does not say which permissions it has.")
        )
    elif channel.token_valid and not channel.token_missing_scopes:
        messages.success(request, _("The token works and has every permission needed."))
    else:
        messages.warning(request, _("The token needs attention: see below."))
    return redirect(
        "channels:channel-edit", institution_slug=request.institution.slug, channel_id=channel.pk
    )


@requires_role(Role.INSTITUTION_ADMIN)
def delivery_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    status = request.GET.get("status", InboundDelivery.Status.FAILED)
    if status not in InboundDelivery.Status.values:
        status = InboundDelivery.Status.FAILED
    deliveries = (
        InboundDelivery.objects.for_institution(request.institution)
        .filter(status=status)
        .select_related("channel")
        .defer("body")
        .order_by("-received_at")
    )
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "channels/delivery_list.html",
        {"page": page, "status": status, "statuses": InboundDelivery.Status.choices},
    )


@require_POST
@requires_role(Role.INSTITUTION_ADMIN)
def delivery_reprocess_view(
    request: InstitutionRequest, institution_slug: str, delivery_id: int
) -> HttpResponse:
    delivery = get_object_or_404(
        InboundDelivery.objects.for_institution(request.institution).defer("body"), pk=delivery_id
    )
    delivery_reprocess(delivery=delivery)
    messages.success(request, _("The delivery will be processed again."))
    return redirect("channels:delivery-list", institution_slug=request.institution.slug)
