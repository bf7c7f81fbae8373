"""One item: text, author, thread, revisions, hits, deadline, decisions, and the action bar.

The item page remembers the queue it was opened from (``?queue=<the queue's filters>``): the
"… and next" buttons act, then open the next item of that queue in its order.

In the workspace (``moderation.views.workspace``) the item opens beside the queue and its forms
post through htmx: the answer is then the item panel alone (the same item, or the next one, with
the confirmation), never a whole page. Without JavaScript the forms post and redirect as ever.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.messages import get_messages
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import push_url

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from charter.models import CharterRule
from charter.selectors import rule_choices_cached
from complaints.models import EvidenceSnapshot
from complaints.selectors import complaint_marker_of
from complaints.services.evidence import ADVICE_STEPS, REFERRAL_TARGETS, snapshot_download
from complaints.services.holds import HOLD_ROLES, hold_of
from moderation.messaging import messaging_window
from moderation.models import (
    Action,
    Decision,
    Item,
    ItemStatus,
    PlatformAction,
    RemovalProposal,
    SavedReply,
)
from moderation.selectors import (
    action_bar_choices,
    item_page_items,
    item_platform_actions,
    item_thread,
    queue_next,
    queue_params,
)
from moderation.services import decisions, four_eyes, handover, ladder, proposals
from moderation.services.assignment import moderators
from moderation.services.decision_pages import PAGE_ACTIONS, notice_text, statement_url
from moderation.services.decisions import DecisionRefused
from moderation.services.platform_to_do import ToDoRefused, action_mark_done
from moderation.services.replies import saved_reply_render
from moderation.views import workspace

MODERATORS = Role.COMMUNICATOR


def _item(request: InstitutionRequest, item_id: int) -> Item:
    return get_object_or_404(item_page_items(request.institution), pk=item_id)


def item_url(item: Item) -> str:
    return reverse(
        "moderation:item-detail",
        kwargs={"institution_slug": item.institution.slug, "item_id": item.pk},
    )


def item_in_queue_url(item: Item, queue: QueryDict) -> str:
    return f"{item_url(item)}?{urlencode({'queue': queue.urlencode()})}"


def _queue(request: InstitutionRequest) -> QueryDict:
    """The filters of the queue the item was opened from (the default queue otherwise)."""
    return queue_params(request.POST.get("queue") or request.GET.get("queue", ""))


MOVED_ON = "moved-on"
"""Tag of the confirmation of an "… and next": the next item's page then focuses its heading
(otherwise the focus goes to the confirmation)."""


@requires_role(MODERATORS)
def item_detail(request: InstitutionRequest, institution_slug: str, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    return _page(request, _context(request, item))


def _page(
    request: InstitutionRequest,
    context: dict[str, object],
    *,
    status: int = 200,
    refused: str = "",
    decided: Item | None = None,
    decided_complaint: bool = False,
    moved_on: bool = False,
) -> HttpResponse:
    """The item page, or the item panel alone for the workspace (``panel-response``).

    ``refused``: the action refused, whose form shows first with what was typed in it;
    ``decided``: the item just decided, whose row the list beside the panel replaces.
    """
    item = cast(Item, context["item"])
    template = "moderation/item_detail.html"
    if workspace.wants(request, workspace.PANEL):
        template += "#panel-response"
    kept = request.POST if refused else {}
    context = {
        **context,
        **workspace.messages_context(request),
        "active_action": _first_form(item, refused, can_reply=bool(context["can_reply"])),
        "kept": kept,
        "kept_advice": request.POST.getlist("advice") if refused else [],
        "moved_on": moved_on or _moved_on(request),
        "decided": decided,
        "decided_complaint": {decided.pk} if decided and decided_complaint else set(),
    }
    return workspace.vary(render(request, template, context, status=status))


FORMS_OF_OPEN_ITEMS = {"reply", "hide", "remove", "no-action", "escalate"}


def _first_form(item: Item, refused: str, *, can_reply: bool) -> str:
    """The form the action bar opens on: the refused one, else the reply (reopen once
    answered; an escalated item's reply while its public answer is owed; the second look
    while a hide or removal waits for it)."""
    if item.removal_pending and refused not in ("harassment", "assign", "assign-me"):
        return "review"
    answering = item.status == ItemStatus.OPEN
    settled = {"approve": "", "reject": "", "withdraw": ""}  # the proposal was settled since
    form = {"assign-me": "assign", "posted": "", **settled}.get(refused, refused)
    if form == "reply" and can_reply:
        return form
    if (form in FORMS_OF_OPEN_ITEMS and not answering) or (form == "reopen" and answering):
        form = ""
    return form or ("reply" if can_reply else "reopen")


def _moved_on(request: InstitutionRequest) -> bool:
    return any(MOVED_ON in message.tags for message in get_messages(request))


def _context(request: InstitutionRequest, item: Item) -> dict[str, object]:
    thread = item_thread(item)
    proposal = four_eyes.pending_proposal(item)
    language = (translation.get_language() or item.institution.default_language)[:2]
    rules = rule_choices_cached(request.institution, language)
    choices = action_bar_choices(request.institution)
    # Annotated by item_page_items: no query for what the item has none of.
    platform_actions = list(item_platform_actions(item)) if item.has_platform_actions else []  # type: ignore[attr-defined]
    return {
        "item": item,
        "thread": thread.around,
        "replies": thread.replies,
        "revisions": item.revisions.order_by("-edited_at") if item.has_revisions else [],  # type: ignore[attr-defined]
        # Joined: what most decisions have. Fetched apart (no query when no decision has one):
        # what few have; each join more multiplies PostgreSQL's planning time (issue 21). The
        # platform actions are the item's, read once.
        "decisions": with_page_links(
            item.decisions.select_related(
                "actor", "rule", "statement", "assignee"
            ).prefetch_related("case", "evidence", "proposed_by"),
            platform_actions,
        ),
        "proposal": proposal,
        "review_refusal": (
            four_eyes.review_refusal(proposal, request.user, request.institution_roles)
            if proposal
            else ""
        ),
        "sensitive_account": (
            four_eyes.sensitive_account_of(item)
            if item.status == ItemStatus.OPEN and proposal is None
            else None
        ),
        "hide_rules": rules.hide,
        "remove_rules": rules.remove,
        "categories": choices.categories,
        "sla_met": decisions.sla_met(item),
        "platform_actions": platform_actions,
        "is_admin": Role.INSTITUTION_ADMIN in request.institution_roles,
        "legal_hold": hold_of(item_id=item.pk) if item.is_held else None,  # type: ignore[attr-defined]
        "may_hold": bool(set(HOLD_ROLES) & set(request.institution_roles)),
        "can_reply": decisions.reply_allowed(item),
        "complaint": complaint_marker_of(item),
        "saved_replies": choices.saved_replies.get(item.language, []),
        "saved_reply": request.GET.get("saved", ""),
        "reply_text": _prefill(request, item),
        "queue": _queue(request).urlencode(),
        "moderators": choices.moderators,
        "advice_steps": ADVICE_STEPS,
        "referral_targets": REFERRAL_TARGETS,
        "messaging_window": messaging_window(item, timezone.now()),
        "alerts": ladder.item_alerts(item),
        "handover": handover.item_handover(item, request.user),
    }


def with_page_links(
    decisions: QuerySet[Decision], platform_actions: list[PlatformAction]
) -> list[Decision]:
    """The item's decisions; a hide or removal carries its public page's address, the
    message telling the person, whether the platform was asked to send it (one of the
    item's ``platform_actions``) and its contest, read only for such decisions."""
    told = {
        action.decision_id
        for action in platform_actions
        if action.kind == PlatformAction.Kind.PRIVATE_REPLY
    }
    listed = list(decisions)
    for decision in listed:
        statement = (
            getattr(decision, "statement", None) if decision.action in PAGE_ACTIONS else None
        )
        if statement is not None:
            decision.page_url = statement_url(  # type: ignore[attr-defined]
                statement, for_person=False
            )
            decision.page_notice = notice_text(statement)  # type: ignore[attr-defined]
            decision.page_notice_sent = decision.pk in told  # type: ignore[attr-defined]
    with_page = [decision for decision in listed if hasattr(decision, "page_url")]
    if with_page:
        prefetch_related_objects(with_page, "contest")
    return listed


def _prefill(request: InstitutionRequest, item: Item) -> str:
    """``?saved=<id>`` puts a saved reply in the reply box (works without JavaScript)."""
    value = request.GET.get("saved", "")
    if not value.isdigit():
        return ""
    reply = SavedReply.objects.for_institution(request.institution).filter(pk=int(value)).first()
    return saved_reply_render(reply, item) if reply else ""


@require_POST
@requires_role(MODERATORS)
def item_action(
    request: InstitutionRequest, institution_slug: str, item_id: int, action: str
) -> HttpResponse:
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    item = _item(request, item_id)
    try:
        done = handler(request, item)
    except (DecisionRefused, ToDoRefused) as refused:
        messages.error(request, str(refused))
        return _page(request, _context(request, item), status=400, refused=action)
    moving_on = request.POST.get("then") == "next"
    messages.success(request, done, extra_tags=MOVED_ON if moving_on else "")
    queue = _queue(request)
    if workspace.wants(request, workspace.PANEL):
        return _panel_after(request, item, queue, moving_on=moving_on)
    if not moving_on:
        return redirect(item_in_queue_url(item, queue))
    following = queue_next(request.institution, request.user, queue, item, now=timezone.now())
    if following is not None:
        return redirect(item_in_queue_url(following, queue))
    messages.info(request, _("No item left after this one in the queue."))
    return redirect(_queue_url(request, queue))


def _queue_url(request: InstitutionRequest, queue: QueryDict) -> str:
    return f"{reverse('moderation:queue', args=[request.institution.slug])}?{queue.urlencode()}"


def _panel_after(
    request: InstitutionRequest, item: Item, queue: QueryDict, *, moving_on: bool
) -> HttpResponse:
    """After a decision in the workspace: the same item again, or after "… and next" the next
    item of the queue (its URL pushed to the browser's history), or an empty panel when none is
    left; each time with the decided item's new row for the list beside it."""
    decided = _item(request, item.pk)  # as the decision left it
    if not moving_on:
        context = _context(request, decided)
        complaint = bool(context["complaint"])
        return _page(request, context, decided=decided, decided_complaint=complaint)
    following = queue_next(request.institution, request.user, queue, item, now=timezone.now())
    if following is not None:  # read as the item page reads an item (its markers included)
        following = _item(request, following.pk)
    with_complaint = complaint_marker_of(decided) is not None
    if following is None:
        messages.info(request, _("No item left after this one in the queue."))
        response = render(
            request,
            "moderation/item_detail.html#panel-response",
            {
                **workspace.messages_context(request),
                "item": None,
                "none_left": True,
                "queue": queue.urlencode(),
                "decided": decided,
                "decided_complaint": {decided.pk} if with_complaint else set(),
            },
        )
        return push_url(workspace.vary(response), _queue_url(request, queue))
    response = _page(
        request,
        _context(request, following),
        decided=decided,
        decided_complaint=with_complaint,
        moved_on=True,
    )
    return push_url(response, item_in_queue_url(following, queue))


def _rule(request: InstitutionRequest) -> CharterRule | None:
    value = request.POST.get("rule", "")
    return CharterRule.objects.filter(pk=int(value)).first() if value.isdigit() else None


def _text(request: InstitutionRequest, name: str) -> str:
    return request.POST.get(name, "")[:20_000]


def _reply(request: InstitutionRequest, item: Item) -> str:
    decisions.item_reply(item=item, actor=request.user, text=_text(request, "text"))
    return _("The reply was recorded.")


def _hide(request: InstitutionRequest, item: Item) -> str:
    outcome = decisions.item_hide(
        item=item,
        actor=request.user,
        rule=_rule(request),
        reasons=_text(request, "reasons"),
        concerns_criticism=request.POST.get("concerns_criticism") == "on",
    )
    if outcome.proposal is not None:
        return _("Hiding proposed: it is hidden once a second moderator approves.")
    return _("The item was hidden.")


def _remove(request: InstitutionRequest, item: Item) -> str:
    outcome = decisions.item_remove(
        item=item,
        actor=request.user,
        rule=_rule(request),
        reasons=_text(request, "reasons"),
        concerns_criticism=request.POST.get("concerns_criticism") == "on",
    )
    if outcome.proposal is not None:
        return _("Removal proposed: it is removed once a second moderator approves.")
    return _("The item was removed.")


def _proposal(request: InstitutionRequest, item: Item) -> RemovalProposal:
    """The item's proposal the form names (it may have been settled since: the service says)."""
    value = request.POST.get("proposal", "")
    proposal = (
        RemovalProposal.objects.for_institution(request.institution)
        .filter(pk=int(value), item=item)
        .first()
        if value.isdigit()
        else None
    )
    if proposal is None:
        raise DecisionRefused(_("No proposal of this item waits for a second look."))
    return proposal


def _approve(request: InstitutionRequest, item: Item) -> str:
    outcome = proposals.proposal_approve(proposal=_proposal(request, item), actor=request.user)
    if outcome.decision.action == Action.HIDE:
        return _("Approved: the item was hidden.")
    return _("Approved: the item was removed.")


def _reject(request: InstitutionRequest, item: Item) -> str:
    proposals.proposal_reject(
        proposal=_proposal(request, item), actor=request.user, reasons=_text(request, "reasons")
    )
    return _("The proposal was rejected: the item stays open.")


def _withdraw(request: InstitutionRequest, item: Item) -> str:
    proposals.proposal_withdraw(
        proposal=_proposal(request, item), actor=request.user, reason=_text(request, "reason")
    )
    return _("The proposal was withdrawn: the item stays open.")


def _no_action(request: InstitutionRequest, item: Item) -> str:
    decisions.item_no_action(item=item, actor=request.user, note=_text(request, "note"))
    return _("Recorded: no action needed.")


def _escalate(request: InstitutionRequest, item: Item) -> str:
    value = request.POST.get("category", "")
    category = decisions.escalation_category(item, int(value) if value.isdigit() else None)
    decisions.item_escalate(
        item=item, actor=request.user, category=category, subject=_text(request, "subject")[:300]
    )
    return _("A complaint was opened for the complaints service.")


def _assign_me(request: InstitutionRequest, item: Item) -> str:
    decisions.item_assign(item=item, actor=request.user, assignee=request.user)
    return _("The item is assigned to you.")


def _assign(request: InstitutionRequest, item: Item) -> str:
    value = request.POST.get("assignee", "")
    assignee = (
        moderators(request.institution).filter(pk=int(value)).first() if value.isdigit() else None
    )
    if value and assignee is None:
        raise DecisionRefused(_("This person does not moderate for the institution."))
    decisions.item_assign(item=item, actor=request.user, assignee=assignee)
    if assignee is None:
        return _("The item is assigned to nobody.")
    return _("The item is assigned to %(name)s.") % {"name": assignee}


def _harassment(request: InstitutionRequest, item: Item) -> str:
    decisions.item_mark_harassment(
        item=item,
        actor=request.user,
        advice=request.POST.getlist("advice"),
        referral_target=request.POST.get("referral_target", ""),
        referral_person=_text(request, "referral_person"),
        note=_text(request, "note"),
    )
    return _("The item was preserved as evidence (SHA-256 recorded).")


def _posted(request: InstitutionRequest, item: Item) -> str:
    """The moderator carried out a platform action by hand (posted the reply, hid it...)."""
    value = request.POST.get("platform_action", "")
    action = (
        PlatformAction.objects.for_institution(request.institution)
        .filter(pk=int(value), decision__item=item)
        .first()
        if value.isdigit()
        else None
    )
    if action is None:
        raise ToDoRefused(_("This action does not wait to be done by hand."))
    action_mark_done(action=action, actor=request.user)
    if action.kind in (PlatformAction.Kind.REPLY, PlatformAction.Kind.PRIVATE_REPLY):
        return _("Recorded: the reply is posted on the platform.")
    return _("Recorded: done on the platform by hand.")


def _reopen(request: InstitutionRequest, item: Item) -> str:
    decisions.item_reopen(item=item, actor=request.user, reason=_text(request, "reason"))
    return _("The item was reopened.")


# Each action returns the confirmation shown after it.
ACTIONS: dict[str, Callable[[InstitutionRequest, Item], str]] = {
    "reply": _reply,
    "hide": _hide,
    "remove": _remove,
    "no-action": _no_action,
    "escalate": _escalate,
    "assign-me": _assign_me,
    "assign": _assign,
    "harassment": _harassment,
    "posted": _posted,
    "reopen": _reopen,
    "approve": _approve,
    "reject": _reject,
    "withdraw": _withdraw,
}


@requires_role(MODERATORS)
def item_evidence(
    request: InstitutionRequest, institution_slug: str, item_id: int, snapshot_id: int
) -> HttpResponse:
    """The snapshot exactly as hashed: ``sha256sum`` of the download equals the recorded one.
    The download is in the evidence access log."""
    item = _item(request, item_id)
    snapshot = get_object_or_404(
        EvidenceSnapshot.objects.for_institution(request.institution), pk=snapshot_id, item=item
    )
    response = HttpResponse(
        snapshot_download(snapshot=snapshot, actor=request.user), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="evidence-item-{item.pk}-{snapshot.sha256[:16]}.json"'
    )
    return response
