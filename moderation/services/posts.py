"""Outgoing posts: drafting, four-eyes review, spokesperson approval, publication, calendar.

State machine (every step an append-only ``PostTransition``; each step locks the post's row
and checks its state, so of two reviewers acting at once the second is told what happened):

    draft ──submit──▶ in review ──approve──▶ approved ──publish (URL)──▶ published
      ▲                   │
      └──── edit ◀── changes requested ◀──┘ (request changes)
    draft, in review, changes requested, approved ──withdraw (reason)──▶ withdrawn

- The texts (one per language) and the planned time change only in draft or changes requested;
  every edit is recorded with what it changed.
- Four eyes: nobody reviews (approves or requests changes on) a text they wrote or edited. A
  post's text is one text for its whole life (it is never edited again once approved), so the
  author and everyone with an edit in its history are its writers; a member who edits another's
  post while changes are requested cannot then approve it.
- A sensitive post is approved only by a spokesperson, and once marked sensitive only a
  spokesperson may unmark it (else unticking the box would skip the spokesperson).
- These rules are checked with the post's row locked, so no concurrent edit slips past them.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Institution, Role, SpokenLanguage, User
from accounts.tenancy import has_role
from channels.models import Channel
from moderation.models import PlatformAction, Post, PostState, PostText, PostTransition

Kind = PostTransition.Kind
EDITABLE = (PostState.DRAFT, PostState.CHANGES_REQUESTED)
WITHDRAWABLE = (
    PostState.DRAFT,
    PostState.IN_REVIEW,
    PostState.CHANGES_REQUESTED,
    PostState.APPROVED,
)


class PostRefused(ValueError):
    """The step cannot be taken; the message says why."""


@dataclass(frozen=True)
class PostDraft:
    channel: Channel
    title: str
    planned_at: datetime
    sensitive: bool
    texts: dict[str, str]
    """Language code → text; empty texts are dropped."""


def post_create(*, institution: Institution, author: User, draft: PostDraft) -> Post:
    texts = _clean(institution, draft)
    with transaction.atomic():
        post = Post.objects.create(
            institution=institution,
            channel=draft.channel,
            title=draft.title.strip(),
            planned_at=draft.planned_at,
            sensitive=draft.sensitive,
            author=author,
        )
        PostText.objects.bulk_create(
            PostText(post=post, language=language, text=text) for language, text in texts.items()
        )
        _record(post, author, Kind.CREATED, "", PostState.DRAFT)
    return post


def post_edit(*, post: Post, actor: User, draft: PostDraft) -> Post:
    texts = _clean(post.institution, draft)
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.state not in EDITABLE:
            raise PostRefused(_("Only a draft or a post with changes requested can be edited."))
        if sensitive_locked_for(locked, actor) and not draft.sensitive:
            raise PostRefused(_("Only a spokesperson may unmark a sensitive post."))
        note = _edit_note(locked, draft, texts)
        locked.channel = draft.channel
        locked.title = draft.title.strip()
        locked.planned_at = draft.planned_at
        locked.sensitive = draft.sensitive
        locked.updated_at = timezone.now()
        locked.save()
        locked.texts.all().delete()
        PostText.objects.bulk_create(
            PostText(post=locked, language=language, text=text) for language, text in texts.items()
        )
        _record(locked, actor, Kind.EDITED, locked.state, locked.state, note)
    return locked


def post_submit(*, post: Post, actor: User) -> Post:
    return _move(post, actor, Kind.SUBMITTED, EDITABLE, PostState.IN_REVIEW)


def post_request_changes(*, post: Post, actor: User, note: str) -> Post:
    if not note.strip():
        raise PostRefused(_("Say what should change."))
    return _move(
        post, actor, Kind.CHANGES_REQUESTED, (PostState.IN_REVIEW,), PostState.CHANGES_REQUESTED,
        note=note, check=_check_reviewer,
    )  # fmt: skip


def post_approve(*, post: Post, actor: User, note: str = "") -> Post:
    return _move(
        post, actor, Kind.APPROVED, (PostState.IN_REVIEW,), PostState.APPROVED, note=note,
        check=_check_approver, approved_by=actor,
    )  # fmt: skip


def post_review_refusal(post: Post, actor: User) -> str:
    """Why ``actor`` may not review ``post`` (empty when they may): the page shows it in place
    of the review buttons."""
    if post.author_id == actor.pk:
        return _("Another member must review this post: never its author.")
    if post.transitions.filter(kind=Kind.EDITED, actor=actor).exists():
        return _("You edited this post: another member must review it.")
    return ""


def sensitive_locked_for(post: Post, actor: User) -> bool:
    """The post is marked sensitive and ``actor`` may not unmark it: only a spokesperson may."""
    return post.sensitive and not has_role(actor, post.institution, Role.SPOKESPERSON)


def post_publish(*, post: Post, actor: User, url: str) -> Post:
    url = url.strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise PostRefused(_("Give the address of the published post.")) from None
    return _move(
        post, actor, Kind.PUBLISHED, (PostState.APPROVED,), PostState.PUBLISHED, note=url,
        published_url=url, published_at=timezone.now(),
    )  # fmt: skip


def post_record_published(action: PlatformAction, actor: User | None = None) -> Post:
    """The post of a PUBLISH ``action`` is on the platform: PUBLISHED with the action's link and
    time, and a transition by ``actor`` (who marked it done by hand) or, published through the
    API, by the post's approver (the person whose approval sent it out; its author if none)."""
    post = action.post
    if post is None:
        raise ValueError("Not the action of a post.")
    at = action.executed_at or action.done_at or timezone.now()
    by = actor or post.approved_by or post.author
    return _move(
        post, by, Kind.PUBLISHED, (PostState.APPROVED,), PostState.PUBLISHED,
        note=action.url, published_url=action.url,
        published_at=at,
    )  # fmt: skip


def post_text_for_channel(post: Post) -> str:
    """What is published: the post's text in the channel's language; with several languages,
    one post holding the texts in the channel's language order (then any other language of the
    post), separated by a blank line, as the bilingual institutions post."""
    texts = {text.language: text.text.strip() for text in post.texts.all() if text.text.strip()}
    order = [*post.channel.languages, *sorted(texts)]
    chosen = [lang for lang in dict.fromkeys(order) if lang in texts]
    if len(post.channel.languages) == 1 and post.channel.languages[0] in texts:
        chosen = post.channel.languages[:1]
    return "\n\n".join(texts[lang] for lang in chosen)


def post_withdraw(*, post: Post, actor: User, reason: str) -> Post:
    if not reason.strip():
        raise PostRefused(_("Say why the post is withdrawn."))
    return _move(post, actor, Kind.WITHDRAWN, WITHDRAWABLE, PostState.WITHDRAWN, note=reason)


def posts_in_month(institution: Institution, year: int, month: int) -> QuerySet[Post]:
    """Planned posts of a calendar month in the institution's time zone (withdrawn excluded)."""
    first = date(year, month, 1)
    after = first + timedelta(days=calendar.monthrange(year, month)[1])
    zone = institution.zone
    return (
        Post.objects.for_institution(institution)
        .exclude(state=PostState.WITHDRAWN)
        .filter(
            planned_at__gte=datetime.combine(first, time(), zone),
            planned_at__lt=datetime.combine(after, time(), zone),
        )
        .select_related("channel")
        .order_by("planned_at", "pk")
    )


def month_weeks(
    institution: Institution, year: int, month: int
) -> list[list[tuple[date, list[Post]]]]:
    """The month as weeks (Monday first) of (day, planned posts) for the calendar grid."""
    by_day: dict[date, list[Post]] = {}
    for post in posts_in_month(institution, year, month):
        by_day.setdefault(timezone.localtime(post.planned_at, institution.zone).date(), []).append(
            post
        )
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [[(day, by_day.get(day, [])) for day in week] for week in weeks]


def _clean(institution: Institution, draft: PostDraft) -> dict[str, str]:
    if not draft.title.strip():
        raise PostRefused(_("Give the post a working title."))
    if draft.channel.institution_id != institution.pk:
        raise PostRefused(_("Choose one of the institution's channels."))
    texts = {
        language: text.strip()
        for language, text in draft.texts.items()
        if language in SpokenLanguage.values and text.strip()
    }
    if not texts:
        raise PostRefused(_("Write the text in at least one language."))
    return texts


def _check_reviewer(post: Post, actor: User) -> None:
    refusal = post_review_refusal(post, actor)
    if refusal:
        raise PostRefused(refusal)


def _check_approver(post: Post, actor: User) -> None:
    _check_reviewer(post, actor)
    if post.sensitive and not has_role(actor, post.institution, Role.SPOKESPERSON):
        raise PostRefused(_("A sensitive post must be approved by a spokesperson."))


def _edit_note(post: Post, draft: PostDraft, texts: dict[str, str]) -> str:
    """What an edit changed, in words, for the history (unmarking "sensitive" in particular,
    which decides whether a spokesperson approves)."""
    changed = [
        label
        for label, before, after in (
            (_("channel"), post.channel_id, draft.channel.pk),
            (_("working title"), post.title, draft.title.strip()),
            (_("planned time"), post.planned_at, draft.planned_at),
        )
        if before != after
    ]
    old_texts = dict(post.texts.values_list("language", "text"))
    changed += [
        _("text in %(language)s") % {"language": SpokenLanguage(language).label}
        for language in SpokenLanguage.values
        if old_texts.get(language, "") != texts.get(language, "")
    ]
    parts = [_("Changed: %(parts)s.") % {"parts": ", ".join(changed)}] if changed else []
    if post.sensitive != draft.sensitive:
        parts.append(
            _("Marked sensitive.") if draft.sensitive else _("No longer marked sensitive.")
        )
    return " ".join(parts) or _("Saved without changes.")


def _move(
    post: Post,
    actor: User,
    kind: str,
    sources: tuple[str, ...],
    target: str,
    note: str = "",
    check: Callable[[Post, User], None] | None = None,
    **fields: object,
) -> Post:
    """Take one step under the post's row lock; ``check`` (who may take it) runs under the
    lock too, so the history it reads cannot change before the step is recorded."""
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.state not in sources:
            raise PostRefused(
                _("This step is not possible: the post is %(state)s.")
                % {"state": locked.get_state_display().lower()}
            )
        if check is not None:
            check(locked, actor)
        Post.objects.filter(pk=post.pk).update(state=target, updated_at=timezone.now(), **fields)
        _record(locked, actor, kind, locked.state, target, note)
    return Post.objects.get(pk=post.pk)


def _record(
    post: Post, actor: User, kind: str, from_state: str, to_state: str, note: str = ""
) -> None:
    PostTransition.objects.create(
        institution_id=post.institution_id,
        post=post,
        actor=actor,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note.strip()[:2000],
    )
