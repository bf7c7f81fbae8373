from django.urls import path

from moderation.views import (
    contests,
    coverage,
    decision_pages,
    four_eyes,
    items,
    platform_to_do,
    posts,
    queue,
    team,
)

app_name = "moderation"

tenant = "i/<slug:institution_slug>/queue/"
outgoing = "i/<slug:institution_slug>/posts/"
to_do = "i/<slug:institution_slug>/platform-to-do/"
sensitive = "i/<slug:institution_slug>/sensitive-accounts/"
contest = "i/<slug:institution_slug>/contests/"

urlpatterns = [
    path(tenant, queue.queue, name="queue"),
    path(f"{tenant}new/", queue.new_count, name="new-count"),
    path(f"{tenant}bulk/", queue.bulk, name="bulk"),
    path(f"{tenant}replies/", team.saved_replies, name="saved-replies"),
    path(f"{tenant}duty/", team.duty, name="duty"),
    path(f"{tenant}duty/toggle/", team.duty_toggle, name="duty-toggle"),
    path(f"{tenant}duty/handover/", coverage.handover_page, name="handover"),
    path(f"{tenant}ladder/", coverage.ladder_edit, name="ladder"),
    path(f"{tenant}approvals/", four_eyes.removal_approvals, name="removal-approvals"),
    path(f"{tenant}items/<int:item_id>/", items.item_detail, name="item-detail"),
    path(f"{tenant}items/<int:item_id>/<slug:action>/", items.item_action, name="item-action"),
    path(
        f"{tenant}items/<int:item_id>/evidence/<int:snapshot_id>/",
        items.item_evidence,
        name="item-evidence",
    ),
    path(sensitive, four_eyes.sensitive_accounts, name="sensitive-accounts"),
    path(
        f"{sensitive}<int:account_id>/",
        four_eyes.sensitive_account_edit,
        name="sensitive-account-edit",
    ),
    path(to_do, platform_to_do.to_do_list, name="platform-to-do"),
    path(f"{to_do}<int:action_id>/done/", platform_to_do.to_do_done, name="platform-to-do-done"),
    path(contest, contests.contest_list, name="contest-list"),
    path(f"{contest}<str:reference>/", contests.contest_detail, name="contest-detail"),
    path(f"{contest}<str:reference>/decide/", contests.contest_decide_view, name="contest-decide"),
    path("decisions/<str:token>/", decision_pages.decision_public, name="decision-page"),
    path(
        "decisions/<str:token>/contest/",
        decision_pages.decision_contest,
        name="decision-contest",
    ),
    path(outgoing, posts.post_list, name="post-list"),
    path(f"{outgoing}new/", posts.post_create, name="post-create"),
    path(f"{outgoing}calendar/", posts.post_calendar, name="post-calendar"),
    path(f"{outgoing}<int:post_id>/", posts.post_detail, name="post-detail"),
    path(f"{outgoing}<int:post_id>/edit/", posts.post_edit, name="post-edit"),
    path(f"{outgoing}<int:post_id>/<slug:action>/", posts.post_action, name="post-action"),
]
