"""Outgoing posts: four eyes, the spokesperson for sensitive posts, every step recorded,
the editorial calendar in the institution's time zone."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import InternalError, connection, transaction
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import member
from channels.tests.factories import ChannelFactory
from moderation.models import Post, PostImmutableError, PostTransition
from moderation.services import posts
from moderation.services.posts import PostDraft, PostRefused

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def channel(defence):
    return ChannelFactory(institution=defence, name="Defensie Facebook")


def draft(channel, **overrides) -> PostDraft:
    values = {
        "channel": channel,
        "title": "Open day",
        "planned_at": datetime(2026, 12, 1, 0, 30, tzinfo=BRUSSELS),
        "sensitive": False,
        "texts": {"fr": "Journée portes ouvertes", "nl": "Opendeurdag", "en": ""},
    }
    return PostDraft(**(values | overrides))


def new_post(channel, author, **overrides) -> Post:
    return posts.post_create(
        institution=channel.institution, author=author, draft=draft(channel, **overrides)
    )


def test_a_post_goes_from_draft_to_published_with_every_step_recorded(
    channel, defence_communicator, defence
) -> None:
    reviewer = member(defence, Role.COMMUNICATOR, full_name="Peer Reviewer")
    post = new_post(channel, defence_communicator)
    assert {t.language: t.text for t in post.texts.all()} == {
        "fr": "Journée portes ouvertes",
        "nl": "Opendeurdag",
    }
    post = posts.post_submit(post=post, actor=defence_communicator)
    post = posts.post_request_changes(post=post, actor=reviewer, note="Ajoutez l'heure.")
    assert post.state == "changes_requested"
    posts.post_edit(
        post=post,
        actor=defence_communicator,
        draft=draft(channel, texts={"fr": "Portes ouvertes à 10 h", "nl": "Opendeurdag om 10 u"}),
    )
    post = posts.post_submit(post=post, actor=defence_communicator)
    post = posts.post_approve(post=post, actor=reviewer)
    assert post.approved_by == reviewer
    with pytest.raises(PostRefused, match="address of the published post"):
        posts.post_publish(post=post, actor=defence_communicator, url="not a url")
    post = posts.post_publish(
        post=post, actor=defence_communicator, url="https://facebook.example/defensie/1"
    )
    assert (post.state, post.published_url) == ("published", "https://facebook.example/defensie/1")
    steps = list(post.transitions.values_list("kind", "from_state", "to_state", "actor__full_name"))
    author = defence_communicator.full_name
    assert steps == [
        ("created", "", "draft", author),
        ("submitted", "draft", "in_review", author),
        ("changes_requested", "in_review", "changes_requested", "Peer Reviewer"),
        ("edited", "changes_requested", "changes_requested", author),
        ("submitted", "changes_requested", "in_review", author),
        ("approved", "in_review", "approved", "Peer Reviewer"),
        ("published", "approved", "published", author),
    ]


def test_the_author_never_reviews_their_own_post(channel, defence_communicator) -> None:
    post = posts.post_submit(
        post=new_post(channel, defence_communicator), actor=defence_communicator
    )
    with pytest.raises(PostRefused, match="never its author"):
        posts.post_approve(post=post, actor=defence_communicator)
    with pytest.raises(PostRefused, match="never its author"):
        posts.post_request_changes(post=post, actor=defence_communicator, note="ok")
    assert Post.objects.get().state == "in_review"


def test_a_sensitive_post_needs_a_spokesperson(channel, defence_communicator, defence) -> None:
    peer = member(defence, Role.COMMUNICATOR)
    spokesperson = member(defence, Role.SPOKESPERSON)
    post = new_post(channel, defence_communicator, sensitive=True)
    post = posts.post_submit(post=post, actor=defence_communicator)
    with pytest.raises(PostRefused, match="spokesperson"):
        posts.post_approve(post=post, actor=peer)
    assert posts.post_approve(post=post, actor=spokesperson).state == "approved"


def test_only_a_spokesperson_unmarks_a_sensitive_post_and_the_history_says_so(
    channel, defence_communicator, defence
) -> None:
    spokesperson = member(defence, Role.SPOKESPERSON)
    post = new_post(channel, defence_communicator, sensitive=True)
    with pytest.raises(PostRefused, match="Only a spokesperson may unmark"):
        posts.post_edit(
            post=post, actor=defence_communicator, draft=draft(channel, sensitive=False)
        )
    assert Post.objects.get().sensitive
    posts.post_edit(post=post, actor=spokesperson, draft=draft(channel, sensitive=False))
    assert not Post.objects.get().sensitive
    assert post.transitions.last().note == "No longer marked sensitive."


def test_every_edit_is_in_the_history_with_what_it_changed(channel, defence_communicator) -> None:
    post = new_post(channel, defence_communicator)
    posts.post_edit(
        post=post,
        actor=defence_communicator,
        draft=draft(channel, title="Open day 2027", texts={"fr": "Journée portes ouvertes"}),
    )
    posts.post_edit(
        post=post, actor=defence_communicator, draft=draft(channel, title="Open day 2027",
        texts={"fr": "Journée portes ouvertes"}, sensitive=True),
    )  # fmt: skip
    posts.post_edit(
        post=post, actor=defence_communicator, draft=draft(channel, title="Open day 2027",
        texts={"fr": "Journée portes ouvertes"}, sensitive=True),
    )  # fmt: skip
    notes = list(post.transitions.filter(kind="edited").values_list("note", flat=True))
    assert notes == [
        "Changed: working title, text in Dutch.",
        "Marked sensitive.",
        "Saved without changes.",
    ]


def test_nobody_reviews_a_text_they_edited(channel, defence_communicator, defence) -> None:
    """A peer who edits the author's post while changes are requested wrote part of it: a
    third member reviews it."""
    peer = member(defence, Role.COMMUNICATOR)
    third = member(defence, Role.COMMUNICATOR)
    post = posts.post_submit(
        post=new_post(channel, defence_communicator), actor=defence_communicator
    )
    post = posts.post_request_changes(post=post, actor=peer, note="Ajoutez l'heure.")
    posts.post_edit(post=post, actor=peer, draft=draft(channel, texts={"fr": "À 10 h"}))
    post = posts.post_submit(post=post, actor=peer)
    with pytest.raises(PostRefused, match="You edited this post"):
        posts.post_approve(post=post, actor=peer)
    with pytest.raises(PostRefused, match="You edited this post"):
        posts.post_request_changes(post=post, actor=peer, note="ok")
    assert Post.objects.get().state == "in_review"
    assert posts.post_approve(post=post, actor=third).approved_by == third


def test_steps_out_of_order_are_refused(channel, defence_communicator, defence) -> None:
    peer = member(defence, Role.COMMUNICATOR)
    post = new_post(channel, defence_communicator)
    with pytest.raises(PostRefused, match="the post is draft"):
        posts.post_approve(post=post, actor=peer)
    with pytest.raises(PostRefused, match="Say why"):
        posts.post_withdraw(post=post, actor=defence_communicator, reason="")
    post = posts.post_withdraw(post=post, actor=defence_communicator, reason="Event cancelled")
    with pytest.raises(PostRefused):
        posts.post_submit(post=post, actor=defence_communicator)
    with pytest.raises(PostRefused, match="Only a draft"):
        posts.post_edit(post=post, actor=defence_communicator, draft=draft(channel))


def test_a_draft_needs_a_title_a_text_and_an_own_channel(
    channel, defence_communicator, police
) -> None:
    with pytest.raises(PostRefused, match="at least one language"):
        new_post(channel, defence_communicator, texts={"fr": "  "})
    with pytest.raises(PostRefused, match="working title"):
        new_post(channel, defence_communicator, title=" ")
    with pytest.raises(PostRefused, match="institution's channels"):
        posts.post_create(
            institution=channel.institution,
            author=defence_communicator,
            draft=draft(ChannelFactory(institution=police)),
        )
    assert not Post.objects.exists()


def test_two_reviewers_at_once_make_one_decision(channel, defence_communicator, defence) -> None:
    reviewers = [member(defence, Role.COMMUNICATOR) for _ in range(2)]
    post = posts.post_submit(
        post=new_post(channel, defence_communicator), actor=defence_communicator
    )
    results: list[str] = []
    barrier = threading.Barrier(2)

    def review(reviewer, approve: bool) -> None:
        try:
            barrier.wait()
            if approve:
                posts.post_approve(post=post, actor=reviewer)
            else:
                posts.post_request_changes(post=post, actor=reviewer, note="Non")
            results.append("done")
        except PostRefused as refused:
            results.append(str(refused))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=review, args=(reviewers[0], True)),
        threading.Thread(target=review, args=(reviewers[1], False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("done") == 1
    [refusal] = [result for result in results if result != "done"]
    assert refusal.startswith("This step is not possible: the post is")
    assert PostTransition.objects.filter(kind__in=("approved", "changes_requested")).count() == 1


test_two_reviewers_at_once_make_one_decision = pytest.mark.django_db(transaction=True)(
    test_two_reviewers_at_once_make_one_decision
)


def test_the_history_cannot_be_changed(channel, defence_communicator) -> None:
    transition = new_post(channel, defence_communicator).transitions.get()
    with pytest.raises(PostImmutableError):
        transition.delete()
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE moderation_posttransition SET note = 'x' WHERE id = %s", [transition.pk]
        )


def test_the_calendar_month_follows_brussels_time(channel, defence_communicator) -> None:
    new_post(channel, defence_communicator)  # 1 Dec 00:30 in Brussels, 30 Nov in UTC
    new_post(channel, defence_communicator, title="Late November",
             planned_at=datetime(2026, 11, 30, 23, 0, tzinfo=BRUSSELS))  # fmt: skip
    december = [p.title for p in posts.posts_in_month(channel.institution, 2026, 12)]
    november = [p.title for p in posts.posts_in_month(channel.institution, 2026, 11)]
    assert (december, november) == (["Open day"], ["Late November"])
    weeks = posts.month_weeks(channel.institution, 2026, 12)
    first_of_december = next(planned for week in weeks for day, planned in week if day.day == 1
                             and day.month == 12)  # fmt: skip
    assert [p.title for p in first_of_december] == ["Open day"]
    assert weeks[0][0][0].weekday() == 0  # Monday first


def test_the_screens(client: Client, channel, defence_communicator, defence, defence_admin) -> None:
    client.force_login(defence_communicator)
    form = {
        "channel": channel.pk,
        "title": "Defence day",
        "planned_at": "2026-12-03T10:00",
        "text_fr": "Journée de la Défense",
        "text_nl": "Defensiedag",
    }
    assert (
        client.post("/i/defence/posts/new/", {**form, "text_fr": "", "text_nl": ""}).status_code
        == 400
    )
    response = client.post("/i/defence/posts/new/", form)
    post = Post.objects.get()
    assert response.url == f"/i/defence/posts/{post.pk}/"
    client.post(f"/i/defence/posts/{post.pk}/submit/")
    own = client.post(f"/i/defence/posts/{post.pk}/approve/")
    assert own.status_code == 400
    assert "never its author" in own.content.decode()
    calendar = client.get("/i/defence/posts/calendar/?month=2026-12").content.decode()
    assert "Defence day" in calendar
    assert client.get("/i/defence/posts/calendar/?month=nonsense").status_code == 200
    client.force_login(defence_admin)  # the editorial committee reads; it does not act
    assert "Defence day" in client.get("/i/defence/posts/?state=in_review").content.decode()
    assert client.post(f"/i/defence/posts/{post.pk}/approve/").status_code == 403


def _edit_form(post: Post, **overrides) -> dict[str, object]:
    texts = {f"text_{text.language}": text.text for text in post.texts.all()}
    values = {
        "channel": post.channel_id,
        "title": post.title,
        "planned_at": "2026-12-01T00:30",  # unchanged (Brussels time)
        **texts,
    }
    if post.sensitive:
        values["sensitive"] = "on"
    return values | overrides


def test_a_peer_who_edits_through_the_screens_cannot_approve_their_own_text(
    client: Client, channel, defence_communicator, defence
) -> None:
    peer = member(defence, Role.COMMUNICATOR)
    post = posts.post_submit(
        post=new_post(channel, defence_communicator), actor=defence_communicator
    )
    posts.post_request_changes(post=post, actor=peer, note="Ajoutez l'heure.")
    client.force_login(peer)
    url = f"/i/defence/posts/{post.pk}/"
    edited = client.post(f"{url}edit/", _edit_form(post, text_fr="Portes ouvertes à 10 h"))
    assert edited.status_code == 302
    client.post(f"{url}submit/")
    page = client.get(url).content.decode()
    assert "You edited this post: another member must review it." in page
    assert f'action="{url}approve/"' not in page
    own = client.post(f"{url}approve/")
    assert own.status_code == 400
    assert "You edited this post" in own.content.decode()
    post.refresh_from_db()
    assert (post.state, post.approved_by) == ("in_review", None)
    assert post.transitions.filter(kind="edited", actor=peer).get().note == (
        "Changed: text in French."
    )


def test_unticking_sensitive_through_the_screens_does_not_skip_the_spokesperson(
    client: Client, channel, defence_communicator, defence
) -> None:
    peer = member(defence, Role.COMMUNICATOR)
    spokesperson = member(defence, Role.SPOKESPERSON)
    post = new_post(channel, defence_communicator, sensitive=True)
    client.force_login(defence_communicator)
    url = f"/i/defence/posts/{post.pk}/"
    form = client.get(f"{url}edit/").content.decode()
    assert "Only a spokesperson may unmark a sensitive post." in form
    unticked = {k: v for k, v in _edit_form(post).items() if k != "sensitive"}
    assert client.post(f"{url}edit/", unticked).status_code == 302
    assert Post.objects.get().sensitive
    client.post(f"{url}submit/")
    client.force_login(peer)
    assert client.post(f"{url}approve/").status_code == 400
    assert Post.objects.get().state == "in_review"
    client.force_login(spokesperson)
    assert client.post(f"{url}approve/").status_code == 302
    assert Post.objects.get().approved_by == spokesperson


def test_a_spokesperson_unmarks_a_sensitive_post_through_the_screens(
    client: Client, channel, defence_communicator, defence
) -> None:
    spokesperson = member(defence, Role.SPOKESPERSON)
    post = new_post(channel, defence_communicator, sensitive=True)
    client.force_login(spokesperson)
    unticked = {k: v for k, v in _edit_form(post).items() if k != "sensitive"}
    assert client.post(f"/i/defence/posts/{post.pk}/edit/", unticked).status_code == 302
    assert not Post.objects.get().sensitive
    assert "No longer marked sensitive." in post.transitions.last().note


def test_every_review_step_confirms_what_was_done(
    client: Client, channel, defence_communicator, defence
) -> None:
    peer = member(defence, Role.COMMUNICATOR)
    post = new_post(channel, defence_communicator)
    url = f"/i/defence/posts/{post.pk}/"
    steps = [
        (defence_communicator, "submit", {}, "The post was submitted for review."),
        (peer, "request-changes", {"note": "Plus court."},
         "Changes were requested from the author."),
        (defence_communicator, "submit", {}, "The post was submitted for review."),
        (peer, "approve", {}, "The post was approved."),
        (defence_communicator, "publish", {"url": "https://facebook.example/p/1"},
         "The post is marked as published."),
    ]  # fmt: skip
    for actor, action, data, message in steps:
        client.force_login(actor)
        response = client.post(f"{url}{action}/", data, follow=True)
        assert response.redirect_chain == [(url, 302)], action
        assert [str(shown) for shown in response.context["messages"]] == [message]
    other = new_post(channel, defence_communicator)
    client.force_login(defence_communicator)
    response = client.post(
        f"/i/defence/posts/{other.pk}/withdraw/", {"reason": "Cancelled"}, follow=True
    )
    assert [str(shown) for shown in response.context["messages"]] == ["The post was withdrawn."]
