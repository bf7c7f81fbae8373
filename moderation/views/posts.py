"""Outgoing posts: list, drafting, review steps, and the editorial calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from moderation.forms import PostForm
from moderation.models import Post, PostState
from moderation.services import posts
from moderation.services.posts import PostRefused

AUTHORS = Role.COMMUNICATOR
READERS = (Role.COMMUNICATOR, Role.INSTITUTION_ADMIN)


def _post(request: InstitutionRequest, post_id: int) -> Post:
    return get_object_or_404(
        Post.objects.for_institution(request.institution).select_related(
            "channel", "author", "approved_by", "institution"
        ),
        pk=post_id,
    )


@requires_role(*READERS)
def post_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    state = request.GET.get("state", "")
    listed = Post.objects.for_institution(request.institution).select_related("channel", "author")
    if state in PostState.values:
        listed = listed.filter(state=state)
    else:
        state = ""
        listed = listed.exclude(state__in=(PostState.PUBLISHED, PostState.WITHDRAWN))
    return render(
        request,
        "moderation/post_list.html",
        {"posts": listed[:200], "state": state, "states": PostState.choices},
    )


@requires_role(AUTHORS)
def post_create(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    form = PostForm(request.POST or None, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        try:
            post = posts.post_create(
                institution=request.institution, author=request.user, draft=form.draft()
            )
        except PostRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Draft saved. Submit it for review when it is ready."))
            return redirect("moderation:post-detail", institution_slug=institution_slug,
                            post_id=post.pk)  # fmt: skip
    return render(request, "moderation/post_form.html", {"form": form, "post": None},
                  status=400 if form.errors else 200)  # fmt: skip


@requires_role(AUTHORS)
def post_edit(request: InstitutionRequest, institution_slug: str, post_id: int) -> HttpResponse:
    post = _post(request, post_id)
    lock_sensitive = posts.sensitive_locked_for(post, request.user)
    if request.method == "POST":
        form = PostForm(
            request.POST, institution=request.institution, lock_sensitive=lock_sensitive
        )
        if form.is_valid():
            try:
                posts.post_edit(post=post, actor=request.user, draft=form.draft())
            except PostRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Post saved."))
                return redirect("moderation:post-detail", institution_slug=institution_slug,
                                post_id=post.pk)  # fmt: skip
    else:
        form = PostForm.for_post(post, lock_sensitive=lock_sensitive)
    return render(request, "moderation/post_form.html", {"form": form, "post": post},
                  status=400 if form.errors else 200)  # fmt: skip


@requires_role(*READERS)
def post_detail(request: InstitutionRequest, institution_slug: str, post_id: int) -> HttpResponse:
    post = _post(request, post_id)
    return render(request, "moderation/post_detail.html", _context(request, post))


def _context(request: InstitutionRequest, post: Post) -> dict[str, object]:
    return {
        "post": post,
        "texts": post.texts.all(),
        "transitions": post.transitions.select_related("actor"),
        "review_refusal": posts.post_review_refusal(post, request.user),
        "can_act": Role.COMMUNICATOR in request.institution_roles,
        "editable": post.state in posts.EDITABLE,
        "withdrawable": post.state in posts.WITHDRAWABLE,
    }


@require_POST
@requires_role(AUTHORS)
def post_action(
    request: InstitutionRequest, institution_slug: str, post_id: int, action: str
) -> HttpResponse:
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    post = _post(request, post_id)
    try:
        handler(request, post)
    except PostRefused as refused:
        messages.error(request, str(refused))
        return render(request, "moderation/post_detail.html", _context(request, post), status=400)
    messages.success(request, DONE[action])
    return redirect("moderation:post-detail", institution_slug=institution_slug, post_id=post.pk)


def _note(request: InstitutionRequest, name: str = "note") -> str:
    return request.POST.get(name, "")[:2000]


ACTIONS: dict[str, Callable[[InstitutionRequest, Post], object]] = {
    "submit": lambda request, post: posts.post_submit(post=post, actor=request.user),
    "approve": lambda request, post: posts.post_approve(
        post=post, actor=request.user, note=_note(request)
    ),
    "request-changes": lambda request, post: posts.post_request_changes(
        post=post, actor=request.user, note=_note(request)
    ),
    "publish": lambda request, post: posts.post_publish(
        post=post, actor=request.user, url=_note(request, "url")
    ),
    "withdraw": lambda request, post: posts.post_withdraw(
        post=post, actor=request.user, reason=_note(request, "reason")
    ),
}


DONE = {
    "submit": gettext_lazy("The post was submitted for review."),
    "approve": gettext_lazy("The post was approved."),
    "request-changes": gettext_lazy("Changes were requested from the author."),
    "publish": gettext_lazy("The post is marked as published."),
    "withdraw": gettext_lazy("The post was withdrawn."),
}
"""The confirmation shown after each step."""


@requires_role(*READERS)
def post_calendar(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    """``?month=YYYY-MM`` (this month by default); an unreadable month falls back to it."""
    today = timezone.localdate(timezone=request.institution.zone)
    month = _month(request.GET.get("month", ""), today)
    previous = (month.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return render(
        request,
        "moderation/post_calendar.html",
        {
            "month": month,
            "weeks": posts.month_weeks(request.institution, month.year, month.month),
            "previous": previous,
            "following": following,
            "today": today,
        },
    )


def _month(value: str, today: date) -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
